"""Encryption at rest: every desk database file is a SQLCipher database.

SQLCipher encrypts each page (AES-256, with an HMAC per page) of the main file and of
its write-ahead log, so neither a copied ``desk.sqlite3`` nor its ``-wal`` shows a
citizen's CCCD, name or address. It is opened with a raw 256-bit key (``x'…'``), not a
passphrase: no key derivation runs at each opening, so opening stays as fast as plain
SQLite. Where the key is kept is ``db.keys``' business.

Every connection to a desk database goes through ``connect`` (or an engine built by
``db.engine.make_engine``, which uses it): the stdlib ``sqlite3`` cannot read the file.
``driver`` is the SQLCipher build of Python's sqlite3 module, with the same API and the
same result codes; its exceptions are its own classes, so code that catches driver
errors uses ``ERRORS`` / ``DATABASE_ERRORS`` / ``OPERATIONAL_ERRORS``, which cover both.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, cast

import sqlcipher3.dbapi2 as _driver

driver: Any = _driver

KEY_BYTES = 32
PLAIN_HEADER = b"SQLite format 3\x00"

ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, _driver.Error)
DATABASE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, _driver.DatabaseError)
OPERATIONAL_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    _driver.OperationalError,
)


def _key_literal(key: bytes | None) -> str:
    """The SQL literal of a raw key: ``"x'<64 hex digits>'"``; ``''`` for no encryption."""
    if key is None:
        return "''"
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")
    return f"\"x'{key.hex()}'\""


def apply_key(conn: Any, key: bytes | None) -> None:
    """Key a fresh connection: the first statement it runs. ``None``: a plain file."""
    cur = conn.cursor()
    # A wrong key is reported as SQLITE_NOTADB to the caller; SQLCipher would also write
    # its own log lines to stderr.
    cur.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        cur.execute(f"PRAGMA key = {_key_literal(key)}")
    cur.close()


def connect(
    database: str | os.PathLike[str],
    key: bytes | None,
    *,
    timeout: float = 5.0,
    uri: bool = False,
    isolation_level: str | None = "",
) -> sqlite3.Connection:
    """A DB-API connection to ``database`` (a path, or a ``file:`` URI with ``uri``)
    under ``key``. Same API as ``sqlite3.connect``'s connection."""
    conn = _driver.connect(
        str(database), timeout=timeout, uri=uri, isolation_level=isolation_level,
        check_same_thread=False,
    )  # fmt: skip
    apply_key(conn, key)
    return cast(sqlite3.Connection, conn)


def is_plaintext(path: Path) -> bool:
    """Whether ``path`` is a plain (unencrypted) SQLite file. An encrypted file's first
    16 bytes are its random salt."""
    try:
        with path.open("rb") as f:
            return f.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except OSError:
        return False


def export(source: Any, target: Path, key: bytes | None, *, hold_writers: bool = False) -> None:
    """Write the whole database open on ``source`` into the new file ``target``,
    encrypted under ``key`` (``None``: a plain file). ``source`` is read in one
    transaction, so the copy is consistent while others write; with ``hold_writers``
    (``source`` in autocommit mode) other writers wait until the copy is made."""
    target_sql = str(target).replace("'", "''")
    cur = source.cursor()
    try:
        cur.execute(f"ATTACH DATABASE '{target_sql}' AS export_target KEY {_key_literal(key)}")
        try:
            if hold_writers:
                cur.execute("BEGIN IMMEDIATE")
            cur.execute("SELECT sqlcipher_export('export_target')")
            user_version = cur.execute("PRAGMA main.user_version").fetchone()[0]
            cur.execute(f"PRAGMA export_target.user_version = {int(user_version)}")
            if hold_writers:
                cur.execute("COMMIT")
        finally:
            if hold_writers and source.in_transaction:
                cur.execute("ROLLBACK")
            cur.execute("DETACH DATABASE export_target")
    finally:
        cur.close()


def table_counts(conn: Any) -> dict[str, int]:
    """Rows per ordinary table (virtual tables' own rows live in their shadow tables)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    counts = {}
    for n in names:
        quoted = n.replace('"', '""')
        counts[n] = int(conn.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()[0])
    return counts


def check_encrypted(path: Path, key: bytes) -> list[str]:
    """Problems found reading the encrypted ``path`` whole: every page's HMAC, then
    SQLite's own structure check. Empty when sound."""
    conn = connect(path, key)
    try:
        problems = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
        if quick != ["ok"]:
            problems += quick
        return problems
    finally:
        conn.close()
