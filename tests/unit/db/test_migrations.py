"""The desk schema's migrations: pytest-alembic's built-in checks, the fast start-up
path's list of revisions, refusal of a newer database, and the connection settings."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db import keys
from desk_app.db.engine import make_engine
from desk_app.db.migrate import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    DatabaseTooNewError,
    current_revision,
    upgrade_to_head,
)
from desk_app.db.migrate import (
    alembic_config as desk_alembic_config,
)
from desk_app.db.models import Base
from tests.conftest import REPO_ROOT, RunCli, cli_env, copy_database
from tests.helpers.desk_files import connect_desk

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


@pytest.fixture
def alembic_config() -> Config:
    return desk_alembic_config()


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Iterator[Connection]:
    """A connection of the application's own engine (WAL, foreign keys, explicit BEGIN).

    A Connection, not the Engine: pytest-alembic hands this object to ``env.py`` as
    ``config.attributes["connection"]``, and the desk's ``env.py`` (like the app's own
    ``upgrade_to_head``) passes it straight to ``context.configure(connection=...)``.
    """
    engine = make_engine(tmp_path / "alembic.sqlite3", key=None)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


# ------------------------------------------------------------------ the revision list


def test_known_revisions_are_the_scripts_in_order() -> None:
    script = ScriptDirectory.from_config(desk_alembic_config())
    in_order = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert list(KNOWN_REVISIONS) == in_order
    assert script.get_current_head() == HEAD_REVISION


def test_fresh_database_is_migrated_to_head(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / DATABASE_FILE, key=keys.new_key(tmp_path))
    try:
        assert current_revision(engine) is None
        upgrade_to_head(engine)
        assert current_revision(engine) == HEAD_REVISION
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        upgrade_to_head(engine)  # a second time: the fast path, nothing to do
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()


def test_opening_a_current_database_does_not_import_alembic(desk_template: Path) -> None:
    """The fast start-up path: an up-to-date database never loads Alembic (~90 ms)."""
    probe = (
        "import sys; from pathlib import Path; from desk_app.context import DeskContext; "
        "DeskContext.open(Path(sys.argv[1])).close(); "
        "print('alembic' in sys.modules, 'mako' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(desk_template.parent)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=cli_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------ a newer database


def stamp(database: Path, revision: str) -> None:
    conn = connect_desk(database)
    try:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    finally:
        conn.close()


@pytest.fixture
def future_dir(desk_template: Path, data_dir: Path) -> Path:
    """A data folder whose database says it was written by schema revision 9999."""
    stamp(copy_database(desk_template, data_dir), "9999")
    return data_dir


def test_open_refuses_a_database_from_a_newer_version(future_dir: Path) -> None:
    before = (future_dir / DATABASE_FILE).read_bytes()
    with pytest.raises(DatabaseTooNewError, match=r"lược đồ 9999.*phiên bản mới hơn"):
        DeskContext.open(future_dir)
    assert (future_dir / DATABASE_FILE).read_bytes() == before


def test_cli_refuses_a_database_from_a_newer_version(future_dir: Path, run_cli: RunCli) -> None:
    result = run_cli("procedures")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "phiên bản mới hơn" in lines[0]
    assert lines[0].startswith("desk-app: error:")
    assert result.stdout == ""


# ------------------------------------------------------------------ connection settings


def test_journal_mode_is_wal(desk_ctx: DeskContext) -> None:
    with desk_ctx.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    conn2 = connect_desk(desk_ctx.data_dir / DATABASE_FILE)
    try:
        assert conn2.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn2.close()


def test_foreign_keys_are_enforced(desk_ctx: DeskContext) -> None:
    with desk_ctx.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), desk_ctx.db.write() as s:
        s.execute(
            text(
                "INSERT INTO procedures (catalogue_version_id, code, name, field, "
                "duration_kind, duration_note, fee_text, documents, search_text) "
                "VALUES (999999, 'X', 'X', 'X', 'none', '', '', '[]', '')"
            )
        )
