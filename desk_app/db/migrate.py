"""Alembic migrations applied from code at start-up.

A database stamped with a revision this program does not know was written by a newer
version: it is refused rather than "upgraded" by code that cannot understand it.

Start-up speed: Alembic (with mako and pygments) takes ~90 ms to import, so the common
case — the database already at this program's head — is answered from
``KNOWN_REVISIONS`` without it. A test checks that list against the scripts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from desk_app.db.upgrade_report import UpgradeReport
from desk_app.errors import OperationalError
from desk_app.paths import migrations_path

if TYPE_CHECKING:
    from alembic.config import Config

# Every revision under db/migrations/desk/versions, oldest first; the last is the head.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0014",
    "0015",
    "0017",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]

# Pre-upgrade copies kept in the data folder; older ones are removed.
PRE_UPGRADE_KEEP = 3
PRE_UPGRADE_FOLDER = "pre-upgrade"


class DatabaseTooNewError(OperationalError):
    """The database was written by a newer version of the desk app."""

    default_code = "database.too_new"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path("desk")))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _database_file(engine: Engine) -> Path | None:
    name = engine.url.database
    return Path(name) if name and name != ":memory:" else None


def copy_before_upgrade(engine: Engine, revision: str, folder: Path) -> Path | None:
    """Copy the database file, as stored, into ``folder`` before its schema changes.

    The copy is the file itself (after a checkpoint, with writers locked out), so it is
    protected exactly as the database is and opens with the same program version that
    wrote it. The newest ``PRE_UPGRADE_KEEP`` copies are kept.
    """
    source = _database_file(engine)
    if source is None or not source.exists():
        return None
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%SZ")
    target = folder / f"desk-{revision}-{stamp}.sqlite3"
    raw = engine.raw_connection()  # the driver's own: no transaction begun for us
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute("BEGIN IMMEDIATE")  # no writer while the bytes are copied
        try:
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(source, partial)
            wal = source.with_name(source.name + "-wal")
            if wal.exists() and wal.stat().st_size:
                shutil.copyfile(wal, target.with_name(target.name + "-wal"))
            partial.replace(target)
        finally:
            cur.execute("ROLLBACK")
            cur.close()
    finally:
        raw.close()
    for old in sorted(folder.glob("desk-*.sqlite3"))[:-PRE_UPGRADE_KEEP]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + "-wal").unlink(missing_ok=True)
    return target


def upgrade_to_head(engine: Engine, *, backup_folder: Path | None = None) -> UpgradeReport:
    """Bring the database to the newest schema this program knows.

    An existing database is first copied into ``backup_folder`` when one is given.
    """
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return UpgradeReport(current, HEAD_REVISION)
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            f"cơ sở dữ liệu ở phiên bản lược đồ {current} mà phiên bản ứng dụng này không "
            "biết: nó do một phiên bản mới hơn ghi; hãy cài "
            "phiên bản đó (hoặc mới hơn) để mở"
        )
    backup = None
    if current is not None and backup_folder is not None:
        backup = copy_before_upgrade(engine, current, backup_folder)
    from alembic import command

    from desk_app.db.engine import immediate

    cfg = alembic_config(engine)
    # Under the write lock, asked again: another process starting on the same database
    # may have upgraded it while this one waited.
    with immediate(engine).begin() as conn:
        if (
            conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'")
            ).scalar_one()
            and conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == HEAD_REVISION
        ):
            return UpgradeReport(current, HEAD_REVISION, backup)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    start = KNOWN_REVISIONS.index(current) + 1 if current is not None else 0
    return UpgradeReport(current, HEAD_REVISION, backup, KNOWN_REVISIONS[start:])
