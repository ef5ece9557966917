"""The Alembic migrations build exactly the tables the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from district_server.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    migrations_dir,
)
from district_server.models import Base


def test_migrations_match_the_models(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    try:
        assert current_revision(engine) is None
        assert migrate(engine) == head_revision()
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []

        command.downgrade(alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate(engine) == head_revision()
        assert {"communes", "desks", "enrollment_codes", "credentials", "events"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_migration_scripts_location_can_be_overridden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    assert migrations_dir().is_dir()
    monkeypatch.setenv("DISTRICT_SERVER_ROOT", str(tmp_path))
    assert migrations_dir() == tmp_path / "db" / "migrations" / "district"
    engine = make_engine(sqlite_url)
    try:
        with pytest.raises(FileNotFoundError, match="migration scripts not found"):
            migrate(engine)
    finally:
        engine.dispose()
