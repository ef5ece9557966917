"""Backups of the desk database (sao lưu): online, consistent, encrypted, verified.

* **Online and consistent, at the speed of a file copy.** The database file's own bytes
  (SQLCipher pages, already encrypted under the desk's key) are copied as they are, no
  page decrypted or re-encrypted, no row re-inserted, while a read transaction pins
  them: writers are held only for the moment it takes to fold the write-ahead log into
  the file (a passive checkpoint), then a reader opened on the fully folded log takes
  SQLite's "read lock 0", which forbids any checkpoint from writing into the file until
  it ends — the app goes on writing into the log meanwhile (``_pinned_file``). Where
  the log cannot be folded at once (another long reader), SQLite's backup API copies the
  pages into a temporary SQLCipher file under the same key instead: also one moment,
  slower, and never in clear.
* **Encrypted** under the administrator's passphrase (``desk_app.backup_format``): the
  desk's key travels inside the backup under the passphrase (AES-256-GCM under a scrypt
  key), and the database bytes are sealed once more in authenticated chunks. A backup on
  a USB disk leaks nothing and restores on a fresh machine with the passphrase alone.
  No plain copy of the database is ever written.
* **Verified**: every chunk decrypts and authenticates in order (nothing altered, dropped
  or cut), the size matches the manifest inside; ``deep`` also checks every page's
  SQLCipher HMAC and SQLite's integrity check on a (still encrypted) copy, as restore
  always does.
* **Restore** needs no account (whoever can run it on this machine can replace the file
  anyway: the passphrase is the gate). It refuses another commune's or desk's backup and
  one newer than this app,
  says first how many unsent events it would lose, swaps the database file in one
  rename (the replaced file stays as ``desk.sqlite3.before-restore``, with the name of
  its key in ``desk.sqlite3.before-restore.keyid`` when the restored database brings
  another key, which the desk then adopts), and on an
  enrolled desk holds intake until the desk has pulled its history
  (``desk_app.intake_hold``).

The passphrase is never stored in clear in the data folder: only an Argon2id verifier,
so a mistyped passphrase is caught before it makes a backup nobody can open (whoever
reads the verifier holds the database itself anyway). For unattended daily backups the
passphrase is kept as the database key is (``db.keys.store_secret``): in the operating
system's credential store (``keyring``), else in a 0600 file in the key folder outside
the data folder; ``$DESK_APP_BACKUP_PASSPHRASE`` overrides it for scripts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from desk_app import __version__
from desk_app.backup_format import (
    DATA,
    KEY,
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
KEPT_KEY_ID_SUFFIX = ".keyid"
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


def _copy_errors(exc: BaseException) -> StorageError:
    if "full" in str(exc):
        return StorageFullError("đĩa đầy: không đủ chỗ cho bản sao tạm của cơ sở dữ liệu")
    if isinstance(exc, cipher.OPERATIONAL_ERRORS):
        return StorageError(f"không đọc được cơ sở dữ liệu để sao lưu: {exc}")
    return StorageDamagedError(f"cơ sở dữ liệu bị hỏng, không sao lưu được: {exc}")


def _pin(db_file: Path, key: bytes | None, reader: Any) -> bool:
    """Start on ``reader`` a read transaction during which the database file's bytes are
    its view and do not change; False (nothing started) where that cannot be had now.

    In WAL mode a checkpoint only writes into the database file after taking SQLite's
    "read lock 0" exclusively, and a reader takes that lock (shared, for its whole
    transaction) when it starts on a log that is entirely folded into the file: it then
    reads the file alone. So: hold the write lock (writers wait a moment), fold the log
    (a passive checkpoint), start the reader, let writers go. They go on appending to the
    log; nothing is folded into the file until the reader ends.
    """
    holder = cipher.connect(db_file, key, timeout=30, isolation_level=None)
    try:
        if str(holder.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            return False
        holder.execute("BEGIN IMMEDIATE")
        try:
            busy, in_log, folded = reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if busy or in_log != folded:
                return False  # a reader elsewhere keeps part of the log unfolded
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            holder.execute("ROLLBACK")
    finally:
        holder.close()


@contextlib.contextmanager
def _pinned_file(db_file: Path, key: bytes | None) -> Iterator[tuple[Any, Path]]:
    """``(reader, file)``: ``reader`` in a read transaction whose database is exactly the
    bytes of ``file``, which stay unchanged until the block ends, while the app writes.

    ``file`` is the database file itself where it can be pinned (``_pin``), else a
    temporary copy made by SQLite's backup API under the same key (pages decrypted and
    encrypted again: slower, never in clear)."""
    reader = cipher.connect(db_file, key, timeout=30, isolation_level=None)
    try:
        try:
            pinned = _pin(db_file, key, reader)
        except cipher.ERRORS as exc:
            raise _copy_errors(exc) from exc
        if pinned:
            yield reader, db_file
            return
        with _temp_database(db_file.parent, ".backup-") as copy:
            copy_conn = cipher.connect(copy, key, isolation_level=None)
            try:
                try:
                    reader.backup(copy_conn)  # in one step: one read transaction
                    copy_conn.execute("BEGIN")
                    copy_conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except cipher.ERRORS as exc:
                    raise _copy_errors(exc) from exc
                yield copy_conn, copy
            finally:
                copy_conn.close()
    finally:
        reader.close()


def _describe(conn: Any, created_at: dt.datetime) -> dict[str, Any]:
    """What the manifest says of the database seen by ``conn`` (in its read transaction)."""
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
def _temp_database(folder: Path, prefix: str) -> Iterator[Path]:
    """A temporary database file in ``folder``, removed (with its journals) afterwards."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".sqlite3", dir=folder)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        remove_database_file(path)


class _WriteBehind:
    """Writes handed to a thread of its own, a few chunks behind: the disk takes one
    chunk while the next is read and sealed. A failed write is raised by the next
    ``write`` or by ``close``; the bytes after it are dropped."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_WRITES_AHEAD)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="backup-writes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:  # after a failure: only drained, so no put blocks
                try:
                    self._out.write(data)
                except BaseException as exc:  # handed to the backup's own thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, data: bytes) -> int:
        self._raise()
        self._queue.put(data)
        return len(data)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()


_WRITES_AHEAD = 8  # chunks (of a MiB) queued for the disk at most


@contextlib.contextmanager
def _written_behind(out: BinaryIO) -> Iterator[BinaryIO]:
    """``out``, its writes done by a thread of their own (``_WriteBehind``); all done,
    or their error raised, when the block ends."""
    behind = _WriteBehind(out)
    try:
        yield cast(BinaryIO, behind)
    except BaseException:
        with contextlib.suppress(BaseException):
            behind.close()  # the backup's own error is the one to tell
        raise
    behind.close()


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
    key = keys.load_key(ctx.data_dir)
    with (
        _pinned_file(db_file, key) as (reader, pinned),
        atomic_output(out) as target,
        _written_behind(target) as sink,
    ):
        try:
            fields = _describe(reader, created)
        except cipher.ERRORS as exc:
            raise _copy_errors(exc) from exc
        writer = BackupWriter(sink, passphrase, kdf)
        if key is not None:
            writer.write_key(key)
        with pinned.open("rb", buffering=0) as source:
            size = writer.copy_data(source)
        # The AEAD tags authenticate every byte: no second pass for a hash.
        manifest = Manifest(**fields, db_sha256="", db_size=size)
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


@dataclass(frozen=True)
class _Contents:
    """What a backup holds once decrypted and checked."""

    manifest: Manifest
    key: bytes | None  # the database's own key; None: a plain SQLite file


def _decrypt_to(backup: Path, passphrase: str, sink: BinaryIO | None) -> _Contents:
    """Decrypt ``backup`` (its database bytes into ``sink`` if given) and check it
    against its manifest."""
    header: dict[str, int] = {}
    digest = hashlib.sha256()
    size = 0
    first = b""
    key: bytes | None = None
    manifest_bytes = b""
    try:
        with backup.open("rb") as source:
            for kind, payload in read_backup(source, passphrase, header):
                if kind == DATA:
                    if not first:
                        first = payload[:100]
                    if header["format"] == 1:
                        digest.update(payload)
                    size += len(payload)
                    if sink is not None:
                        sink.write(payload)
                elif kind == KEY:
                    key = payload
                elif kind == MANIFEST:
                    manifest_bytes = payload
    except FileNotFoundError:
        raise InvalidInputError(f"không có tệp {backup}", code="backup.not_found") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{backup} là thư mục", code="backup.not_found") from None
    except OSError as exc:  # a full disk under the decrypted copy, a failing USB disk
        raise storage_error(backup, exc) from exc
    manifest = Manifest.from_json(manifest_bytes)
    if manifest.db_size != size or (
        header["format"] == 1 and manifest.db_sha256 != digest.hexdigest()
    ):
        raise BackupDamagedError("dữ liệu trong bản sao lưu không khớp với phần mô tả")
    if key is not None and len(key) != cipher.KEY_BYTES:
        raise BackupDamagedError("khoá trong bản sao lưu bị hỏng")
    _check_header(first, size, encrypted=key is not None)
    return _Contents(manifest, key)


def _check_header(first: bytes, size: int, *, encrypted: bool) -> None:
    """The SQLite file header agrees with the file's length (a cheap structural check).
    An encrypted file's header is encrypted too: only its whole pages can be checked."""
    if encrypted:
        if size == 0 or size % 512:
            raise BackupDamagedError("cơ sở dữ liệu trong bản sao lưu bị cắt cụt")
        return
    if len(first) < 100 or not first.startswith(b"SQLite format 3\x00"):
        raise BackupDamagedError("bản sao lưu không chứa cơ sở dữ liệu SQLite")
    page_size = int.from_bytes(first[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(first[28:32], "big")
    # The in-header page count is valid when the change counter matches "version valid for".
    if first[24:28] == first[92:96] and pages * page_size != size:
        raise BackupDamagedError("cơ sở dữ liệu trong bản sao lưu bị cắt cụt")


def _integrity(db_file: Path, key: bytes | None) -> None:
    """Every page's HMAC (an encrypted file), then SQLite's integrity check: every page,
    every index against its table."""
    try:
        conn = cipher.connect(db_file, key)
        try:
            # SQLCipher's check lists only the pages that fail; SQLite's says "ok".
            bad_pages = [] if key is None else list(conn.execute("PRAGMA cipher_integrity_check"))
            result = [str(r[0]) for r in bad_pages]
            result += [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except cipher.DATABASE_ERRORS as exc:
        raise BackupDamagedError(f"cơ sở dữ liệu trong bản sao lưu bị hỏng: {exc}") from exc
    problems = [r for r in result if r != "ok"]
    if problems or not result:
        raise BackupDamagedError(
            f"cơ sở dữ liệu trong bản sao lưu không toàn vẹn: {'; '.join(problems[:3])}"
        )


def verify(
    backup: Path, passphrase: str, work_dir: Path | None = None, *, deep: bool = False
) -> Manifest:
    """Check ``backup`` whole: every chunk decrypts and authenticates in order (nothing
    altered, dropped or cut), the database's size (and, in a format 1 backup, its
    SHA-256) matches the manifest. Nothing is written.

    ``deep`` also copies the database (still encrypted under its own key) into a
    temporary file in ``work_dir`` and checks every page's HMAC and SQLite's integrity
    (every page, every index against its table) — as restore always does.
    Raises ``WrongPassphraseError`` (exit 4) or ``BackupDamagedError`` (exit 3).
    """
    if not deep:
        return _decrypt_to(backup, passphrase, None).manifest
    if work_dir is None:
        raise ValueError("a deep check needs a work folder")
    work_dir.mkdir(parents=True, exist_ok=True)
    with _temp_database(work_dir, ".verify-") as copy:
        with copy.open("wb") as sink:
            contents = _decrypt_to(backup, passphrase, sink)
        _integrity(copy, contents.key)
    return contents.manifest


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
    key: bytes | None = None  # the staged database's own key; None: a plain file

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


def _unsent_lost(db_file: Path, staged: Path, staged_key: bytes | None) -> int:
    """Events recorded here, not acknowledged by the server, and absent from the backup."""
    if not db_file.exists():
        return 0
    try:
        conn = _live(db_file)
        try:
            # Its own key, or '' for a plain file (else it would take main's key).
            conn.execute(
                "ATTACH DATABASE ? AS bak KEY ?",
                (str(staged), f"x'{staged_key.hex()}'" if staged_key else ""),
            )
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
            contents = _decrypt_to(backup, passphrase, sink)
        _integrity(staged, contents.key)
        manifest = contents.manifest
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
        lost = _unsent_lost(db_file, staged, contents.key)
        plan = RestorePlan(backup, manifest, staged, data_dir, lost, count, contents.key)
        return plan
    finally:
        if plan is None:
            remove_database_file(staged)


def _prepare_staged(plan: RestorePlan, clock: Clock) -> bytes | None:
    """Bring the staged copy to this app's schema and, if enrolled, hold its intake.
    Returns the key the desk must adopt with it (None: it is under the desk's own)."""
    from desk_app.db.engine import make_engine
    from desk_app.db.migrate import upgrade_to_head

    engine = make_engine(plan.staged, key=plan.key)
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
    try:
        key = keys.load_key(plan.data_dir)
    except keys.DatabaseKeyMissingError:
        key = None
    if plan.key is not None:
        # Already encrypted, under the key that came with it: the desk adopts that key
        # just before the swap (unless it is its own: a restore on the same desk).
        _fsync_file(plan.staged)
        return None if key == plan.key else plan.key
    # A plain database (a format 1 backup): encrypted under this desk's key (a new one on
    # a fresh machine, or where the old key is lost) before it goes anywhere near the
    # database's name.
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
    _fsync_file(plan.staged)
    return None


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
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
    adopt = _prepare_staged(plan, clock)
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
                shutil.copy2(db_file, kept)
        if adopt is not None:
            # The replaced file stays under its key: keep that key's name beside it.
            key_id = plan.data_dir / keys.KEY_ID_FILE
            if kept.exists() and key_id.exists():
                shutil.copyfile(key_id, kept.with_name(kept.name + KEPT_KEY_ID_SUFFIX))
            keys.adopt_key(plan.data_dir, adopt)
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


def last_good_entry(data_dir: Path) -> dict[str, object] | None:
    """The index entry of the newest verified backup that is still where it was written."""
    for entry in reversed(known_good_backups(data_dir)):
        if Path(str(entry["file"])).is_file():
            return entry
    return None


def last_good_backup(data_dir: Path) -> Path | None:
    """The newest verified backup that is still where it was written."""
    entry = last_good_entry(data_dir)
    return None if entry is None else Path(str(entry["file"]))


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
    """The passphrase for unattended backups: ``$DESK_APP_BACKUP_PASSPHRASE``, else where
    ``remember_passphrase`` kept it; None when neither has it."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    return keys.read_secret(KEYRING_SERVICE, _keyring_user(ctx))


def remember_passphrase(ctx: DeskContext, passphrase: str) -> bool:
    """Keep the passphrase as the database key is kept (the OS credential store, else a
    0600 file in the key folder outside the data folder); False when neither can."""
    try:
        keys.store_secret(KEYRING_SERVICE, _keyring_user(ctx), passphrase)
    except OSError:
        return False
    return True


def configure(ctx: DeskContext, passphrase: str, *, folder: Path | None, keep: int | None) -> bool:
    """Set the daily backups' folder and how many to keep (an administrator's act).

    The passphrase must be the desk's (it is set now if none is). Returns whether it could
    be kept (credential store or key file) for unattended backups.
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
            "không sao lưu tự động được: cụm mật khẩu sao lưu chưa được lưu trên máy này cho "
            "tài khoản này (quản trị viên nhập lại ở mục Sao lưu rồi bấm «Lưu cài đặt»; hoặc "
            f"đặt ${PASSPHRASE_ENV} cho tác vụ theo lịch)"
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
