"""Fixtures and helpers of the intake, auth, audit and lifecycle tests.

Self-contained on purpose (the shared ``tests/conftest.py`` may change under us): a real
SQLite desk database per test, copied from a template built once per session with the
commune profile of Xã Tân Phú (Đồng Nai, 000.20.33.H12, desk 1) and three accounts. The
clock is fixed at Monday 23/11/2026 09:00, the day before Ngày Văn hóa Việt Nam.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.intake import ApplicantInput, IntakeRequest
from desk_app.profile import Profile
from tests.helpers.desk_files import connect_desk, copy_desk_database

NOW = dt.datetime(2026, 11, 23, 9, 0)
AGENCY = "000.20.33.H12"
PROFILE = Profile(commune_name="Xã Tân Phú", province="Đồng Nai", agency_code=AGENCY, desk_number=1)
PASSWORD = "mat-khau-tan-phu"

ADMIN = Officer("quan.tri", "Võ Minh Quân", Role.ADMIN)
OFFICER = Officer("lan.nt", "Nguyễn Thị Lan", Role.OFFICER)
CHAIR = Officer("chu.tich", "Phạm Đức Thắng", Role.CHAIR)

# A woman born in 2001 (century digit 3), registered in TP.HCM (079).
CCCD = "079301001234"
CCCD_MASKED = "0793******34"
APPLICANT_NAME = "Trần Thị Hồng Nhung"

BIRTH = "1.001193"  # Đăng ký khai sinh: same day
MARRIAGE_STATUS = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days


def applicant(**changes: Any) -> ApplicantInput:
    base = ApplicantInput(
        name=APPLICANT_NAME,
        cccd=CCCD,
        date_of_birth=dt.date(2001, 5, 2),
        phone="0912 345 678",
        address="Ấp Bình Thạnh, Xã Tân Phú, Đồng Nai",
        email="nhung.tran@example.vn",
    )
    return replace(base, **changes)


def request(**changes: Any) -> IntakeRequest:
    """A valid birth-registration request; ``applicant`` may be a dict of changes."""
    a = changes.pop("applicant", None)
    base = IntakeRequest(
        procedure_code=BIRTH,
        applicant=applicant(**a) if isinstance(a, dict) else a or applicant(),
    )
    return replace(base, **changes)


def build_desk(folder: Path, *, users: bool = True) -> DeskContext:
    """Open (creating) a desk database in ``folder`` with the profile and, optionally,
    the three accounts (the first an administrator)."""
    ctx = DeskContext.open(folder, FixedClock(NOW))
    ctx.profiles.save(PROFILE, utc_naive(ctx.clock))
    if users:
        for o in (ADMIN, OFFICER, CHAIR):
            # The set-up creates the administrator, who then creates the others.
            by = "setup" if o is ADMIN else ADMIN.username
            ctx.users.add(o.username, o.full_name, o.role, PASSWORD, by=by)
    return ctx


_TEMPLATE: dict[str, Path] = {}


@pytest.fixture(scope="session")
def desk_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "db" not in _TEMPLATE:
        folder = tmp_path_factory.mktemp("intake-template")
        build_desk(folder).close()
        conn = connect_desk(folder / DATABASE_FILE)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _TEMPLATE["db"] = folder / DATABASE_FILE
    return _TEMPLATE["db"]


@pytest.fixture
def desk_folder(desk_template_db: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "desk"
    copy_desk_database(desk_template_db, folder)
    return folder


@pytest.fixture
def desk(desk_folder: Path) -> Iterator[DeskContext]:
    """A desk with profile and accounts, on its own database file, clock at ``NOW``."""
    ctx = DeskContext.open(desk_folder, FixedClock(NOW))
    yield ctx
    ctx.close()


def clock_of(ctx: DeskContext) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def rows(ctx: DeskContext, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Raw rows from the desk database file (a separate connection: what is committed)."""
    conn = connect_desk(ctx.data_dir / DATABASE_FILE)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(ctx: DeskContext, table: str) -> int:
    return int(rows(ctx, f"SELECT count(*) FROM {table}")[0][0])


def table_counts(ctx: DeskContext) -> dict[str, int]:
    tables = ("dossiers", "events", "receipts", "audit_log", "dossier_code_counters",
              "register_counters")  # fmt: skip
    return {t: count(ctx, t) for t in tables}


__all__ = [
    "ADMIN", "AGENCY", "APPLICANT_NAME", "BIRTH", "CCCD", "CCCD_MASKED", "CHAIR",
    "MARRIAGE_STATUS", "NOW", "OFFICER", "PASSWORD", "PROFILE", "applicant", "build_desk",
    "clock_of", "count", "desk", "desk_folder", "desk_template_db", "request", "rows",
    "table_counts",
]  # fmt: skip
