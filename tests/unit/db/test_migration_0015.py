"""Revision 0015 on a database with accounts and a profile: nobody is made to change a
password, the receipt keeps the template's words, and no recovery code is invented."""

from __future__ import annotations

import datetime as dt

from pytest_alembic import MigrationContext
from sqlalchemy import Connection, text

from tests.unit.db.test_migrations import alembic_config, alembic_engine

__all__ = ["alembic_config", "alembic_engine"]  # fixtures, imported for pytest

NOW = dt.datetime(2026, 11, 23, 9, 0)
PATTERN = "{agency}-{yymmdd}-{desk}{seq:03d}"


def test_accounts_and_profile_survive_with_neutral_values(
    alembic_runner: MigrationContext, alembic_engine: Connection
) -> None:
    alembic_runner.migrate_up_before("0015")
    alembic_runner.insert_into(
        "users",
        [
            {"username": "quantri", "full_name": "Lê Văn Quản", "role": "admin",
             "password_hash": "$argon2id$x", "active": True, "created_at": NOW},
            {"username": "canbo", "full_name": "Trần Văn Bình", "role": "officer",
             "password_hash": "$argon2id$y", "active": False, "created_at": NOW},
        ],
    )  # fmt: skip
    alembic_runner.insert_into(
        "commune_profile",
        [
            {"id": 1, "commune_name": "Xã Tân Phú", "province": "Đồng Nai",
             "agency_code": "000.20.33.H12", "desk_number": 1,
             "office_hours": [["07:30", "11:30"], ["13:00", "17:00"]],
             "same_day_cutoff": dt.time(15, 0), "dossier_code_pattern": PATTERN,
             "idle_lock_minutes": 10, "result_place": "Quầy 1", "created_at": NOW},
        ],
    )  # fmt: skip
    alembic_runner.migrate_up_one()
    conn = alembic_engine
    users = conn.execute(
        text("SELECT username, active, must_change_password, password_hash FROM users "
             "ORDER BY username")
    ).all()  # fmt: skip
    assert [tuple(u) for u in users] == [
        ("canbo", 0, 0, "$argon2id$y"),
        ("quantri", 1, 0, "$argon2id$x"),
    ]
    profile = conn.execute(
        text("SELECT result_place, receipt_unit_name, receipt_notes FROM commune_profile")
    ).one()
    assert tuple(profile) == ("Quầy 1", "", "[]")
    assert conn.execute(text("SELECT count(*) FROM recovery_codes")).scalar() == 0
    alembic_runner.migrate_down_one()
    columns = [r[1] for r in conn.execute(text("PRAGMA table_info(users)"))]
    assert "must_change_password" not in columns
