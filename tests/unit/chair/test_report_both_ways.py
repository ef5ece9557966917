"""The report built both ways on a hand-made history: from the summary kept up to date
catch-up by catch-up (events stated in closed periods recorded after the history was
built, as a late sync brings them; dossiers reopened by annulling their closing step),
and from scratch — every dossier's events folded afresh at the period's edges, and the
history rebuilt from nothing. Every number is written out for two months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from desk_app.auth import Officer, Role
from desk_app.clock import LOCAL_ZONE, FixedClock
from desk_app.context import DeskContext
from desk_app.report import count_period
from desk_app.report_history import summary_rows
from tests.unit.chair.dataset import AGENCY, LAND, december_dossiers, receive, step
from tests.unit.chair.reference import count, courses, stored_summary, terms_of

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)
CLERK = Officer("canbo1", "Cán bộ", Role.OFFICER)

PERIODS = (
    (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
    (dt.date(2025, 11, 1), dt.date(2026, 10, 31)),  # a year
    (dt.date(2025, 12, 3), dt.date(2026, 1, 6)),  # edges inside the reopenings
    (dt.date(2026, 1, 5), dt.date(2026, 1, 7)),  # days: reopened on the first and last
    (dt.date(2026, 1, 8), dt.date(2026, 1, 14)),  # reopened before, still open
    (dt.date(2025, 12, 4), dt.date(2025, 12, 4)),  # the day R was reopened
)


def T(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def code(letter: str) -> str:
    return f"{AGENCY}-{letter}"


@contextmanager
def clock_at(ctx: DeskContext, moment: str) -> Iterator[None]:
    """The desk's clock at a local moment (an annulment states the time it is made)."""
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    now = clock.now_utc()
    clock.advance(T(moment).replace(tzinfo=LOCAL_ZONE) - now)
    try:
        yield
    finally:
        clock.advance(now - clock.now_utc())


def _from_summary(ctx: DeskContext) -> dict[tuple[dt.date, dt.date, str], dict]:
    ctx.reports.refresh_history()
    out = {}
    with ctx.db.read() as s:
        for date_from, date_to in PERIODS:
            for by in ("field", "procedure"):
                out[(date_from, date_to, by)] = terms_of(count_period(s, date_from, date_to, by))  # type: ignore[arg-type]
    return out


def _from_scratch(ctx: DeskContext) -> dict[tuple[dt.date, dt.date, str], dict]:
    with ctx.db.read() as s:
        folded = courses(s)
    return {
        (date_from, date_to, by): count(folded, date_from, date_to, by)  # type: ignore[arg-type]
        for date_from, date_to in PERIODS
        for by in ("field", "procedure")
    }


def _checked(ctx: DeskContext) -> None:
    """Every period's report passes its invariant (``period`` raises otherwise)."""
    for date_from, date_to in PERIODS:
        for by in ("field", "procedure"):
            ctx.reports.period(date_from, date_to, CHAIR, by)  # type: ignore[arg-type]


@pytest.fixture
def built(profiled_ctx: DeskContext) -> DeskContext:
    """The first part of the history, with the report history built over it."""
    ctx = profiled_ctx
    life = ctx.lifecycle
    # A: resolved early and returned before December.
    receive(ctx, "A", T("2025-11-20 09:00"), T("2025-11-25 17:00"))
    step(ctx, "A", "result_ready", T("2025-11-24 10:00"))
    step(ctx, "A", "returned", T("2025-11-26 08:00"))
    # B: carried into December, resolved on its due day (reopened in January, below).
    receive(ctx, "B", T("2025-11-28 09:00"), T("2025-12-03 17:00"))
    life.result_ready(code("B"), CLERK, at=T("2025-12-03 15:00"))
    # C resolved late, D waiting, E online and overdue, F due on 20/01 (resolved on
    # 9/01 by a late event, below), G due on 19/12 (dataset.py)
    december_dossiers(ctx)
    # G: withdrawn on 18/12 (reopened in January, below).
    life.withdraw(code("G"), CLERK, reason="xin rút", at=T("2025-12-18 09:00"))
    # H: carried over, stopped in December.
    receive(ctx, "H", T("2025-11-15 09:00"), T("2025-11-20 17:00"))
    step(ctx, "H", "stopped", T("2025-12-02 09:00"))
    # J: refused at intake.
    receive(ctx, "J", T("2025-12-05 09:00"), None, status="refused")
    # K: received in January, due in February.
    receive(ctx, "K", T("2026-01-15 09:00"), T("2026-02-05 17:00"))
    # R: received and resolved early in December (reopened the same month, below).
    receive(ctx, "R", T("2025-12-01 09:00"), T("2025-12-05 17:00"))
    life.result_ready(code("R"), CLERK, at=T("2025-12-02 10:00"))
    assert ctx.reports.refresh_history() == 11
    _checked(ctx)
    return ctx


def test_report_kept_up_to_date_equals_report_from_scratch(built: DeskContext) -> None:
    ctx = built
    life = ctx.lifecycle
    assert _from_summary(ctx) == _from_scratch(ctx)

    # Events stated in closed periods, recorded now (what a late sync brings): a land
    # dossier received and resolved late in December; F's result on 9/01; a dossier
    # received in November and still open.
    receive(ctx, "Z", T("2025-12-03 09:00"), T("2025-12-08 17:00"), procedure=LAND, desk=2)
    step(ctx, "Z", "result_ready", T("2025-12-09 10:00"))
    life.result_ready(code("F"), CLERK, at=T("2026-01-09 10:00"))
    receive(ctx, "Y", T("2025-11-10 09:00"), T("2025-11-14 17:00"))
    assert _from_summary(ctx) == _from_scratch(ctx)

    # Reopened: R's result annulled on 4/12 and made again on 6/12, past its due day;
    # G's withdrawal annulled on 5/01 (open again, overdue); B's result annulled on
    # 7/01 and made again on 15/01, late.
    with clock_at(ctx, "2025-12-04 09:00"):
        life.annul(code("R"), CLERK, reason="nhầm hồ sơ")
    life.result_ready(code("R"), CLERK, at=T("2025-12-06 10:00"))
    with clock_at(ctx, "2026-01-05 09:00"):
        life.annul(code("G"), CLERK, reason="công dân không rút nữa")
    with clock_at(ctx, "2026-01-07 09:00"):
        life.annul(code("B"), CLERK, reason="kết quả sai")
    life.result_ready(code("B"), CLERK, at=T("2026-01-15 10:00"))
    kept = _from_summary(ctx)
    assert kept == _from_scratch(ctx)
    _checked(ctx)

    december = kept[(dt.date(2025, 12, 1), dt.date(2025, 12, 31), "field")]
    assert december["Hộ tịch"] == {
        "received_total": 8, "received_in_person": 4, "carried_over": 4,  # B C H Y; D F G R
        "resolved_total": 3, "resolved_on_time": 1, "resolved_late": 2,  # B; C R
        "in_progress_total": 3, "in_progress_within_deadline": 2, "in_progress_overdue": 1,
        "withdrawn": 1, "stopped": 1, "refused": 1,  # G; H; J
    }  # fmt: skip
    assert december["Đất đai"] == {
        "received_total": 2, "received_online": 1, "received_in_person": 1,  # E; Z
        "resolved_total": 1, "resolved_late": 1, "in_progress_total": 1,
        "in_progress_overdue": 1,
    }  # fmt: skip
    january = kept[(dt.date(2026, 1, 1), dt.date(2026, 1, 31), "field")]
    assert january["Hộ tịch"] == {
        # carried over: D F Y open on 1/01, B and G reopened in January; K new
        "received_total": 6, "received_in_person": 1, "carried_over": 5,
        "resolved_total": 2, "resolved_early": 1, "resolved_late": 1,  # F; B
        "in_progress_total": 4, "in_progress_within_deadline": 2,  # D K
        "in_progress_overdue": 2,  # G Y
    }  # fmt: skip
    assert january["Đất đai"] == {
        "received_total": 1, "carried_over": 1, "in_progress_total": 1,
        "in_progress_overdue": 1,
    }  # fmt: skip

    # and the same summary and report when the history is built again from nothing
    stored = stored_summary(ctx.db)
    assert stored == summary_rows(ctx.db)
    with ctx.db.write() as s:
        for table in ("report_daily", "report_complex", "report_segments", "report_ratings"):
            s.execute(text(f"DELETE FROM {table}"))
        s.execute(text("DELETE FROM report_dossiers"))
        s.execute(text("DELETE FROM report_watermark"))
    assert _from_summary(ctx) == kept
    assert stored_summary(ctx.db) == stored
