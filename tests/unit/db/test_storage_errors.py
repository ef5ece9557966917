"""A database file that cannot be used as asked becomes one ``StorageError`` kind each,
with a fixed Vietnamese message that never carries the statement's data.

Every case is a real SQLite failure on a real file: a garbage file, a page overwritten
with zeros, a database opened read-only, a database at its page limit, another
connection holding the write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db import keys
from desk_app.db.engine import Database, make_engine
from desk_app.errors import (
    StorageDamagedError,
    StorageError,
    StorageFullError,
    StorageLockedError,
    StorageReadOnlyError,
)
from tests.helpers.desk_files import connect_desk, copy_desk_database

# A citizen's data in the failing statement: it must not reach any message.
CCCD = "079203001234"
NAME = "Nguyễn Thị Bích Ngọc"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def assert_no_citizen_data(exc: BaseException) -> None:
    for link in _chain(exc):
        for text_ in (str(link), repr(link)):
            assert CCCD not in text_ and NAME not in text_, text_


def _write_citizen(db: Database) -> None:
    with db.write() as s:
        s.execute(
            text("INSERT INTO scratch (cccd, name, filler) VALUES (:c, :n, :f)"),
            {"c": CCCD, "n": NAME, "f": "x" * 200_000},
        )


@pytest.fixture
def db_file(desk_template: Path, tmp_path: Path) -> Path:
    """A migrated desk database with a scratch table, closed."""
    path = copy_desk_database(desk_template, tmp_path / "db")
    with connect_desk(path) as conn:
        conn.execute("CREATE TABLE scratch (cccd TEXT, name TEXT, filler TEXT)")
    conn.close()
    return path


def test_a_garbage_file_is_damaged_storage(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DATABASE_FILE).write_bytes(b"Not SQLite at all, a stray spreadsheet. " * 200)
    with pytest.raises(StorageDamagedError) as caught:
        DeskContext.open(data_dir)
    assert caught.value.code == "storage.damaged" and caught.value.exit_status == 3
    assert "hỏng" in caught.value.message


def test_a_malformed_page_is_damaged_storage(db_file: Path) -> None:
    with connect_desk(db_file) as conn:
        conn.executemany(
            "INSERT INTO scratch (cccd, name, filler) VALUES (?, ?, ?)",
            [(str(i), "x", "y" * 100) for i in range(2000)],
        )
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'scratch'").fetchone()[
            0
        ]
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db_file.open("r+b") as handle:  # the table's root page: an interior b-tree page
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d" + b"\xff" * 64)
    engine = make_engine(db_file, key=keys.load_key(db_file.parent))
    try:
        with pytest.raises(StorageDamagedError) as caught, Database(engine).read() as s:
            s.execute(text("SELECT count(*), max(filler) FROM scratch")).all()
    finally:
        engine.dispose()
    assert caught.value.code == "storage.damaged"


def test_a_read_only_database_refuses_writes_as_read_only_storage(db_file: Path) -> None:
    engine = make_engine(db_file, key=keys.load_key(db_file.parent), read_only=True)
    try:
        with Database(engine).read() as s:  # reading still works
            assert s.execute(text("SELECT count(*) FROM scratch")).scalar() == 0
        with pytest.raises(StorageReadOnlyError) as caught:
            _write_citizen(Database(engine))
    finally:
        engine.dispose()
    assert caught.value.code == "storage.read_only" and caught.value.exit_status == 3
    assert_no_citizen_data(caught.value)


def _page_limit(engine: Engine, pages: int) -> None:
    @event.listens_for(engine, "connect")
    def limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")


def test_a_full_database_is_full_storage(db_file: Path) -> None:
    with connect_desk(db_file) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    engine = make_engine(db_file, key=keys.load_key(db_file.parent))
    _page_limit(engine, pages + 2)  # SQLite's own "disk full", at a page limit
    try:
        with pytest.raises(StorageFullError) as caught:
            _write_citizen(Database(engine))
    finally:
        engine.dispose()
    assert caught.value.code == "storage.full"
    assert "đầy" in caught.value.message
    assert_no_citizen_data(caught.value)


def test_a_database_held_by_another_program_is_locked_storage(db_file: Path) -> None:
    holder = connect_desk(db_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    engine = make_engine(db_file, key=keys.load_key(db_file.parent), busy_timeout_ms=100)
    try:
        with pytest.raises(StorageLockedError) as caught:
            _write_citizen(Database(engine))
    finally:
        engine.dispose()
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.code == "storage.locked" and caught.value.exit_status == 3
    assert_no_citizen_data(caught.value)


def test_other_database_errors_are_not_storage_errors(db_file: Path) -> None:
    engine = make_engine(db_file, key=keys.load_key(db_file.parent))
    try:
        with (
            pytest.raises(OperationalError, match="no such table") as caught,
            Database(engine).write() as s,
        ):
            s.execute(text("INSERT INTO no_such_table VALUES (1)"))
    finally:
        engine.dispose()
    assert not isinstance(caught.value, StorageError)
