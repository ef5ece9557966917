"""Database connection: URLs, engines, sessions and schema migrations.

Two backends are supported: PostgreSQL through psycopg 3 (production) and SQLite (the
embedded default, a file in the user's data folder). Migrations are Alembic scripts under
``db/migrations/district`` (installed as ``district_server._migrations``) and are applied
from code, without an ``alembic.ini``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

import platformdirs
import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

DB_ENV_VAR = "DISTRICT_SERVER_DB"
ROOT_ENV_VAR = "DISTRICT_SERVER_ROOT"
MIGRATIONS_PACKAGE = "district_server._migrations"
APP_NAME = "district-server"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# PostgreSQL connections per process. A worker holds at most the admitted pushes (see
# district_server.admission) plus pulls and token look-ups at once.
DEFAULT_POOL_SIZE = 10
# Pushes one worker takes at a time (see district_server.admission); with the pool below
# it bounds the connections a worker needs. Pushes run on threads of their own (see
# district_server.api.Lanes); in the province benchmark 4 per worker converged fastest
# with pulls still answered at once (2: 58-98 s, push p99 3-8 s; 4: 50 s, 1.9 s; 8: 47 s,
# but pulls waited up to 5.5 s for their two threads).
DEFAULT_MAX_PUSHES = 4
# A request waiting longer than this for a connection fails with a 503 (retry later).
POOL_TIMEOUT_S = 10
# A pooled PostgreSQL connection idle this long is pinged before it is handed out.
PING_AFTER_IDLE_S = 30.0
IDLE_SINCE_KEY = "district_idle_since"
# Execution option marking an engine whose transactions only read (see make_engine).
READ_ONLY_OPTION = "district_read_only"


class DatabaseUrlError(ValueError):
    """The database URL cannot be used by the district server."""


def default_db_url() -> str:
    """The embedded SQLite database in the user's data folder (created when missing)."""
    folder = platformdirs.user_data_path(APP_NAME, appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'district.db'}"


def normalize_db_url(raw: str) -> str:
    """Check that ``raw`` names a supported database and pin the PostgreSQL driver.

    A plain ``postgresql://`` URL would make SQLAlchemy look for psycopg2, which is not
    installed, so it is rewritten to ``postgresql+psycopg://``.
    """
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"{raw!r} is not a database URL") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        elif url.drivername != "postgresql+psycopg":
            raise DatabaseUrlError("PostgreSQL URLs must use the psycopg driver")
    elif backend == "sqlite":
        if url.drivername != "sqlite":
            raise DatabaseUrlError("SQLite URLs must use the built-in driver (sqlite:///...)")
        if not url.database or url.database == ":memory:":
            # Every pooled connection would see its own empty in-memory database.
            raise DatabaseUrlError("an in-memory SQLite database cannot be shared; give a file")
    else:
        raise DatabaseUrlError(f"unsupported database {backend!r}; use postgresql or sqlite")
    return url.render_as_string(hide_password=False)


def safe_url(raw: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        url: URL = make_url(raw)
    except ArgumentError:
        return "<invalid URL>"
    return url.render_as_string(hide_password=True)


def _prepare_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module (which would skip it before SELECT and DDL)
    # and let SQLAlchemy emit it, so transactions and migrations are truly atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL keeps an acknowledged batch on disk even after a power cut: the desk drops
        # events from its outbox once acknowledged, so the server must not lose them.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # A deferred transaction that reads first and writes later fails at once with
    # SQLITE_BUSY if another writer committed in between (busy_timeout cannot help), so
    # transactions that may write take the write lock up front. Readers stay deferred and
    # never wait for writers (WAL).
    if connection.get_execution_options().get(READ_ONLY_OPTION, False):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(db_url: str, *, pool_size: int | None = None) -> Engine:
    """An engine for a URL accepted by :func:`normalize_db_url`.

    ``pool_size`` bounds the PostgreSQL connections of one process (default
    ``DEFAULT_POOL_SIZE``, with no overflow): workers × pool size must stay within the
    server's ``max_connections``.
    """
    url = normalize_db_url(db_url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        event.listen(engine, "connect", _prepare_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size or DEFAULT_POOL_SIZE,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
    )
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _check_on_checkout)
    return engine


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[IDLE_SINCE_KEY] = time.monotonic()


def _check_on_checkout(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Hand out only a live PostgreSQL connection, without a round trip per request.

    A connection psycopg saw break (the server restarted, the network dropped) is replaced
    at once; one idle for ``PING_AFTER_IDLE_S`` is pinged first, since the server or a
    firewall may have closed it meanwhile. A busy server's connections are never idle that
    long, so its requests go without the ping SQLAlchemy's ``pool_pre_ping`` sends every
    time (a tenth of a poll's CPU with hundreds of desks polling).
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection was lost")
    idle_since = record.info.get(IDLE_SINCE_KEY)
    if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except psycopg.Error as exc:
        raise DisconnectionError("the connection did not answer") from exc


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` for transactions that must not write: on SQLite they do not take the
    write lock, so they run alongside a writer instead of queueing behind it."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit.

    ``read_only`` sessions must not write: on SQLite their transactions do not take the
    write lock, so they run alongside a writer instead of queueing behind it.
    """
    bind = read_only_engine(engine) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


def migrations_dir() -> Path:
    """The Alembic script folder of the district server database.

    It ships inside this package as ``district_server._migrations`` (setup.py maps it from
    ``db/migrations/district``); ``DISTRICT_SERVER_ROOT`` names a source tree to use instead.
    """
    override = os.environ.get(ROOT_ENV_VAR)
    if override:
        return Path(override) / "db" / "migrations" / "district"
    folder = files(MIGRATIONS_PACKAGE)
    # Alembic reads scripts from a real folder; a wheel installs them as files.
    if not isinstance(folder, Path):
        raise FileNotFoundError(f"migration scripts not on the file system: {folder}")
    return folder


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic configuration built in code; ``env.py`` picks the engine up from it."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this program."""
    script = ScriptDirectory.from_config(alembic_config())
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str | None:
    """Bring the database schema up to the newest migration; returns that revision."""
    if not migrations_dir().is_dir():
        raise FileNotFoundError(f"migration scripts not found in {migrations_dir()}")
    command.upgrade(alembic_config(engine), "head")
    return current_revision(engine)
