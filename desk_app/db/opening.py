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
* Only the operating-system account running the desk may read its data: the folder is
  made 0700 and every file in it 0600, at creation and again at each opening (a folder
  copied or restored with looser modes is tightened). On Windows the data folder lives in
  the user's own profile, private to that account by its ACL.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from desk_app.db.engine import (
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
    keep_private(path.parent)
    engine = make_engine(path)
    try:
        _check_desk(engine, path)
        report = upgrade_to_head(engine, backup_folder=path.parent / PRE_UPGRADE_FOLDER)
    except StorageReadOnlyError:
        engine.dispose()
        return _open_read_only(path)
    except BaseException:
        engine.dispose()
        raise
    db = Database(engine)
    db.upgrade = report
    return db


def _open_read_only(path: Path) -> Database:
    engine = make_engine(path, read_only=True)
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
        engine = make_engine(building)
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
