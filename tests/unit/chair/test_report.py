"""The period report (Biểu II.06a) on hand-made histories whose every number is known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desk_app.auth import Officer, Role
from desk_app.clock import LOCAL_ZONE, FixedClock
from desk_app.context import DeskContext
from desk_app.intake_outcomes import Visitor
from desk_app.report import ReportInvariantError, ReportRow
from event_schema import MissingItem
from tests.unit.chair.dataset import AGENCY, BIRTH, LAND, december_dossiers, receive, step

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)
OFFICER = Officer("canbo1", "Cán bộ", Role.OFFICER)
CLERK = OFFICER
OLD_CATALOGUE = Path(__file__).parents[1] / "data" / "catalogue-2025-sample.json"


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def history(profiled_ctx: DeskContext) -> DeskContext:
    """Twelve dossiers around December 2025 – January 2026 (see each line)."""
    ctx = profiled_ctx
    # A: closed before the period (early), then returned.
    receive(ctx, "A", T("2025-11-20 09:00"), T("2025-11-25 17:00"))
    step(ctx, "A", "result_ready", T("2025-11-24 10:00"))
    step(ctx, "A", "returned", T("2025-11-26 08:00"))
    # B: carried over, resolved on the due day (on time).
    receive(ctx, "B", T("2025-11-28 09:00"), T("2025-12-03 17:00"))
    step(ctx, "B", "in_progress", T("2025-11-28 10:00"))
    step(ctx, "B", "result_ready", T("2025-12-03 15:00"))
    # C late, D waiting, E online and overdue, F within, G received (dataset.py)
    december_dossiers(ctx)
    # G: withdrawn in the period.
    step(ctx, "G", "withdrawn", T("2025-12-18 09:00"))
    # H: carried over, stopped in the period.
    receive(ctx, "H", T("2025-11-15 09:00"), T("2025-11-20 17:00"))
    step(ctx, "H", "stopped", T("2025-12-02 09:00"))
    # I: received and resolved early in the period, after the new year.
    receive(ctx, "I", T("2026-01-05 09:00"), T("2026-01-08 17:00"))
    step(ctx, "I", "result_ready", T("2026-01-06 09:00"))
    # J: refused at intake (counted apart, never received).
    receive(ctx, "J", T("2025-12-05 09:00"), None, status="refused")
    # K: received after the period.
    receive(ctx, "K", T("2026-01-15 09:00"), T("2026-01-20 17:00"))
    # L: received in the period, resolved after it: in progress and overdue at its end.
    receive(ctx, "L", T("2025-12-29 09:00"), T("2026-01-05 17:00"), procedure=LAND)
    step(ctx, "L", "result_ready", T("2026-01-12 09:00"))
    # M: extended (apology, new date 10/12), then resolved on 8/12: late against the
    # original 4/12 all the same; returned with a rating.
    receive(ctx, "M", T("2025-12-01 09:00"), T("2025-12-04 17:00"))
    life = ctx.lifecycle
    life.extend(f"{AGENCY}-M", CLERK, new_due=dt.date(2025, 12, 10), reason="Cần xác minh",
                at=T("2025-12-03 09:00"))  # fmt: skip
    life.result_ready(f"{AGENCY}-M", CLERK, at=T("2025-12-08 10:00"))
    life.return_result(f"{AGENCY}-M", CLERK, rating="Hài lòng", at=T("2025-12-09 08:00"))
    # N: waits for a supplement from 3/12 to 15/12; the duration restarts (due 18/12);
    # resolved on the new due day: on time.
    receive(ctx, "N", T("2025-12-02 09:00"), T("2025-12-05 17:00"))
    life.request_supplement(f"{AGENCY}-N", CLERK, reason="Thiếu giấy tờ", at=T("2025-12-03 09:00"))
    life.supplement_received(f"{AGENCY}-N", CLERK, at=T("2025-12-15 09:00"))
    life.result_ready(f"{AGENCY}-N", CLERK, at=T("2025-12-18 10:00"))
    # A guided visit and a refusal on 11 and 12 December (intake outcomes, no dossier),
    # under the catalogue then in force.
    ctx.catalogue.load_file(OLD_CATALOGUE, T("2025-06-01 08:00"))
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    now = clock.now_utc()
    for day, act in ((11, "guide"), (12, "refuse")):
        clock.advance(T(f"2025-12-{day} 10:00").replace(tzinfo=LOCAL_ZONE) - clock.now_utc())
        visitor = Visitor(BIRTH, "Lê Văn Bình")
        if act == "guide":
            ctx.intake_outcomes.guide(visitor, CLERK, items=[MissingItem("Giấy chứng sinh", "")])
        else:
            ctx.intake_outcomes.refuse(visitor, CLERK, reason="Không thuộc thẩm quyền")
    clock.advance(now - clock.now_utc())
    return ctx


def _terms(row: ReportRow) -> dict[str, int]:
    return {k: v for k, v in row.to_json().items() if isinstance(v, int)}


def test_year_boundary_period_counts_every_term(history: DeskContext) -> None:
    report = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR)
    assert _terms(report.total) == {
        "received_total": 11, "received_online": 1, "received_in_person": 7, "carried_over": 3,
        "resolved_total": 5, "resolved_early": 1, "resolved_on_time": 2, "resolved_late": 2,
        "in_progress_total": 4, "in_progress_within_deadline": 2, "in_progress_overdue": 2,
        "withdrawn": 1, "stopped": 1, "refused": 2, "guided": 1,
    }  # fmt: skip
    by_label = {r.label: r for r in report.rows}
    assert set(by_label) == {"Hộ tịch", "Đất đai"}
    land = by_label["Đất đai"]
    assert (land.received_total, land.received_online, land.in_progress_overdue) == (2, 1, 2)
    civil = by_label["Hộ tịch"]
    assert (civil.carried_over, civil.resolved_total, civil.in_progress_total) == (3, 5, 2)
    assert (civil.refused, civil.guided) == (2, 1)
    assert report.total.progress == pytest.approx(60.0)
    [rated] = report.satisfaction
    assert (rated.officer, rated.counts) == ("canbo1", {"Hài lòng": 1})
    assert report.rating_levels == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


def test_in_progress_at_the_end_by_age(history: DeskContext) -> None:
    """At the end of 10/01/2026: F (received 22/12, 19 days) and L (29/12, 12 days),
    E (20/12, 21 days), D (10/12, 31 days, waiting) — the report's in progress, by age."""
    report = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR)
    assert report.backlog_by_age == [
        ("0–2 ngày", 0), ("3–5 ngày", 0), ("6–10 ngày", 0), ("11–20 ngày", 2),
        ("21–30 ngày", 1), ("trên 30 ngày", 1),
    ]  # fmt: skip
    assert sum(n for _, n in report.backlog_by_age) == report.total.in_progress_total
    # on 10/12: D received that day, N (2/12) waiting
    earlier = history.reports.period(dt.date(2025, 12, 1), dt.date(2025, 12, 10), CHAIR)
    assert dict(earlier.backlog_by_age) == {
        "0–2 ngày": 1, "3–5 ngày": 0, "6–10 ngày": 1, "11–20 ngày": 0, "21–30 ngày": 0,
        "trên 30 ngày": 0,
    }  # fmt: skip


def test_each_term_is_read_at_its_own_moment(history: DeskContext) -> None:
    """On 10/12 at midnight, N waits for its supplement: within the deadline although its
    first due day (5/12) is past; M is resolved (late, extension or not)."""
    t = history.reports.period(dt.date(2025, 12, 1), dt.date(2025, 12, 10), CHAIR).total
    assert (t.carried_over, t.received_total) == (3, 6)  # B C H + D M N
    assert (t.resolved_total, t.resolved_on_time, t.resolved_late) == (3, 1, 2)  # B; C M
    # D (due 15/12) and N (waiting) within the deadline; H stopped; G not yet received
    assert (t.in_progress_total, t.in_progress_within_deadline, t.in_progress_overdue) == (2, 2, 0)
    assert (t.withdrawn, t.stopped) == (0, 1)


def test_a_late_event_changes_a_past_period(history: DeskContext) -> None:
    """A result recorded today for 9/01 (after a power cut, or synced late) moves F from
    in progress to resolved in the period that ended on 10/01."""
    before = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR).total
    history.lifecycle.result_ready(f"{AGENCY}-F", CLERK, at=T("2026-01-09 15:00"))
    after = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR).total
    assert after.resolved_early == before.resolved_early + 1
    assert after.in_progress_total == before.in_progress_total - 1
    assert after.received_total == before.received_total


def test_across_tet(profiled_ctx: DeskContext) -> None:
    """February 2026: Tết from Monday 16 to Friday 20. Three working days from Thursday
    12/02 end on Tuesday 24/02; from Friday 13/02 on Wednesday 25/02."""
    from desk_app.calendar import Duration

    ctx = profiled_ctx
    calendar = ctx.profiles.calendar()
    three = Duration("working_days", 3)
    due_12 = calendar.due_at(T("2026-02-12 09:00"), three)
    due_13 = calendar.due_at(T("2026-02-13 09:00"), three)
    assert due_12 is not None and due_12.date() == dt.date(2026, 2, 24)
    assert due_13 is not None and due_13.date() == dt.date(2026, 2, 25)
    receive(ctx, "P1", T("2026-01-28 09:00"), T("2026-02-02 17:00"))  # carried over, late
    receive(ctx, "P2", T("2026-02-12 09:00"), due_12)
    ctx.lifecycle.result_ready(f"{AGENCY}-P2", CLERK, at=T("2026-02-24 16:00"))
    receive(ctx, "P3", T("2026-02-13 09:00"), due_13)
    ctx.lifecycle.result_ready(f"{AGENCY}-P3", CLERK, at=T("2026-02-26 09:00"))
    t = ctx.reports.period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), CHAIR).total
    assert (t.carried_over, t.received_total) == (1, 3)
    assert (t.resolved_on_time, t.resolved_late) == (1, 1)
    assert (t.in_progress_total, t.in_progress_overdue) == (1, 1)


def test_previous_month_ends_where_the_next_starts(history: DeskContext) -> None:
    report = history.reports.period(dt.date(2025, 11, 1), dt.date(2025, 11, 30), CHAIR)
    t = report.total
    assert (t.carried_over, t.received_in_person, t.received_total) == (0, 4, 4)
    assert (t.resolved_total, t.resolved_early) == (1, 1)
    # B, C (past its due day 28/11) and H (past 20/11) are open on 30/11 at midnight
    assert (t.in_progress_total, t.in_progress_overdue) == (3, 2)
    december = history.reports.period(dt.date(2025, 12, 1), dt.date(2025, 12, 31), CHAIR)
    assert december.total.carried_over == t.in_progress_total


def test_by_procedure(history: DeskContext) -> None:
    report = history.reports.period(
        dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR, by="procedure"
    )
    assert {r.key for r in report.rows} == {BIRTH, LAND}
    assert sum(r.received_total for r in report.rows) == 11


def test_officer_may_not_run_reports(history: DeskContext) -> None:
    from desk_app.auth import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        history.reports.period(dt.date(2025, 12, 1), dt.date(2025, 12, 31), OFFICER)


def test_invariant_violation_is_an_error() -> None:
    row = ReportRow("x", "Hộ tịch", received_total=3, carried_over=1, received_in_person=2,
                    resolved_total=1, resolved_on_time=1, in_progress_total=1,
                    in_progress_within_deadline=1)  # fmt: skip
    with pytest.raises(ReportInvariantError, match="Hộ tịch"):
        row.check()
    row.withdrawn = 1
    row.check()


def test_pdf_and_xlsx_read_back(history: DeskContext, tmp_path: Path) -> None:
    import subprocess

    from openpyxl import load_workbook

    from desk_app.report_pdf import render_report_pdf
    from desk_app.report_xlsx import write_xlsx

    report = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR)
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(write_xlsx(report))
    ws = load_workbook(xlsx).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[2:17] == [11, 1, 7, 3, 5, 1, 2, 2, 4, 2, 2, 1, 1, 2, 1]
    assert any(r[1] == "Đất đai" and r[2] == 2 for r in rows)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_report_pdf(report))
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in out
    assert "từ ngày 01/12/2025 đến ngày 10/01/2026" in out
    assert "Đất đai" in out and "60.0%" in out
    assert "Hài lòng" in out and "canbo1" in out
    assert "CHỦ TỊCH" in out
    # the backlog-by-age chart: its title, every bucket's label
    flat = " ".join(out.split())
    assert "Hồ sơ đang giải quyết đến hết ngày 10/01/2026, theo số ngày từ khi nhận" in flat
    for label in ("0–2 ngày", "3–5 ngày", "6–10 ngày", "11–20 ngày", "21–30 ngày", "trên 30 ngày"):
        assert label in out
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "landscape" in info or "841.89 x 595.276" in info
