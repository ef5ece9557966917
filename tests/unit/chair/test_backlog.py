"""The chair's backlog on a desk whose clock stands at Monday 23/11/2026 09:00 — the day
before Ngày Văn hóa Việt Nam (24/11), a day off: the warning window of two working days
is 25 and 26/11."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desk_app.auth import Officer, PermissionDeniedError, Role
from desk_app.backlog import BacklogFilter, BacklogFilterError
from desk_app.commune_settings import SettingError
from desk_app.context import DeskContext
from tests.unit.chair.dataset import LAND, receive, step

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def desk(profiled_ctx: DeskContext) -> DeskContext:
    ctx = profiled_ctx
    # overdue since Thursday 19/11: late Friday 20 and Monday 23 = 2 working days
    receive(ctx, "O1", T("2026-11-16 09:00"), T("2026-11-19 17:00"), holder="tuphap")
    # overdue since Friday 13/11, held by a unit, another desk
    receive(ctx, "O2", T("2026-11-10 09:00"), T("2026-11-13 17:00"), procedure=LAND,
            holder="diachinh", desk=2)  # fmt: skip
    receive(ctx, "T1", T("2026-11-18 09:00"), T("2026-11-23 17:00"), holder="tuphap")
    receive(ctx, "S1", T("2026-11-20 09:00"), T("2026-11-26 17:00"), holder="tuphap")
    receive(ctx, "S2", T("2026-11-20 10:00"), T("2026-11-27 17:00"), holder="tuphap")
    receive(ctx, "W1", T("2026-11-12 09:00"), T("2026-11-17 17:00"), holder="tuphap")
    step(ctx, "W1", "waiting_supplement", T("2026-11-13 09:00"))
    receive(ctx, "R1", T("2026-11-23 08:30"), T("2026-11-27 17:00"))
    receive(ctx, "RET", T("2026-11-19 08:30"), T("2026-11-20 17:00"))
    step(ctx, "RET", "result_ready", T("2026-11-20 16:00"))
    step(ctx, "RET", "returned", T("2026-11-23 08:00"))
    return ctx


def test_tiles_and_lists(desk: DeskContext) -> None:
    b = desk.backlog.backlog(CHAIR)
    assert b.counts == {
        "due_today": 1, "overdue": 2, "due_soon": 1, "waiting_supplement": 1,
        "received_today": 1, "returned_today": 1,
    }  # fmt: skip
    overdue = [(i.code.split("-")[-1], i.days_late, i.holder) for i in b.lists["overdue"]]
    assert overdue == [("O2", 6, "diachinh"), ("O1", 2, "tuphap")]
    assert [i.code.split("-")[-1] for i in b.lists["due_soon"]] == ["S1"]
    assert b.open_total == 7
    assert b.by_holder["tuphap"] == {
        "open": 5, "overdue": 1, "due_today": 1, "due_soon": 1, "waiting_supplement": 1,
    }  # fmt: skip
    assert b.by_field["Đất đai"]["overdue"] == 1
    assert sum(n for _, n in b.by_age) == 7


def test_window_and_filters(desk: DeskContext) -> None:
    wide = desk.backlog.backlog(CHAIR, warning_days=3)
    assert {i.code[-2:] for i in wide.lists["due_soon"]} == {"S1", "S2", "R1"}
    second = desk.backlog.backlog(CHAIR, BacklogFilter(desk=2))
    assert second.open_total == 1 and second.counts["overdue"] == 1
    land = desk.backlog.backlog(CHAIR, BacklogFilter(field="Đất đai"))
    assert land.open_total == 1
    recent = desk.backlog.backlog(CHAIR, BacklogFilter(received_from=dt.date(2026, 11, 18)))
    assert recent.open_total == 4
    with pytest.raises(BacklogFilterError):
        desk.backlog.backlog(
            CHAIR,
            BacklogFilter(received_from=dt.date(2026, 11, 2), received_to=dt.date(2026, 11, 1)),
        )


def test_the_window_is_the_communes_setting(desk: DeskContext) -> None:
    admin = Officer("quantri", "Quản trị", Role.ADMIN)
    desk.settings.set("warning_days", "3", admin)
    assert desk.backlog.warning_days() == 3
    assert {i.code[-2:] for i in desk.backlog.backlog(CHAIR).lists["due_soon"]} == {
        "S1", "S2", "R1"
    }  # fmt: skip
    with pytest.raises(SettingError):
        desk.settings.set("warning_days", "31", admin)


def test_a_report_ending_today_has_the_backlogs_ages(desk: DeskContext) -> None:
    # the PDF report's chart and the screen's come from the same buckets and numbers
    backlog = desk.backlog.backlog(CHAIR)
    report = desk.reports.period(dt.date(2026, 11, 1), backlog.today, CHAIR)
    assert report.backlog_by_age == backlog.by_age
    assert [n for _, n in backlog.by_age] == [1, 3, 1, 2, 0, 0]  # R1; T1 S1 S2; O1; O2 W1


def test_officer_may_not_see_the_backlog(desk: DeskContext) -> None:
    with pytest.raises(PermissionDeniedError):
        desk.backlog.backlog(Officer("canbo1", "Cán bộ", Role.OFFICER))


def test_daily_sheet_reads_back(desk: DeskContext, tmp_path: Path) -> None:
    import subprocess

    from desk_app.report_pdf import render_backlog_sheet

    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(
        render_backlog_sheet(desk.backlog.backlog(CHAIR), "UBND XÃ TÂN PHÚ", "BỘ PHẬN", "Tân Phú")
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "TÌNH HÌNH HỒ SƠ CẦN XỬ LÝ NGÀY 23/11/2026" in text
    assert "1. Hồ sơ quá hạn (2)" in text and "3. Hồ sơ chờ bổ sung (1)" in text
    assert "diachinh" in text and "000.20.33.H12-O2" in text
    lines = [ln for ln in text.splitlines() if "000.20.33.H12-O1" in ln]
    assert lines and " 2 " in lines[0] and "tuphap" in lines[0]
