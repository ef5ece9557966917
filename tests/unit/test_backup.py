"""Backups and restore on real database files: consistent while another process writes,
encrypted, verified, refused when wrong, restored whole; daily rotation.

Cheaper scrypt parameters (``KDF``) where the cost of the key is not what is tested.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desk_app import backup as backup_module
from desk_app import backup_format
from desk_app.backup import (
    PASSPHRASE_ENV,
    BackupDamagedError,
    BackupMismatchError,
    BackupTooNewError,
    DatabaseInUseError,
    KdfParams,
    WrongPassphraseError,
    apply_restore,
    backup_status,
    configure,
    create_backup,
    last_good_backup,
    prepare_restore,
    run_scheduled_backup,
    verify,
)
from desk_app.backup_format import CHUNK, read_backup
from desk_app.clock import FixedClock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db import cipher, keys
from desk_app.db.keys import KEY_ID_FILE
from desk_app.demo import seed_demo
from desk_app.errors import InvalidInputError
from desk_app.intake_hold import IntakeHeldError
from desk_app.profile import Profile
from tests.helpers.desk_files import connect_desk
from tests.unit.intake_fixtures import (
    NOW,
    OFFICER,
    build_desk,
    desk,
    desk_folder,
    desk_template_db,
    request,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "cụm mật khẩu của xã Tân Phú"
KDF = KdfParams(n=1 << 12)


def query(db_file: Path, sql: str) -> list[tuple[object, ...]]:
    conn = connect_desk(db_file)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def codes(folder: Path) -> list[tuple[object, ...]]:
    return query(folder / DATABASE_FILE, "SELECT code, applicant_name FROM dossiers ORDER BY code")


def receive(ctx: DeskContext, n: int) -> None:
    for _ in range(n):
        ctx.intake.receive(request(), OFFICER)


@pytest.fixture
def backup(desk: DeskContext, tmp_path: Path) -> Path:
    receive(desk, 3)
    out = tmp_path / "backups" / "desk.deskbak"
    out.parent.mkdir()
    create_backup(desk, out, PASSPHRASE, actor="quan.tri", kdf=KDF)
    return out


# ------------------------------------------------------------------ backup and verify


def test_a_backup_restores_whole_on_a_fresh_machine(
    desk: DeskContext, backup: Path, tmp_path: Path
) -> None:
    manifest = verify(backup, PASSPHRASE)
    assert verify(backup, PASSPHRASE, tmp_path, deep=True) == manifest
    assert (manifest.agency_code, manifest.desk_number, manifest.dossier_count) == (
        "000.20.33.H12", 1, 3,
    )  # fmt: skip
    fresh = tmp_path / "fresh"
    plan = prepare_restore(backup, PASSPHRASE, fresh)
    assert (plan.unsent_lost, plan.current_dossiers) == (0, None)
    assert apply_restore(plan, FixedClock(NOW)) is None  # nothing was there to keep
    assert codes(fresh) == codes(desk.data_dir)
    assert len(codes(fresh)) == 3
    restored = DeskContext.open(fresh, FixedClock(NOW))
    try:
        receive(restored, 1)  # not enrolled: nothing to wait for
    finally:
        restored.close()
    assert [p.name for p in fresh.iterdir() if p.name.startswith(".")] == []


def test_the_backup_holds_no_plain_text(backup: Path) -> None:
    data = backup.read_bytes()
    assert b"SQLite format 3" not in data
    assert "Trần Thị Hồng Nhung".encode() not in data
    assert b"079301001234" not in data
    assert b"000.20.33.H12" not in data  # the manifest is inside, encrypted


def test_a_wrong_passphrase_is_refused_with_exit_4(backup: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        verify(backup, "not the passphrase", tmp_path, deep=True)
    assert caught.value.exit_status == 4
    assert list(tmp_path.glob(".verify-*")) == []


def test_an_altered_header_is_refused_with_a_line_naming_both_causes(backup: Path) -> None:
    data = backup.read_bytes()
    end = 12 + int.from_bytes(data[8:12], "big")
    header = json.loads(data[12:end])
    header["kdf"]["n"] //= 2  # cheaper to guess: caught, though the passphrase is right
    altered = json.dumps(header, sort_keys=True).encode()
    backup.write_bytes(data[:8] + len(altered).to_bytes(4, "big") + altered + data[end:])
    with pytest.raises(WrongPassphraseError) as caught:
        verify(backup, PASSPHRASE)
    assert caught.value.exit_status == 4
    assert "bị sửa" in str(caught.value)


def test_a_backup_under_another_passphrase_than_the_desks_is_refused(
    desk: DeskContext, backup: Path, tmp_path: Path
) -> None:
    with pytest.raises(WrongPassphraseError):
        create_backup(desk, tmp_path / "other.deskbak", "another passphrase", actor="x", kdf=KDF)
    assert not (tmp_path / "other.deskbak").exists()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:1000] + bytes([b[1000] ^ 1]) + b[1001:], id="flipped-bit"),
        pytest.param(lambda b: b[: len(b) - 500], id="cut-short"),
        pytest.param(lambda b: b + b"\x00" * 100, id="junk-after"),
        pytest.param(lambda b: b"NOTABACK" + b[8:], id="not-a-backup"),
    ],
)
def test_a_damaged_or_altered_backup_is_refused(
    backup: Path, tmp_path: Path, damage: object
) -> None:
    assert callable(damage)
    backup.write_bytes(damage(backup.read_bytes()))
    with pytest.raises(BackupDamagedError) as caught:
        verify(backup, PASSPHRASE)
    assert caught.value.exit_status == 3


def test_a_dropped_chunk_is_refused(desk: DeskContext, tmp_path: Path) -> None:
    # A database of several chunks: removing a whole middle chunk keeps every other
    # chunk authentic, so only the chunk numbering in the nonce can catch it.
    seed_demo(desk, 1500)
    out = tmp_path / "big.deskbak"
    create_backup(desk, out, PASSPHRASE, actor="x", kdf=KDF)
    data = out.read_bytes()
    starts = [12 + int.from_bytes(data[8:12], "big")]  # chunk 0: the database's key
    for _ in range(3):
        starts.append(starts[-1] + 4 + int.from_bytes(data[starts[-1] : starts[-1] + 4], "big"))
    assert starts[1] - starts[0] == 4 + 1 + 32 + 16, "the key record comes first"
    assert starts[2] - starts[1] == 4 + CHUNK + 16, "the database must span several chunks"
    out.write_bytes(data[: starts[2]] + data[starts[3] :])  # a whole data chunk dropped
    with pytest.raises(BackupDamagedError):
        verify(out, PASSPHRASE)


# ------------------------------------------------------------------ restore refusals


def test_another_desks_backup_is_refused_and_nothing_changes(backup: Path, tmp_path: Path) -> None:
    other = tmp_path / "desk2"
    ctx = DeskContext.open(other, FixedClock(NOW))
    ctx.profiles.save(
        Profile(commune_name="Xã Tân Phú", province="Đồng Nai", agency_code="000.20.33.H12",
                desk_number=2),
        utc_naive(ctx.clock),
    )  # fmt: skip
    ctx.close()
    before = (other / DATABASE_FILE).read_bytes()
    with pytest.raises(BackupMismatchError) as caught:
        prepare_restore(backup, PASSPHRASE, other)
    assert caught.value.exit_status == 2
    assert "quầy 2" in caught.value.message
    assert (other / DATABASE_FILE).read_bytes() == before
    assert sorted(p.name for p in other.iterdir()) == sorted([DATABASE_FILE, KEY_ID_FILE])


def test_a_backup_from_a_newer_app_is_refused(desk: DeskContext, tmp_path: Path) -> None:
    conn = connect_desk(desk.data_dir / DATABASE_FILE)
    conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    conn.commit()
    conn.close()
    out = tmp_path / "future.deskbak"
    create_backup(desk, out, PASSPHRASE, actor="x", kdf=KDF)
    with pytest.raises(BackupTooNewError, match="mới hơn") as caught:
        prepare_restore(out, PASSPHRASE, tmp_path / "fresh")
    assert isinstance(caught.value, InvalidInputError)


def test_restore_says_how_many_unsent_events_it_would_lose(desk: DeskContext, backup: Path) -> None:
    receive(desk, 2)  # after the backup, not sent anywhere
    plan = prepare_restore(backup, PASSPHRASE, desk.data_dir)
    try:
        assert plan.unsent_lost == 2
        assert plan.current_dossiers == 5
        assert any("2 thay đổi chưa gửi" in line for line in plan.describe())
    finally:
        plan.discard()


def test_restore_refuses_while_the_database_is_open_elsewhere(
    desk: DeskContext, backup: Path
) -> None:
    receive(desk, 1)
    before = codes(desk.data_dir)
    plan = prepare_restore(backup, PASSPHRASE, desk.data_dir)
    with pytest.raises(DatabaseInUseError):
        apply_restore(plan, FixedClock(NOW))  # ``desk`` holds it open
    plan.discard()
    assert codes(desk.data_dir) == before


def test_restore_keeps_the_replaced_database(desk: DeskContext, backup: Path) -> None:
    receive(desk, 1)
    folder = desk.data_dir
    desk.close()
    after_backup = codes(folder)
    plan = prepare_restore(backup, PASSPHRASE, folder)
    kept = apply_restore(plan, FixedClock(NOW))
    assert kept == folder / f"{DATABASE_FILE}.before-restore"
    assert len(codes(folder)) == 3
    conn = connect_desk(kept)
    assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == len(after_backup) == 4
    conn.close()


# ------------------------------------------------------------------ enrolled desk


def _enroll_by_hand(folder: Path) -> None:
    # As ``SyncEngine.enroll`` leaves it after the first whole pull.
    conn = connect_desk(folder / DATABASE_FILE)
    conn.execute(
        "INSERT INTO sync_state (id, server_url, token, desk_id, enrolled_at, pull_cursor, "
        "origin_seq_floor, full_pull_done) VALUES (1, 'http://127.0.0.1:9', 't', 'd', "
        "'2026-11-01 00:00:00', 0, 0, 1)"
    )
    conn.commit()
    conn.close()


def test_a_restored_enrolled_desk_holds_intake_until_its_history_is_pulled(
    desk: DeskContext, tmp_path: Path
) -> None:
    _enroll_by_hand(desk.data_dir)
    receive(desk, 1)
    out = tmp_path / "enrolled.deskbak"
    create_backup(desk, out, PASSPHRASE, actor="x", kdf=KDF)
    fresh = tmp_path / "fresh"
    apply_restore(prepare_restore(out, PASSPHRASE, fresh), FixedClock(NOW))
    restored = DeskContext.open(fresh, FixedClock(NOW))
    try:
        with pytest.raises(IntakeHeldError, match="đồng bộ") as caught:
            receive(restored, 1)
        assert caught.value.exit_status == 1
        assert len(codes(fresh)) == 1
        # The sync engine marks the whole pull done (and has raised the counters).
        conn = connect_desk(fresh / DATABASE_FILE)
        conn.execute("UPDATE sync_state SET full_pull_done = 1")
        conn.commit()
        conn.close()
        receive(restored, 1)
    finally:
        restored.close()
    assert len(codes(fresh)) == 2


# ------------------------------------------------------------------ consistency


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from desk_app.clock import FixedClock
    from desk_app.context import DeskContext
    from tests.unit.intake_fixtures import NOW, OFFICER, request

    folder, stop = Path(sys.argv[1]), Path(sys.argv[2])
    ctx = DeskContext.open(folder, FixedClock(NOW))
    n = 0
    while not stop.exists() and n < 900:
        ctx.intake.receive(request(), OFFICER)
        n += 1
        if n == 5:
            print("writing", flush=True)
    ctx.close()
    print(n, flush=True)
    """
)


@pytest.fixture
def writer(desk_folder: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    stop = tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(desk_folder), str(stop)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    yield proc
    stop.touch()
    proc.wait(timeout=60)


def test_a_backup_taken_while_another_process_writes_is_one_moment(
    desk: DeskContext, writer: subprocess.Popen[str], tmp_path: Path
) -> None:
    db_file = desk.data_dir / DATABASE_FILE
    before = query(db_file, "SELECT count(*) FROM dossiers")[0][0]
    out = tmp_path / "live.deskbak"
    manifest = create_backup(desk, out, PASSPHRASE, actor="x", kdf=KDF)
    deadline = time.monotonic() + 60  # the writer goes on past the backup's moment
    after = before
    while after <= manifest.dossier_count and time.monotonic() < deadline:
        time.sleep(0.05)
        after = query(db_file, "SELECT count(*) FROM dossiers")[0][0]
    assert writer.poll() is None, "the writer must still be writing"
    assert before <= manifest.dossier_count <= after
    assert after > before, "nothing was written during the backup: it proves nothing"
    fresh = tmp_path / "fresh"
    apply_restore(prepare_restore(out, PASSPHRASE, fresh), FixedClock(NOW))
    restored = fresh / DATABASE_FILE
    assert query(restored, "PRAGMA integrity_check") == [("ok",)]
    # Every dossier with its event and its receipt, and nothing half-written.
    assert query(
        restored,
        "SELECT (SELECT count(*) FROM dossiers), "
        "(SELECT count(*) FROM events WHERE kind = 'dossier.received'), "
        "(SELECT count(*) FROM receipts)",
    ) == [(manifest.dossier_count,) * 3]


# ------------------------------------------------------------------ daily backups


def test_daily_backups_keep_the_newest_n_each_verified(
    desk: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    configure(desk, PASSPHRASE, folder=folder, keep=3)
    start = utc_naive(desk.clock)
    made = []
    for day in range(5):
        now = start + dt.timedelta(days=day)
        outcome = run_scheduled_backup(desk, now, kdf=KDF)
        assert outcome.ran, outcome.reason
        assert outcome.file is not None
        made.append(outcome.file)
        again = run_scheduled_backup(desk, now + dt.timedelta(hours=3), kdf=KDF)
        assert not again.ran  # one a day
    assert sorted(folder.iterdir()) == made[-3:]
    for f in made[-3:]:
        verify(f, PASSPHRASE, tmp_path, deep=True)
    status = backup_status(desk)
    assert (status.folder, status.keep, status.last_file) == (str(folder), 3, str(made[-1]))
    assert status.last_error is None
    assert last_good_backup(desk.data_dir) == made[-1]


def test_a_new_passphrase_must_be_long_enough(tmp_path: Path) -> None:
    ctx = build_desk(tmp_path / "d", users=False)
    try:
        with pytest.raises(InvalidInputError, match="ít nhất"):
            create_backup(ctx, tmp_path / "x.deskbak", "short", actor="x", kdf=KDF)
    finally:
        ctx.close()


def test_a_backup_from_before_enrolment_keeps_the_desks_link_and_holds_intake(
    desk: DeskContext, backup: Path
) -> None:
    folder = desk.data_dir
    _enroll_by_hand(folder)  # enrolled after the backup was taken
    desk.close()
    apply_restore(prepare_restore(backup, PASSPHRASE, folder), FixedClock(NOW))
    assert query(
        folder / DATABASE_FILE,
        "SELECT server_url, pull_cursor, full_pull_done, restored_at IS NOT NULL FROM sync_state",
    ) == [("http://127.0.0.1:9", 0, 0, 1)]
    restored = DeskContext.open(folder, FixedClock(NOW))
    try:
        with pytest.raises(IntakeHeldError):
            receive(restored, 1)
    finally:
        restored.close()


def test_plain_copies_left_by_a_killed_backup_are_removed_by_the_next(
    desk: DeskContext, tmp_path: Path
) -> None:
    stale = desk.data_dir / ".backup-killed.sqlite3"
    stale.write_bytes(b"SQLite format 3\x00 citizens in clear")
    fresh = desk.data_dir / ".restore-running.sqlite3"
    fresh.write_bytes(b"in use")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    create_backup(desk, tmp_path / "b.deskbak", PASSPHRASE, actor="x", kdf=KDF)
    assert not stale.exists()
    assert fresh.exists()  # maybe another restore at work right now


def test_a_write_failing_behind_the_backup_is_raised_and_blocks_nothing() -> None:
    # The writes run on a thread of their own: a failure there must reach the backup,
    # and the chunks still queued must not wait forever for a writer that stopped. The
    # pipe is not read, so the writer blocks on its first chunk while the queue fills;
    # then its reader goes away and every write fails (a broken pipe, a real OSError).
    read_end, write_end = os.pipe()
    raised: list[BaseException] = []
    sinks: list[Any] = []

    def back_up() -> None:
        try:
            with (
                os.fdopen(write_end, "wb", buffering=0) as out,
                backup_module._written_behind(out) as sink,
            ):
                sinks.append(sink)
                for _ in range(4 * backup_module._WRITES_AHEAD):
                    sink.write(b"x" * CHUNK)
        except BaseException as exc:
            raised.append(exc)

    backup_thread = threading.Thread(target=back_up, daemon=True)
    backup_thread.start()
    while not (sinks and sinks[0]._queue.full()):
        time.sleep(0.01)  # until the writer is stuck on the pipe and the queue is full
    os.close(read_end)
    backup_thread.join(timeout=60)
    assert not backup_thread.is_alive(), "the backup waits forever on a writer that stopped"
    assert len(raised) == 1 and isinstance(raised[0], BrokenPipeError), raised


# ------------------------------------------------------------------ format 2: the desk's own pages


def _records(backup_file: Path) -> list[tuple[bytes, bytes]]:
    with backup_file.open("rb") as source:
        return list(read_backup(source, PASSPHRASE))


def test_the_sealed_database_is_the_desks_encrypted_file_with_its_key(
    desk: DeskContext, backup: Path
) -> None:
    records = _records(backup)
    assert [k for k, _ in records[:1]] == [backup_format.KEY]
    assert records[0][1] == keys.load_key(desk.data_dir)
    data = b"".join(p for k, p in records if k == backup_format.DATA)
    # Even decrypted under the passphrase, the database bytes are SQLCipher pages.
    assert not data.startswith(b"SQLite format 3")
    assert b"079301001234" not in data
    assert "Trần Thị Hồng Nhung".encode() not in data


def test_no_plain_copy_is_written_while_backing_up(
    desk: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(desk, 2)
    seen: list[Path] = []
    pinned_file = backup_module._pinned_file

    @contextlib.contextmanager
    def watching(db_file: Path, key: bytes | None) -> Iterator[tuple[object, Path]]:
        with pinned_file(db_file, key) as (reader, pinned):
            seen.extend(p for p in desk.data_dir.iterdir() if p.is_file())
            yield reader, pinned

    monkeypatch.setattr(backup_module, "_pinned_file", watching)
    create_backup(desk, tmp_path / "b.deskbak", PASSPHRASE, actor="x", kdf=KDF)
    assert seen, "the backup must go through the pinned file"
    for path in seen:
        assert not path.read_bytes().startswith(b"SQLite format 3"), path.name


def _reseal(backup_file: Path, target: Path, alter: Callable[[bytes], bytes]) -> None:
    """``backup_file`` sealed again under the same passphrase with its database bytes
    altered: every AEAD tag is right, so only the pages' own checks can catch it."""
    records = _records(backup_file)
    data = alter(b"".join(p for k, p in records if k == backup_format.DATA))
    with target.open("wb") as out:
        writer = backup_format.BackupWriter(out, PASSPHRASE, KDF)
        writer.write_key(records[0][1])
        writer.write_data(data)
        writer.finish(json.loads(records[-1][1]))


def test_a_tampered_page_fails_the_deep_check_and_restore(
    desk: DeskContext, backup: Path, tmp_path: Path
) -> None:
    forged = tmp_path / "forged.deskbak"
    page = 4096
    _reseal(
        backup,
        forged,
        lambda b: b[: 2 * page + 100] + bytes([b[2 * page + 100] ^ 1]) + b[2 * page + 101 :],
    )
    verify(forged, PASSPHRASE)  # the seal is right: the light check cannot see a page
    with pytest.raises(BackupDamagedError) as caught:
        verify(forged, PASSPHRASE, tmp_path, deep=True)
    assert caught.value.exit_status == 3
    with pytest.raises(BackupDamagedError):
        prepare_restore(forged, PASSPHRASE, tmp_path / "fresh")
    assert list(tmp_path.glob(".verify-*")) == []


def test_a_backup_restores_on_a_machine_without_the_desks_key(
    desk: DeskContext, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = codes(desk.data_dir)
    key_dir = tmp_path / "other-machine-keys"
    monkeypatch.setenv(keys.KEY_DIR_ENV, str(key_dir))  # the desk's key is not here
    fresh = tmp_path / "fresh"
    apply_restore(prepare_restore(backup, PASSPHRASE, fresh), FixedClock(NOW))
    assert [p.suffix for p in key_dir.iterdir()] == [".key"]  # the backup's key, adopted
    assert codes(fresh) == expected
    restored = DeskContext.open(fresh, FixedClock(NOW))
    try:
        receive(restored, 1)
    finally:
        restored.close()


def test_restoring_over_a_database_under_another_key_keeps_it_openable(
    desk: DeskContext, backup: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    DeskContext.open(other, FixedClock(NOW)).close()  # a new desk: its own key, no profile
    old_key = keys.load_key(other)
    assert old_key is not None and old_key != keys.load_key(desk.data_dir)
    kept = apply_restore(prepare_restore(backup, PASSPHRASE, other), FixedClock(NOW))
    assert kept is not None
    assert keys.load_key(other) == keys.load_key(desk.data_dir)
    assert codes(other) == codes(desk.data_dir)
    # The replaced file stays under its own key, whose name is kept beside it.
    kept_id = kept.with_name(kept.name + ".keyid").read_text().strip()
    conn = cipher.connect(kept, bytes.fromhex((keys.key_folder() / f"{kept_id}.key").read_text()))
    try:
        assert conn.execute("SELECT count(*) FROM dossiers").fetchone() == (0,)
    finally:
        conn.close()


def test_a_backup_while_a_long_reader_holds_the_log_is_still_one_moment(
    desk: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reader that started before the last writes keeps them in the log: the file cannot
    # be pinned, so the pages are copied by SQLite's backup API (under the same key).
    receive(desk, 1)
    reader = connect_desk(desk.data_dir / DATABASE_FILE, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM dossiers").fetchone()
    receive(desk, 2)
    pinned: list[bool] = []
    pin = backup_module._pin

    def spy(*args: object) -> bool:
        pinned.append(pin(*args))  # type: ignore[arg-type]
        return pinned[-1]

    monkeypatch.setattr(backup_module, "_pin", spy)
    try:
        out = tmp_path / "b.deskbak"
        manifest = create_backup(desk, out, PASSPHRASE, actor="x", kdf=KDF)
    finally:
        reader.close()
    assert pinned == [False]
    assert manifest.dossier_count == 3
    fresh = tmp_path / "fresh"
    apply_restore(prepare_restore(out, PASSPHRASE, fresh), FixedClock(NOW))
    assert codes(fresh) == codes(desk.data_dir)
    assert [p.name for p in desk.data_dir.iterdir() if p.name.startswith(".backup-")] == []


def test_a_format_1_backup_of_a_plain_file_still_restores(
    desk: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(desk, 2)
    plain = tmp_path / "plain.sqlite3"
    conn = connect_desk(desk.data_dir / DATABASE_FILE)
    try:
        cipher.export(conn, plain, None)
        fields = backup_module._describe(conn, NOW)
    finally:
        conn.close()
    data = plain.read_bytes()
    old = tmp_path / "old.deskbak"
    monkeypatch.setattr(backup_format, "FORMAT_VERSION", 1)
    with old.open("wb") as out:
        writer = backup_format.BackupWriter(out, PASSPHRASE, KDF)
        writer.write_data(data)
        writer.finish(
            {**fields, "db_sha256": hashlib.sha256(data).hexdigest(), "db_size": len(data)}
        )
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    apply_restore(prepare_restore(old, PASSPHRASE, fresh), FixedClock(NOW))
    assert codes(fresh) == codes(desk.data_dir)
    assert not cipher.is_plaintext(fresh / DATABASE_FILE)


def test_a_log_left_beside_a_damaged_database_is_not_replayed_over_the_restore(
    desk: DeskContext, backup: Path
) -> None:
    folder = desk.data_dir
    desk.close()
    db_file = folder / DATABASE_FILE
    wal = db_file.with_name(DATABASE_FILE + "-wal")
    # A change committed into the log only, as a crash would leave it.
    conn = connect_desk(db_file)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(
        "UPDATE dossiers SET applicant_name = 'TRONG NHẬT KÝ' "
        "WHERE code = (SELECT min(code) FROM dossiers)"
    )
    conn.commit()
    left_log = wal.read_bytes()
    conn.close()
    assert len(left_log) > 32  # committed frames, not just a header
    # Then the database file itself is damaged, its log left beside it.
    with db_file.open("r+b") as handle:
        handle.write(os.urandom(8192))
    wal.write_bytes(left_log)

    plan = prepare_restore(backup, PASSPHRASE, folder)
    kept = apply_restore(plan, FixedClock(NOW))
    assert kept is not None and kept.exists()
    assert query(db_file, "PRAGMA integrity_check") == [("ok",)]
    names = [name for _, name in codes(folder)]
    assert len(names) == 3 and "TRONG NHẬT KÝ" not in names
    assert not wal.exists() or query(db_file, "SELECT count(*) FROM dossiers") == [(3,)]
