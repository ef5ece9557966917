"""The administrator's audit view in the core: filters, CSV export (itself audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from desk_app import audit
from desk_app.auth import Officer, PermissionDeniedError, Role
from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.report_audit import AuditFilter, AuditFilterError

ADMIN = Officer("quantri", "Quản trị", Role.ADMIN)
CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)


@pytest.fixture
def logged(desk_ctx: DeskContext) -> DeskContext:
    code = "000.20.33.H12-2611"
    entries = [
        (dt.datetime(2026, 11, 20, 2, 0), "canbo1", "view", "dossier", code + "20-1001"),
        (dt.datetime(2026, 11, 21, 3, 0), "canbo1", "print", "receipt", code + "21-1002"),
        (dt.datetime(2026, 11, 22, 23, 30), "chutich", "export", "report", "2026-11"),
    ]
    with desk_ctx.db.write() as s:
        for at, user, action, kind, ref in entries:
            audit.record(s, at_utc=at, username=user, action=action, object_type=kind,
                         object_ref=ref)  # type: ignore[arg-type]  # fmt: skip
    return desk_ctx


def test_filters(logged: DeskContext) -> None:
    log = logged.audit_log
    rows = log.search(ADMIN, AuditFilter())
    assert [r.username for r in rows[:3]] == ["chutich", "canbo1", "canbo1"]
    assert len(log.search(ADMIN, AuditFilter(username="canbo1"))) == 2
    [one] = log.search(ADMIN, AuditFilter(object_ref="261121"))
    assert one.action == "print"
    # 22/11 23:30 UTC is 23/11 06:30 in Vietnam: local days
    [late] = log.search(ADMIN, AuditFilter(date_from=dt.date(2026, 11, 23),
                                           date_to=dt.date(2026, 11, 23)))  # fmt: skip
    assert late.at == dt.datetime(2026, 11, 23, 6, 30)
    with pytest.raises(AuditFilterError):
        log.search(ADMIN, AuditFilter(date_from=dt.date(2026, 11, 2), date_to=dt.date(2026, 11, 1)))
    with pytest.raises(PermissionDeniedError):
        log.search(CHAIR, AuditFilter())


def test_csv_export_is_audited(logged: DeskContext, desk_clock: FixedClock) -> None:
    data = logged.audit_log.export_csv(ADMIN, AuditFilter(username="canbo1"))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["thoi_gian", "can_bo", "hanh_dong"]
    assert [r[1] for r in rows[1:]] == ["canbo1", "canbo1"]
    [latest] = logged.audit_log.search(ADMIN, AuditFilter(username="quantri"))
    assert (latest.action, latest.object_type, latest.detail) == ("export", "audit_log", "2 dòng")
