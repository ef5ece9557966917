"""Opening the desk database file safely: created whole or not at all, never silently
re-created, readable from a read-only folder, and refused when damaged.

* A new database is built beside its final name and renamed into place once migrated,
  under a lock file, so that many processes starting on a new data folder at once wait
  for the first one instead of failing with "database is locked"; a database file that
  exists is therefore always a desk's, and one that is empty (0 bytes) or has lost its
  tables is reported as damaged (with the last good backup, by the CLI) instead of
  being made into a new, empty desk.
* A truncated file (shorter than the pages its header counts) is reported as damaged.
* A file that can only be read (a read-only folder or disk) opens read-only: reads work,
  writes are refused whole (``Database.read_only``).
* The database is encrypted at rest (``db.cipher``; its key in ``db.keys``, never in the
  data folder). A database from before encryption is exported at start into an encrypted
  one — first an encrypted copy into the pre-upgrade folder, then the file itself,
  verified (every page, and every table's rows counted against the plain original) and
  renamed into place; the plain file is then gone, and so are plain pre-upgrade copies.
* Only the operating-system account running the desk may read its data: the folder is
  made 0700 and every file in it 0600, at creation and again at each opening (a folder
  copied or restored with looser modes is tightened). On Windows the data folder lives in
  the user's own profile, private to that account by its ACL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from desk_app.db import cipher, keys
from desk_app.db.engine import (
    BUSY_TIMEOUT_MS,
    Database,
    DatabaseDamagedError,
    make_engine,
    retry_locked,
    storage_error,
)
from desk_app.db.migrate import (
    HEAD_REVISION,
    PRE_UPGRADE_FOLDER,
    current_revision,
    upgrade_to_head,
)
from desk_app.errors import StorageReadOnlyError

VANISHED_MESSAGE = (
    "tệp cơ sở dữ liệu còn đó nhưng dữ liệu của bàn tiếp nhận đã mất (tệp rỗng); "
    "hãy khôi phục từ bản sao lưu"
)
NO_KEY_MESSAGE = (
    "tệp cơ sở dữ liệu bị hỏng, hoặc được chép sang mà thiếu khoá mã hoá của nó; "
    "hãy khôi phục từ bản sao lưu"
)
TRUNCATED_MESSAGE = "tệp cơ sở dữ liệu bị cắt cụt (thiếu dữ liệu); hãy khôi phục từ bản sao lưu"


def open_database(path: Path) -> Database:
    """The desk database at ``path``, created (whole) if there is none, migrated to this
    program's schema. Raises ``DatabaseDamagedError`` for an empty, truncated or foreign
    file, ``StorageReadOnlyError`` where a read-only file would need migrating."""
    return retry_locked(lambda: _open(path))


def _open(path: Path) -> Database:
    existed = path.exists()
    if existed and path.stat().st_size == 0:
        raise DatabaseDamagedError(VANISHED_MESSAGE)
    if not existed:
        _create(path)
    elif cipher.is_plaintext(path):
        try:
            _encrypt_plain(path)
        except StorageReadOnlyError:
            return _open_read_only(path, None)  # nothing may change there, this neither
    key = keys.load_key(path.parent)
    if key is None:
        # Not a plain database, and no key named: garbage, or an encrypted file copied
        # without the rest of its data folder. Either way, only a backup brings it back.
        raise DatabaseDamagedError(NO_KEY_MESSAGE)
    keep_private(path.parent)
    engine = make_engine(path, key=key)
    try:
        _check_desk(engine, path)
        report = upgrade_to_head(engine, backup_folder=path.parent / PRE_UPGRADE_FOLDER)
    except StorageReadOnlyError:
        engine.dispose()
        return _open_read_only(path, key)
    except BaseException:
        engine.dispose()
        raise
    db = Database(engine)
    db.upgrade = report
    return db


def _open_read_only(path: Path, key: bytes | None) -> Database:
    engine = make_engine(path, key=key, read_only=True)
    try:
        _check_desk(engine, path)
        if current_revision(engine) != HEAD_REVISION:
            raise StorageReadOnlyError(
                "cơ sở dữ liệu cần được nâng cấp nhưng thư mục dữ liệu chỉ cho đọc; "
                "hãy kiểm tra quyền ghi thư mục dữ liệu"
            )
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, read_only=True)


def _check_desk(engine: Engine, path: Path) -> None:
    """A desk's database: it has its schema table, and all the pages its header counts."""
    try:
        with engine.connect() as conn:
            if (
                conn.execute(
                    text("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'")
                ).scalar_one()
                == 0
            ):
                raise DatabaseDamagedError(VANISHED_MESSAGE)
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
            page_size = conn.execute(text("PRAGMA page_size")).scalar_one()
    except DBAPIError as exc:  # on connect: not through the engine's translation
        translated = storage_error(exc.orig) if exc.orig is not None else None
        if translated is not None:
            raise translated from None
        raise
    wal = path.with_name(path.name + "-wal")
    wal_empty = not wal.exists() or wal.stat().st_size == 0
    # With committed pages still in the WAL, the main file may rightly be shorter.
    if wal_empty and path.stat().st_size < int(pages) * int(page_size):
        raise DatabaseDamagedError(TRUNCATED_MESSAGE)


def keep_private(folder: Path) -> None:
    """Make ``folder`` 0700 and its files 0600 where they are looser and this account
    owns them (POSIX; a read-only folder is left as it is)."""
    if os.name != "posix":
        return
    uid = os.geteuid()
    for entry in [folder, *(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())]:
        try:
            st = entry.stat()
            wanted = 0o700 if entry is folder else 0o600
            if st.st_uid == uid and stat.S_IMODE(st.st_mode) & 0o077:
                entry.chmod(stat.S_IMODE(st.st_mode) & wanted)
        except OSError:
            continue  # read-only: reads go on; writes are refused elsewhere


def _create(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageReadOnlyError(
            f"không tạo được thư mục dữ liệu {path.parent}: {exc.strerror}"
        ) from None
    with _creation_lock(path):
        if path.exists():
            return  # another process made it while this one waited
        building = path.with_name(f".{path.name}.new-{os.getpid()}")
        for leftover in _with_sidecars(building):
            leftover.unlink(missing_ok=True)
        # Created 0600 before SQLite opens it: its -wal and -shm take the same mode.
        os.close(os.open(building, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        engine = make_engine(building, key=_key_for_new_file(path.parent))
        try:
            upgrade_to_head(engine)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
        for sidecar in _with_sidecars(building)[1:]:
            sidecar.unlink(missing_ok=True)
        os.replace(building, path)
        # After the rename: a process arriving now finds the database and never locks,
        # and one still waiting on this lock finds it too once let in.
        with contextlib.suppress(OSError):  # Windows: still open; it stays, harmless
            path.with_name(path.name + ".lock").unlink()


def _key_for_new_file(data_dir: Path) -> bytes:
    """The folder's key where it holds one already (a conversion cut short), else a new one."""
    try:
        key = keys.load_key(data_dir)
    except keys.DatabaseKeyMissingError:
        key = None
    return key if key is not None else keys.new_key(data_dir)


def _encrypt_plain(path: Path) -> None:
    """Replace the plain database ``path`` by an encrypted copy of it (see the module)."""
    with _creation_lock(path):
        if not cipher.is_plaintext(path):
            return  # another process converted it while this one waited
        data_dir = path.parent
        try:
            key = _key_for_new_file(data_dir)
            folder = data_dir / PRE_UPGRADE_FOLDER
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%SZ")
            copy = folder / f"desk-before-encryption-{stamp}.sqlite3"
            building = path.with_name(f".{path.name}.encrypting-{os.getpid()}")
            for leftover in [*_with_sidecars(building), copy]:
                leftover.unlink(missing_ok=True)
            source = cipher.connect(
                path, None, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except OSError as exc:
            raise StorageReadOnlyError(
                f"không ghi được vào thư mục dữ liệu {data_dir}: {exc.strerror}"
            ) from None
        try:
            try:
                source.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                version = source.execute("PRAGMA data_version").fetchone()[0]
                cipher.export(source, copy, key, hold_writers=True)
                _verify_copy(source, copy, key)
                # The verified copy's bytes, not a second export: half the time.
                shutil.copyfile(copy, building)
                with open(building, "rb+") as f:
                    os.fsync(f.fileno())
                source.execute("BEGIN IMMEDIATE")  # no writer between the check and the swap
                if source.execute("PRAGMA data_version").fetchone()[0] != version:
                    raise DatabaseDamagedError(
                        "cơ sở dữ liệu thay đổi trong lúc mã hoá; hãy đóng mọi cửa sổ và "
                        "lệnh khác của ứng dụng rồi mở lại"
                    )
                os.replace(building, path)
                source.execute("ROLLBACK")
            except cipher.ERRORS as exc:
                translated = storage_error(exc)
                if translated is not None:
                    raise translated from None
                raise
        finally:
            source.close()
            for leftover in _with_sidecars(building):
                leftover.unlink(missing_ok=True)
        # The plain original's log and index, empty after the checkpoint: gone with it.
        for sidecar in _with_sidecars(path)[1:]:
            sidecar.unlink(missing_ok=True)
        _encrypt_plain_copies(folder, key)


def _verify_copy(source: object, copy: Path, key: bytes) -> None:
    problems = cipher.check_encrypted(copy, key)
    conn = cipher.connect(copy, key)
    try:
        same = cipher.table_counts(conn) == cipher.table_counts(source)
    finally:
        conn.close()
    if problems or not same:
        copy.unlink(missing_ok=True)
        raise DatabaseDamagedError(
            "không mã hoá được cơ sở dữ liệu: bản mã hoá không khớp bản gốc; dữ liệu gốc "
            "vẫn nguyên; hãy kiểm tra ổ đĩa rồi mở lại"
        )


def _encrypt_plain_copies(folder: Path, key: bytes) -> None:
    """Earlier pre-upgrade copies were plain files: each is replaced by an encrypted one."""
    for plain in sorted(folder.glob("desk-*.sqlite3")):
        if not cipher.is_plaintext(plain):
            continue
        building = plain.with_name(plain.name + ".encrypting")
        building.unlink(missing_ok=True)
        conn = cipher.connect(plain, None, isolation_level=None)
        try:
            with contextlib.suppress(*cipher.ERRORS):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cipher.export(conn, building, key)
        finally:
            conn.close()
        os.replace(building, plain)
        for sidecar in _with_sidecars(plain)[1:]:
            sidecar.unlink(missing_ok=True)


def _with_sidecars(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]


@contextlib.contextmanager
def _creation_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<database>.lock`` for as long as a new database is made."""
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageReadOnlyError(
            f"không ghi được vào thư mục dữ liệu {path.parent}: {exc.strerror}"
        ) from None
    try:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for ~10 s, then raises
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
