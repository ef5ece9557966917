"""The period report (Biểu II.06a) on hand-made histories whose every number is known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desk_app.auth import Officer, Role
from desk_app.context import DeskContext
from desk_app.report import ReportInvariantError, ReportRow
from tests.unit.chair.dataset import BIRTH, LAND, receive, step

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)
OFFICER = Officer("canbo1", "Cán bộ", Role.OFFICER)


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
    # C: carried over already late, resolved late.
    receive(ctx, "C", T("2025-11-25 09:00"), T("2025-11-28 17:00"))
    step(ctx, "C", "result_ready", T("2025-12-05 09:00"))
    # D: received in the period, waiting for a supplement at its end (within deadline).
    receive(ctx, "D", T("2025-12-10 09:00"), T("2025-12-15 17:00"))
    step(ctx, "D", "waiting_supplement", T("2025-12-12 09:00"))
    # E: online, still open at the end and past its due day (overdue).
    receive(ctx, "E", T("2025-12-20 09:00"), T("2025-12-24 17:00"), procedure=LAND,
            channel="online")  # fmt: skip
    # F: open at the end, due later (within deadline).
    receive(ctx, "F", T("2025-12-22 09:00"), T("2026-01-20 17:00"))
    # G: withdrawn in the period.
    receive(ctx, "G", T("2025-12-15 09:00"), T("2025-12-19 17:00"))
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
    return ctx


def _terms(row: ReportRow) -> dict[str, int]:
    return {k: v for k, v in row.to_json().items() if isinstance(v, int)}


def test_year_boundary_period_counts_every_term(history: DeskContext) -> None:
    report = history.reports.period(dt.date(2025, 12, 1), dt.date(2026, 1, 10), CHAIR)
    assert _terms(report.total) == {
        "received_total": 9, "received_online": 1, "received_in_person": 5, "carried_over": 3,
        "resolved_total": 3, "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1,
        "in_progress_total": 4, "in_progress_within_deadline": 2, "in_progress_overdue": 2,
        "withdrawn": 1, "stopped": 1, "refused": 1, "guided": 0,
    }  # fmt: skip
    by_label = {r.label: r for r in report.rows}
    assert set(by_label) == {"Hộ tịch", "Đất đai"}
    land = by_label["Đất đai"]
    assert (land.received_total, land.received_online, land.in_progress_overdue) == (2, 1, 2)
    civil = by_label["Hộ tịch"]
    assert (civil.carried_over, civil.resolved_total, civil.in_progress_total) == (3, 3, 2)
    assert report.total.progress == pytest.approx(200 / 3)


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
    assert sum(r.received_total for r in report.rows) == 9


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
    assert total[2:17] == [9, 1, 5, 3, 3, 1, 1, 1, 4, 2, 2, 1, 1, 1, 0]
    assert any(r[1] == "Đất đai" and r[2] == 2 for r in rows)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_report_pdf(report))
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in out
    assert "từ ngày 01/12/2025 đến ngày 10/01/2026" in out
    assert "Đất đai" in out and "66.7%" in out
    assert "CHỦ TỊCH" in out
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "landscape" in info or "841.89 x 595.276" in info
