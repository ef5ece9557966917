"""Opening the desk database: SQLite in WAL mode, foreign keys on, durable commits.

Write transactions start with ``BEGIN IMMEDIATE`` so that two processes (the app and a
scheduled ``desk-app sync``) queue for the write lock instead of failing half-way
through with "database is locked" when a read turns into a write.

This is also the one place where SQLite's failures of the file itself (locked, disk
full, read-only, damaged) become ``StorageError``s: every statement of the engine — the
services' sessions and the migrations alike — goes through ``_translate``. Their messages
are fixed Vietnamese sentences: the SQL and its parameters (a citizen's CCCD, name,
address) never reach a message, a log line or the terminal.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from desk_app.db.upgrade_report import UpgradeReport

from desk_app.db import cipher
from desk_app.errors import (
    StorageDamagedError,
    StorageError,
    StorageFullError,
    StorageLockedError,
    StorageReadOnlyError,
)

_IMMEDIATE = "desk_app_begin_immediate"


class DatabaseDamagedError(StorageDamagedError):
    """The desk database itself is damaged, truncated or emptied (not a backup file):
    the command line names the last good backup to restore."""


# SQLite's primary result codes (the low byte of the extended code) → what the officer
# is told. The driver's own text is not kept: it may quote the statement.
_STORAGE_ERRORS: dict[int, tuple[type[StorageError], str]] = {
    sqlite3.SQLITE_BUSY: (
        StorageLockedError,
        "cơ sở dữ liệu đang bị một chương trình khác giữ khoá; hãy thử lại sau ít phút",
    ),
    sqlite3.SQLITE_LOCKED: (
        StorageLockedError,
        "cơ sở dữ liệu đang bị một chương trình khác giữ khoá; hãy thử lại sau ít phút",
    ),
    sqlite3.SQLITE_FULL: (
        StorageFullError,
        "ổ đĩa đã đầy: không ghi được vào cơ sở dữ liệu; hãy giải phóng dung lượng",
    ),
    sqlite3.SQLITE_READONLY: (
        StorageReadOnlyError,
        "cơ sở dữ liệu chỉ cho đọc: không ghi được; hãy kiểm tra quyền ghi thư mục dữ liệu",
    ),
    sqlite3.SQLITE_CANTOPEN: (
        StorageReadOnlyError,
        "không mở được tệp cơ sở dữ liệu; hãy kiểm tra thư mục dữ liệu và quyền ghi",
    ),
    sqlite3.SQLITE_NOTADB: (
        DatabaseDamagedError,
        "tệp cơ sở dữ liệu bị hỏng hoặc không phải cơ sở dữ liệu của ứng dụng; "
        "hãy khôi phục từ bản sao lưu",
    ),
    sqlite3.SQLITE_CORRUPT: (
        DatabaseDamagedError,
        "tệp cơ sở dữ liệu bị hỏng; hãy khôi phục từ bản sao lưu",
    ),
    sqlite3.SQLITE_IOERR: (
        StorageDamagedError,
        "lỗi đọc/ghi ổ đĩa khi dùng cơ sở dữ liệu; hãy kiểm tra ổ đĩa",
    ),
}


def storage_error(exc: BaseException) -> StorageError | None:
    """The ``StorageError`` a driver error stands for, or ``None`` for any other error
    (a constraint, a bug in a statement), which stays what it is."""
    if not isinstance(exc, cipher.ERRORS):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    found = _STORAGE_ERRORS.get(code & 0xFF)
    if found is None:
        return None
    kind, message = found
    return kind(message)


def _translate(context: ExceptionContext) -> None:
    translated = storage_error(context.original_exception)
    if translated is not None:
        # Raised from None: the chained driver error would carry the statement's parameters.
        raise translated from None


BUSY_TIMEOUT_MS = 10_000

READ_ONLY_MESSAGE = (
    "thư mục dữ liệu chỉ cho đọc: không ghi được gì vào cơ sở dữ liệu; "
    "hãy kiểm tra quyền ghi thư mục dữ liệu"
)


def _connect_listener(
    busy_timeout_ms: int, *, read_only: bool = False
) -> Callable[[sqlite3.Connection, Any], None]:
    def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # First: switching to WAL takes a lock, and another process opening the same new
        # file at this moment must make this one wait, not fail.
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
            cur.close()
            return
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed dossier survives a power cut, not only a process crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Without it, INSERT OR REPLACE deletes a row without firing its delete triggers,
        # which would let a REPLACE rewrite the append-only event and audit logs.
        cur.execute("PRAGMA recursive_triggers=ON")
        cur.close()

    return on_connect


LOCK_PATIENCE_S = 30.0
_T = TypeVar("_T")


def retry_locked(work: Callable[[], _T], patience_s: float = LOCK_PATIENCE_S) -> _T:
    """``work()``, tried again while another process holds the database (at start-up:
    SQLite's own wait does not cover every moment of another connection's opening or
    closing). After ``patience_s``, one clear ``StorageLockedError``."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return work()
        except StorageLockedError:
            if time.monotonic() >= deadline:
                raise StorageLockedError(
                    f"cơ sở dữ liệu bị một chương trình khác giữ khoá hơn {patience_s:.0f} "
                    "giây; hãy đóng các cửa sổ và lệnh khác của ứng dụng rồi thử lại"
                ) from None
            time.sleep(random.uniform(0.02, 0.2))


def immediate(engine: Engine) -> Engine:
    """``engine`` whose transactions begin with ``BEGIN IMMEDIATE`` (the write lock)."""
    return engine.execution_options(**{_IMMEDIATE: True})


def _on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _json_dumps(value: Any) -> str:
    # Compact UTF-8: Vietnamese text stays readable and half the size of \u escapes, and
    # an event's stored payload is already the JSON text its push request carries.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(
    path: Path,
    *,
    key: bytes | None,
    read_only: bool = False,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Engine:
    """An engine on the SQLite file ``path`` (created if missing, unless ``read_only``),
    encrypted under ``key`` (``db.cipher``; ``None`` only for a plain file).

    ``busy_timeout_ms``: how long a statement waits for another process's lock before
    ``StorageLockedError``.
    """
    if read_only:
        # immutable: in a folder nobody may write, SQLite could not make the -shm file a
        # WAL database needs for locking; nothing can change the file there either.
        target = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        url = f"sqlite:///{target}&uri=true"
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageReadOnlyError(
                f"không tạo được thư mục dữ liệu {path.parent}: {exc.strerror}"
            ) from None
        target = str(path)
        url = f"sqlite:///{path}"

    def connect() -> sqlite3.Connection:
        # Keyed before anything else runs on it, SQLAlchemy's own first queries included.
        return cipher.connect(target, key, uri=read_only, isolation_level=None)

    engine = create_engine(url, module=cipher.driver, creator=connect, json_serializer=_json_dumps)
    event.listen(engine, "connect", _connect_listener(busy_timeout_ms, read_only=read_only))
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "handle_error", _translate)
    return engine


class Database:
    """The engine and session factories of one desk database file.

    ``read_only``: the file could only be opened for reading (a read-only folder or disk).
    Reads work; ``write`` refuses at once (``StorageReadOnlyError``, nothing half-written);
    ``write_audit`` skips the entry and tells ``on_audit_lost``.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        # What opening did to the schema (``db.opening``); told to the person once.
        self.upgrade: UpgradeReport | None = None
        # Told when a read's audit entry could not be written (the CLI prints it).
        self.on_audit_lost: Callable[[StorageError], None] = lambda _exc: None
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(immediate(engine), expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed. Objects stay usable after."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose whole work commits at the end, or none of it on error."""
        if self.read_only:
            raise StorageReadOnlyError(READ_ONLY_MESSAGE)
        with self._write() as session, session.begin():
            yield session

    def write_audit(self, record: Callable[[Session], None]) -> bool:
        """Write the audit entry of a read (a view, a print, a login) in its own
        transaction. Where the disk cannot take it (read-only or full), the read it
        records still goes ahead: the loss is reported to ``on_audit_lost`` and False
        returned. Any other failure is raised."""
        try:
            with self.write() as session:
                record(session)
        except (StorageReadOnlyError, StorageFullError) as exc:
            self.on_audit_lost(exc)
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
