"""Backups and restore on real database files: consistent while another process writes,
encrypted, verified, refused when wrong, restored whole; daily rotation.

Cheaper scrypt parameters (``KDF``) where the cost of the key is not what is tested.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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
from desk_app.backup_format import CHUNK
from desk_app.clock import FixedClock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
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
    header_end = 12 + int.from_bytes(data[8:12], "big")
    first = int.from_bytes(data[header_end : header_end + 4], "big")
    assert first == CHUNK + 16, "the test database must span more than one chunk"
    second_start = header_end + 4 + first
    second = int.from_bytes(data[second_start : second_start + 4], "big")
    out.write_bytes(data[:second_start] + data[second_start + 4 + second :])
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


def test_without_a_credential_store_the_daily_backup_says_why(
    desk: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        folder = tmp_path / "usb"
        folder.mkdir()
        assert configure(desk, PASSPHRASE, folder=folder, keep=2) is False
        outcome = run_scheduled_backup(desk)
    finally:
        keyring.set_keyring(previous)
    assert not outcome.ran
    assert "kho mật khẩu" in outcome.reason
    assert list(folder.iterdir()) == []
    assert backup_status(desk).last_error == outcome.reason


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
