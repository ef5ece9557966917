"""Alembic migrations applied from code at start-up.

A database stamped with a revision this program does not know was written by a newer
version: it is refused rather than "upgraded" by code that cannot understand it.

Start-up speed: Alembic (with mako and pygments) takes ~90 ms to import, so the common
case — the database already at this program's head — is answered from
``KNOWN_REVISIONS`` without it. A test checks that list against the scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

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
    "0012",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]


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


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the newest schema this program knows."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            f"cơ sở dữ liệu ở phiên bản lược đồ {current} mà phiên bản ứng dụng này không "
            "biết: nó do một phiên bản mới hơn ghi; hãy cài "
            "phiên bản đó (hoặc mới hơn) để mở"
        )
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
