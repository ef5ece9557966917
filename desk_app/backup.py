"""Backups of the desk database (sao lưu): online, consistent, encrypted, verified.

* **Online and consistent.** SQLite's backup API copies the database in one step from a
  connection of its own: one read transaction, so the copy is the database at one moment,
  while the app goes on writing (WAL readers do not block writers).
* **Encrypted** under the administrator's passphrase (``desk_app.backup_format``), so a
  backup on a USB disk leaks nothing and restores on a fresh machine. The plain copy
  exists only for the time of the backup, in the data folder (0700, this account's
  only); the database itself is encrypted at rest (``db.cipher``), and a restored
  database is encrypted under this desk's key before it replaces the current one.
* **Verified**: every chunk decrypts and authenticates, the database's SHA-256 matches
  the manifest inside, and SQLite's integrity check passes.
* **Restore** needs no account (whoever can run it on this machine can replace the file
  anyway: the passphrase is the gate). It refuses another commune's or desk's backup and
  one newer than this app,
  says first how many unsent events it would lose, swaps the database file in one
  rename (the replaced file stays as ``desk.sqlite3.before-restore``), and on an
  enrolled desk holds intake until the desk has pulled its history
  (``desk_app.intake_hold``).

The passphrase is never stored in clear in the data folder: only an Argon2id verifier,
so a mistyped passphrase is caught before it makes a backup nobody can open (whoever
reads the verifier holds the database itself anyway). For unattended daily backups the
passphrase sits in the operating system's credential store (``keyring``: Windows
Credential Manager, macOS Keychain, Secret Service); where there is none, the daily
backup is skipped with a status saying so, or reads ``$DESK_APP_BACKUP_PASSPHRASE``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from desk_app import __version__
from desk_app.backup_format import (
    CHUNK,
    DATA,
    MANIFEST,
    BackupDamagedError,
    BackupWriter,
    KdfParams,
    WrongPassphraseError,
    read_backup,
)
from desk_app.clock import Clock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.db import cipher, keys
from desk_app.db.migrate import KNOWN_REVISIONS
from desk_app.errors import (
    InvalidInputError,
    OperationalError,
    StorageDamagedError,
    StorageError,
    StorageFullError,
)
from desk_app.files import atomic_output, check_output_path, fsync_folder, storage_error

if TYPE_CHECKING:
    from desk_app.context import DeskContext

__all__ = [
    "BackupDamagedError",
    "KdfParams",
    "WrongPassphraseError",
]

PASSPHRASE_ENV = "DESK_APP_BACKUP_PASSPHRASE"
MIN_PASSPHRASE = 10
SUFFIX = ".deskbak"
BEFORE_RESTORE = ".before-restore"
# Beside the database, readable when the database itself is damaged: the backups known
# to be good, newest last.
INDEX_FILE = "backups.json"
KEYRING_SERVICE = "desk-app-backup"
DAILY = dt.timedelta(days=1)

_verifier = PasswordHasher()


class BackupMismatchError(InvalidInputError):
    """The backup belongs to another commune or desk."""

    default_code = "backup.other_desk"


class BackupTooNewError(InvalidInputError):
    """The backup was made by a newer version of the app."""

    default_code = "backup.too_new"


class DatabaseInUseError(OperationalError):
    """The database is open in another program (the desk window, a sync)."""

    default_code = "backup.database_in_use"


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, stored encrypted inside it."""

    app_version: str
    schema_revision: str
    agency_code: str | None
    desk_number: int | None
    created_at: str  # ISO 8601, UTC
    dossier_count: int
    event_count: int
    unsent_events: int
    db_sha256: str
    db_size: int

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            return cls(**json.loads(data))
        except (ValueError, TypeError) as exc:
            raise BackupDamagedError("phần mô tả trong bản sao lưu bị hỏng") from exc


# ------------------------------------------------------------------ passphrase


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInputError(
            f"cụm mật khẩu sao lưu cần ít nhất {MIN_PASSPHRASE} ký tự", code="backup.passphrase"
        )


def _update_settings(ctx: DeskContext, **values: object) -> None:
    from desk_app.db.models import BackupSettings

    with ctx.db.write() as s:
        row = s.get(BackupSettings, 1)
        if row is None:
            row = BackupSettings(id=1, keep=7)
            s.add(row)
        for name, value in values.items():
            setattr(row, name, value)


def _settings(ctx: DeskContext) -> BackupSettingsView:
    from desk_app.db.models import BackupSettings

    with ctx.db.read() as s:
        row = s.get(BackupSettings, 1)
        if row is None:
            return BackupSettingsView(None, 7, None, None, None, None, None)
        return BackupSettingsView(
            row.folder, row.keep, row.passphrase_verifier, row.last_success_at,
            row.last_file, row.last_error, row.last_error_at,
        )  # fmt: skip


@dataclass(frozen=True)
class BackupSettingsView:
    folder: str | None
    keep: int
    verifier: str | None
    last_success_at: dt.datetime | None
    last_file: str | None
    last_error: str | None
    last_error_at: dt.datetime | None


def check_passphrase(ctx: DeskContext, passphrase: str) -> bool:
    """Whether ``passphrase`` is the desk's backup passphrase; sets it when none is set.

    Returns True when it was set now (the caller asked it twice, or trusts its source).
    """
    verifier = _settings(ctx).verifier
    if verifier is None:
        check_passphrase_strength(passphrase)
        _update_settings(ctx, passphrase_verifier=_verifier.hash(passphrase))
        return True
    try:
        _verifier.verify(verifier, passphrase)
    except (VerificationError, InvalidHashError):
        raise WrongPassphraseError(
            "cụm mật khẩu sao lưu không đúng với cụm quản trị viên đã đặt cho máy này"
        ) from None
    return False


def passphrase_is_set(ctx: DeskContext) -> bool:
    return _settings(ctx).verifier is not None


# ------------------------------------------------------------------ backup


def _live(db_file: Path, *, timeout: float = 30.0, isolation_level: str | None = "") -> Any:
    """A connection to the desk's own (encrypted) database file. Raises
    ``keys.DatabaseKeyMissingError`` where this account does not hold its key."""
    key = keys.load_key(db_file.parent)
    return cipher.connect(db_file, key, timeout=timeout, isolation_level=isolation_level)


_UNREADABLE: tuple[type[BaseException], ...] = (
    *cipher.DATABASE_ERRORS,
    keys.DatabaseKeyMissingError,
)


def _snapshot(db_file: Path, target: Path) -> None:
    """Copy the database at one moment into the plain file ``target``: one read
    transaction, while the app goes on writing."""
    source = _live(db_file)
    try:
        target.unlink(missing_ok=True)
        cipher.export(source, target, None)
    except cipher.OPERATIONAL_ERRORS as exc:
        if "full" in str(exc):
            raise StorageFullError(
                "đĩa đầy: không đủ chỗ cho bản sao tạm của cơ sở dữ liệu"
            ) from exc
        raise StorageError(f"không đọc được cơ sở dữ liệu để sao lưu: {exc}") from exc
    except cipher.DATABASE_ERRORS as exc:
        raise StorageDamagedError(f"cơ sở dữ liệu bị hỏng, không sao lưu được: {exc}") from exc
    finally:
        source.close()


def _describe(db_file: Path, created_at: dt.datetime) -> dict[str, Any]:
    conn = sqlite3.connect(db_file)
    try:
        one = conn.execute
        revision = one("SELECT version_num FROM alembic_version").fetchone()
        profile = one("SELECT agency_code, desk_number FROM commune_profile LIMIT 1").fetchone()
        return {
            "app_version": __version__,
            "schema_revision": revision[0] if revision else "",
            "agency_code": profile[0] if profile else None,
            "desk_number": profile[1] if profile else None,
            "created_at": created_at.replace(tzinfo=dt.UTC).isoformat(),
            "dossier_count": one("SELECT count(*) FROM dossiers").fetchone()[0],
            "event_count": one("SELECT count(*) FROM events").fetchone()[0],
            "unsent_events": one(
                "SELECT count(*) FROM events WHERE is_local AND pushed_at IS NULL"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def remove_database_file(path: Path) -> None:
    """Remove a SQLite file with its journal, WAL and shared-memory files."""
    for extra in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


def _remove_stale_copies(folder: Path) -> None:
    """Plain copies left by a backup, check or restore that was killed half-way: they
    hold the citizens' data in clear, so they do not stay (a day old: surely not in use)."""
    limit = time.time() - DAILY.total_seconds()
    for pattern in (".backup-*", ".verify-*", ".restore-*"):
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()


@contextlib.contextmanager
def _plain_temp(folder: Path, prefix: str) -> Iterator[Path]:
    """A temporary database file in ``folder``, removed (with its journals) afterwards."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".sqlite3", dir=folder)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        remove_database_file(path)


def create_backup(
    ctx: DeskContext, out: Path, passphrase: str, *, actor: str, kdf: KdfParams | None = None
) -> Manifest:
    """Write an encrypted backup of the desk's database to ``out``, then verify it.

    ``out`` appears whole or not at all. The passphrase must be the one set for this desk
    (it is set by the first backup when none is).
    """
    check_output_path(out)
    check_passphrase(ctx, passphrase)
    _remove_stale_copies(ctx.data_dir)
    created = utc_naive(ctx.clock)
    db_file = ctx.data_dir / DATABASE_FILE
    with _plain_temp(ctx.data_dir, ".backup-") as plain:
        _snapshot(db_file, plain)
        fields = _describe(plain, created)
        digest = hashlib.sha256()
        size = 0
        with atomic_output(out) as sink, plain.open("rb") as source:
            writer = BackupWriter(sink, passphrase, kdf)
            while block := source.read(CHUNK - 1):
                digest.update(block)
                size += len(block)
                writer.write_data(block)
            manifest = Manifest(**fields, db_sha256=digest.hexdigest(), db_size=size)
            writer.finish(asdict(manifest))
    verify(out, passphrase)  # what was written reads back whole, before it counts
    _remember_good(ctx.data_dir, out, manifest)
    from desk_app import audit

    with ctx.db.write() as s:
        audit.record(
            s, at_utc=created, username=actor, action="backup", object_type="database",
            object_ref=out.name[:100], detail=f"{manifest.dossier_count} dossiers",
        )  # fmt: skip
    return manifest


# ------------------------------------------------------------------ verify


def _decrypt_to(backup: Path, passphrase: str, sink: BinaryIO | None) -> Manifest:
    """Decrypt ``backup`` (into ``sink`` if given) and check it against its manifest."""
    digest = hashlib.sha256()
    size = 0
    first = b""
    manifest_bytes = b""
    try:
        with backup.open("rb") as source:
            for kind, payload in read_backup(source, passphrase):
                if kind == DATA:
                    if not first:
                        first = payload[:100]
                    digest.update(payload)
                    size += len(payload)
                    if sink is not None:
                        sink.write(payload)
                elif kind == MANIFEST:
                    manifest_bytes = payload
    except FileNotFoundError:
        raise InvalidInputError(f"không có tệp {backup}", code="backup.not_found") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{backup} là thư mục", code="backup.not_found") from None
    except OSError as exc:  # a full disk under the decrypted copy, a failing USB disk
        raise storage_error(backup, exc) from exc
    manifest = Manifest.from_json(manifest_bytes)
    if manifest.db_sha256 != digest.hexdigest() or manifest.db_size != size:
        raise BackupDamagedError("dữ liệu trong bản sao lưu không khớp với phần mô tả")
    _check_header(first, size)
    return manifest


def _check_header(first: bytes, size: int) -> None:
    """The SQLite file header agrees with the file's length (a cheap structural check)."""
    if len(first) < 100 or not first.startswith(b"SQLite format 3\x00"):
        raise BackupDamagedError("bản sao lưu không chứa cơ sở dữ liệu SQLite")
    page_size = int.from_bytes(first[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(first[28:32], "big")
    # The in-header page count is valid when the change counter matches "version valid for".
    if first[24:28] == first[92:96] and pages * page_size != size:
        raise BackupDamagedError("cơ sở dữ liệu trong bản sao lưu bị cắt cụt")


def _integrity(db_file: Path) -> None:
    conn = sqlite3.connect(db_file)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupDamagedError(f"cơ sở dữ liệu trong bản sao lưu bị hỏng: {exc}") from exc
    finally:
        conn.close()
    if result != ["ok"]:
        raise BackupDamagedError(
            f"cơ sở dữ liệu trong bản sao lưu không toàn vẹn: {'; '.join(result[:3])}"
        )


def verify(
    backup: Path, passphrase: str, work_dir: Path | None = None, *, deep: bool = False
) -> Manifest:
    """Check ``backup`` whole: every chunk decrypts and authenticates (nothing altered,
    dropped or cut), the database's SHA-256 and size match the manifest, and the SQLite
    header agrees with the size. Nothing is written.

    ``deep`` also decrypts into a temporary file in ``work_dir`` and runs SQLite's
    integrity check (every page, every index against its table) — as restore always does.
    Raises ``WrongPassphraseError`` (exit 4) or ``BackupDamagedError`` (exit 3).
    """
    if not deep:
        return _decrypt_to(backup, passphrase, None)
    if work_dir is None:
        raise ValueError("a deep check needs a work folder")
    work_dir.mkdir(parents=True, exist_ok=True)
    with _plain_temp(work_dir, ".verify-") as plain:
        with plain.open("wb") as sink:
            manifest = _decrypt_to(backup, passphrase, sink)
        _integrity(plain)
    return manifest


# ------------------------------------------------------------------ restore


@dataclass
class RestorePlan:
    """A verified backup staged beside the database, and what restoring it would do."""

    backup: Path
    manifest: Manifest
    staged: Path
    data_dir: Path
    unsent_lost: int
    current_dossiers: int | None

    def describe(self) -> list[str]:
        m = self.manifest
        lines = [
            f"Bản sao lưu lúc {m.created_at} (UTC): {m.dossier_count} hồ sơ, "
            f"đơn vị {m.agency_code or '—'}, quầy {m.desk_number or '—'}.",
        ]
        if self.current_dossiers is not None:
            lines.append(f"Cơ sở dữ liệu hiện tại có {self.current_dossiers} hồ sơ.")
        if self.unsent_lost:
            lines.append(
                f"CẢNH BÁO: {self.unsent_lost} thay đổi chưa gửi lên máy chủ sẽ bị mất "
                "khi khôi phục."
            )
        else:
            lines.append("Không có thay đổi chưa gửi nào bị mất.")
        return lines

    def discard(self) -> None:
        remove_database_file(self.staged)


def _current_identity(db_file: Path) -> tuple[str | None, int | None, int | None]:
    """Agency code, desk number and dossier count of the current database, if readable."""
    if not db_file.exists():
        return None, None, None
    try:
        conn = _live(db_file)
        try:
            profile = conn.execute(
                "SELECT agency_code, desk_number FROM commune_profile LIMIT 1"
            ).fetchone()
            count = conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        finally:
            conn.close()
    except _UNREADABLE:
        return None, None, None  # damaged, not set up or its key lost: nothing to compare
    if profile is None:
        return None, None, int(count)
    return str(profile[0]), int(profile[1]), int(count)


def _unsent_lost(db_file: Path, staged: Path) -> int:
    """Events recorded here, not acknowledged by the server, and absent from the backup."""
    if not db_file.exists():
        return 0
    try:
        conn = _live(db_file)
        try:
            # KEY '': the staged copy is a plain file (else it would take main's key).
            conn.execute("ATTACH DATABASE ? AS bak KEY ''", (str(staged),))
            return int(
                conn.execute(
                    "SELECT count(*) FROM main.events e WHERE e.is_local AND e.pushed_at IS NULL "
                    "AND NOT EXISTS (SELECT 1 FROM bak.events b WHERE b.uuid = e.uuid)"
                ).fetchone()[0]
            )
        finally:
            conn.close()
    except _UNREADABLE:
        return 0  # a damaged database: what it holds cannot be counted, nor kept


def prepare_restore(backup: Path, passphrase: str, data_dir: Path) -> RestorePlan:
    """Decrypt and verify ``backup`` into the data folder and check it may replace the
    database there; nothing is replaced yet (see ``apply_restore``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=data_dir)
    os.close(fd)
    staged = Path(name)
    plan: RestorePlan | None = None
    try:
        with staged.open("wb") as sink:
            manifest = _decrypt_to(backup, passphrase, sink)
        _integrity(staged)
        if manifest.schema_revision not in KNOWN_REVISIONS:
            raise BackupTooNewError(
                f"bản sao lưu do phiên bản mới hơn của phần mềm tạo (lược đồ "
                f"{manifest.schema_revision}, phần mềm {__version__}): hãy cài phiên bản mới "
                "trước khi khôi phục"
            )
        db_file = data_dir / DATABASE_FILE
        agency, desk, count = _current_identity(db_file)
        if agency is not None and (agency, desk) != (manifest.agency_code, manifest.desk_number):
            raise BackupMismatchError(
                f"bản sao lưu của đơn vị {manifest.agency_code} quầy {manifest.desk_number}, "
                f"còn máy này là đơn vị {agency} quầy {desk}: không khôi phục"
            )
        plan = RestorePlan(backup, manifest, staged, data_dir, _unsent_lost(db_file, staged), count)
        return plan
    finally:
        if plan is None:
            remove_database_file(staged)


def _prepare_staged(plan: RestorePlan, clock: Clock) -> None:
    """Bring the staged copy to this app's schema and, if enrolled, hold its intake."""
    from desk_app.db.engine import make_engine
    from desk_app.db.migrate import upgrade_to_head

    engine = make_engine(plan.staged, key=None)
    try:
        upgrade_to_head(engine)
        with engine.begin() as conn:
            link = _sync_link(plan.data_dir / DATABASE_FILE)
            if link is not None:
                # A backup from before this desk enrolled: keep the link to the server, so
                # the desk pulls its history (and its numbers) before it receives again.
                conn.exec_driver_sql(
                    "INSERT OR IGNORE INTO sync_state (id, server_url, token, ca_file, "
                    "desk_id, enrolled_at, pull_cursor, origin_seq_floor, full_pull_done) "
                    "VALUES (1, ?, ?, ?, ?, ?, 0, ?, 0)",
                    link,
                )
            conn.exec_driver_sql(
                "UPDATE sync_state SET restored_at = ?, full_pull_done = 0 WHERE id = 1",
                (utc_naive(clock),),
            )
    finally:
        engine.dispose()
    # Encrypted under this desk's key (a new one on a fresh machine, or where the old
    # key is lost) before it goes anywhere near the database's name.
    try:
        key = keys.load_key(plan.data_dir)
    except keys.DatabaseKeyMissingError:
        key = None
    if key is None:
        key = keys.new_key(plan.data_dir)
    encrypted = plan.staged.with_name(plan.staged.name + ".enc")
    remove_database_file(encrypted)
    plain = cipher.connect(plan.staged, None, isolation_level=None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cipher.export(plain, encrypted, key)
    finally:
        plain.close()
    conn2 = cipher.connect(encrypted, key, isolation_level=None)
    try:
        conn2.execute("PRAGMA journal_mode=WAL")
    finally:
        conn2.close()
    remove_database_file(plan.staged)
    os.replace(encrypted, plan.staged)
    fd = os.open(plan.staged, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_link(db_file: Path) -> tuple[Any, ...] | None:
    """The current database's link to the server (URL, token, CA, desk id, enrolment
    time, sequence floor), if it is enrolled and readable."""
    if not db_file.exists():
        return None
    try:
        conn = _live(db_file)
        try:
            row = conn.execute(
                "SELECT server_url, token, ca_file, desk_id, enrolled_at, origin_seq_floor "
                "FROM sync_state WHERE id = 1"
            ).fetchone()
        finally:
            conn.close()
    except _UNREADABLE:
        return None  # damaged or older than the sync tables: nothing to keep
    return tuple(row) if row else None


def apply_restore(plan: RestorePlan, clock: Clock) -> Path | None:
    """Replace the database with the staged backup in one rename.

    Refused while another program has the database open. Returns the kept copy of the
    replaced database (``desk.sqlite3.before-restore``), or None if there was none.
    """
    _prepare_staged(plan, clock)
    db_file = plan.data_dir / DATABASE_FILE
    kept = db_file.with_name(DATABASE_FILE + BEFORE_RESTORE)
    lock: Any = None
    try:
        if db_file.exists():
            # An exclusive lock fails while any other connection is open, even idle; held
            # until the swap is done, so nothing writes to the replaced file meanwhile.
            try:
                lock = _live(db_file, timeout=2, isolation_level=None)
            except keys.DatabaseKeyMissingError:
                lock = cipher.connect(db_file, None, timeout=2, isolation_level=None)
            try:
                lock.execute("PRAGMA locking_mode=EXCLUSIVE")
                lock.execute("BEGIN EXCLUSIVE")
                # In exclusive locking mode the lock outlives the transaction.
                lock.execute("COMMIT")
            except cipher.OPERATIONAL_ERRORS as exc:
                if "database is locked" in str(exc):
                    raise DatabaseInUseError(
                        "cơ sở dữ liệu đang được mở (cửa sổ phần mềm hoặc đồng bộ): hãy đóng "
                        "phần mềm rồi khôi phục lại"
                    ) from exc
                # Otherwise the database is damaged: it is replaced as it is.
            except cipher.DATABASE_ERRORS:
                pass  # damaged ("file is not a database"): replaced as it is
            else:
                # Everything committed into the file itself before it is set aside.
                lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            kept.unlink(missing_ok=True)
            try:
                os.link(db_file, kept)
            except OSError:
                import shutil

                shutil.copy2(db_file, kept)
        if lock is not None and os.name == "nt":
            # Windows cannot replace a file that is open, even by us: let go just before.
            lock.close()
            lock = None
        os.replace(plan.staged, db_file)
        remove_database_file(plan.staged)  # its journals, if any are left
        fsync_folder(plan.data_dir)
    except OSError as exc:
        plan.discard()
        raise StorageError(f"không thay được cơ sở dữ liệu: {exc.strerror or exc}") from exc
    finally:
        if lock is not None:
            with contextlib.suppress(*cipher.ERRORS):
                lock.close()
    return kept if kept.exists() else None


def record_restore(ctx: DeskContext, plan: RestorePlan, actor: str) -> None:
    """Audit the restore in the restored database."""
    from desk_app import audit

    with ctx.db.write() as s:
        audit.record(
            s, at_utc=utc_naive(ctx.clock), username=actor, action="restore",
            object_type="database", object_ref=plan.backup.name[:100],
            detail=f"{plan.manifest.created_at}; {plan.unsent_lost} unsent events lost",
        )  # fmt: skip


# ------------------------------------------------------------------ good backups


def _remember_good(data_dir: Path, backup: Path, manifest: Manifest) -> None:
    index = data_dir / INDEX_FILE
    entries = known_good_backups(data_dir)
    entries = [e for e in entries if e["file"] != str(backup.resolve())]
    entries.append(
        {
            "file": str(backup.resolve()),
            "created_at": manifest.created_at,
            "dossiers": manifest.dossier_count,
        }
    )
    with atomic_output(index) as out:
        out.write(json.dumps(entries[-50:], ensure_ascii=False, indent=1).encode())


def known_good_backups(data_dir: Path) -> list[dict[str, object]]:
    """Backups verified when written, oldest first, from the index beside the database."""
    try:
        data = json.loads((data_dir / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in data if isinstance(e, dict) and "file" in e]


def last_good_backup(data_dir: Path) -> Path | None:
    """The newest verified backup that is still where it was written."""
    for entry in reversed(known_good_backups(data_dir)):
        path = Path(str(entry["file"]))
        if path.is_file():
            return path
    return None


def damaged_database_message(data_dir: Path) -> str:
    """What to tell a person whose database cannot be read: the last good backup."""
    last = last_good_backup(data_dir)
    if last is None:
        return "Cơ sở dữ liệu bị hỏng và không có bản sao lưu tốt nào được ghi nhận trên máy này."
    return (
        f"Cơ sở dữ liệu bị hỏng. Bản sao lưu tốt gần nhất: {last}. "
        f"Khôi phục bằng: desk-app restore {last}"
    )


# ------------------------------------------------------------------ daily backups


@dataclass(frozen=True)
class BackupStatus:
    """For the window: where daily backups go and how the last one went."""

    folder: str | None
    keep: int
    passphrase_set: bool
    unattended: bool  # a passphrase is available without a person
    last_success_at: dt.datetime | None  # UTC
    last_file: str | None
    last_error: str | None
    last_error_at: dt.datetime | None  # UTC


def _keyring_user(ctx: DeskContext) -> str:
    return str((ctx.data_dir / DATABASE_FILE).resolve())


def stored_passphrase(ctx: DeskContext) -> str | None:
    """The passphrase for unattended backups: ``$DESK_APP_BACKUP_PASSPHRASE``, else the OS
    credential store; None when neither has it."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, _keyring_user(ctx))
        except KeyringError:
            return None
    except ImportError:  # pragma: no cover - a dependency of the app
        return None


def remember_passphrase(ctx: DeskContext, passphrase: str) -> bool:
    """Keep the passphrase in the OS credential store; False when there is none."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(ctx), passphrase)
    except KeyringError:
        return False
    return True


def configure(ctx: DeskContext, passphrase: str, *, folder: Path | None, keep: int | None) -> bool:
    """Set the daily backups' folder and how many to keep (an administrator's act).

    The passphrase must be the desk's (it is set now if none is). Returns whether it could
    be kept in the OS credential store for unattended backups.
    """
    if keep is not None and not 1 <= keep <= 365:
        raise InvalidInputError("số bản sao lưu giữ lại từ 1 đến 365", code="backup.keep")
    if folder is not None:
        folder = folder.expanduser().resolve()
        if not folder.is_dir():
            raise InvalidInputError(f"thư mục {folder} không tồn tại", code="backup.folder")
    check_passphrase(ctx, passphrase)
    values: dict[str, object] = {}
    if folder is not None:
        values["folder"] = str(folder)
    if keep is not None:
        values["keep"] = keep
    if values:
        _update_settings(ctx, **values)
    return remember_passphrase(ctx, passphrase)


def backup_status(ctx: DeskContext) -> BackupStatus:
    s = _settings(ctx)
    return BackupStatus(
        s.folder, s.keep, s.verifier is not None, stored_passphrase(ctx) is not None,
        s.last_success_at, s.last_file, s.last_error, s.last_error_at,
    )  # fmt: skip


@dataclass(frozen=True)
class ScheduledOutcome:
    ran: bool
    file: Path | None = None
    removed: tuple[Path, ...] = ()
    reason: str = ""  # why it did not run, or the error


def _backup_name(manifest_hint: str, now: dt.datetime) -> str:
    return f"desk-{manifest_hint}-{now:%Y%m%d-%H%M%S}{SUFFIX}"


def run_scheduled_backup(
    ctx: DeskContext, now: dt.datetime | None = None, *, kdf: KdfParams | None = None
) -> ScheduledOutcome:
    """The daily backup: when the last good one is a day old, write one to the configured
    folder, verify it, and keep the newest N. Never raises: the outcome (and the status
    the window shows) says what happened."""
    now = now or utc_naive(ctx.clock)
    s = _settings(ctx)
    if not s.folder:
        return ScheduledOutcome(False, reason="chưa chọn thư mục sao lưu tự động")
    if s.last_success_at is not None and now - s.last_success_at < DAILY:
        return ScheduledOutcome(False, reason="đã sao lưu trong 24 giờ qua")
    passphrase = stored_passphrase(ctx)
    if passphrase is None:
        reason = (
            "không sao lưu tự động được: máy không có kho mật khẩu của hệ điều hành để giữ "
            f"cụm mật khẩu sao lưu (đặt ${PASSPHRASE_ENV} cho tác vụ theo lịch)"
        )
        _update_settings(ctx, last_error=reason, last_error_at=now)
        return ScheduledOutcome(False, reason=reason)
    folder = Path(s.folder)
    from desk_app.profile import ProfileService

    profile = ProfileService(ctx.db).get()
    hint = f"{profile.agency_code}-{profile.desk_number}" if profile else "desk"
    target = folder / _backup_name(hint, now)
    try:
        create_backup(ctx, target, passphrase, actor="backup", kdf=kdf)
    except (OSError, StorageError, WrongPassphraseError, InvalidInputError) as exc:
        reason = str(exc)
        _update_settings(ctx, last_error=reason[:2000], last_error_at=now)
        return ScheduledOutcome(False, reason=reason)
    removed = _rotate(folder, hint, s.keep)
    _update_settings(
        ctx, last_success_at=now, last_file=str(target), last_error=None, last_error_at=None
    )
    return ScheduledOutcome(True, target, tuple(removed))


def _rotate(folder: Path, hint: str, keep: int) -> list[Path]:
    """Remove this desk's older daily backups beyond the newest ``keep``."""
    mine = sorted(folder.glob(f"desk-{hint}-*{SUFFIX}"))  # names sort by time
    old = mine[: max(0, len(mine) - keep)]
    for path in old:
        path.unlink(missing_ok=True)
    return old
