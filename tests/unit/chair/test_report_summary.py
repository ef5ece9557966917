"""The report's summary (``report_daily``): kept up to date refold by refold, it equals
the summary computed afresh from the segments, and a report read from it equals the
same terms counted from scratch, each dossier's events folded at the period's edges."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.demo import seed_demo
from desk_app.report import count_period, series
from desk_app.report_history import (
    RESOLVED,
    summary_rows,
)
from desk_app.report_history import catch_up as catch_up_history
from tests.unit.chair.dataset import receive, step
from tests.unit.chair.reference import count, courses, stored_summary, terms_of

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)
CLERK = Officer("canbo1", "Cán bộ", Role.OFFICER)


def _complex(ctx: DeskContext) -> set[int]:
    with ctx.db.read() as s:
        return set(s.execute(text("SELECT dossier_id FROM report_complex")).scalars())


def _later(ctx: DeskContext, minutes: int = 5) -> None:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(dt.timedelta(minutes=minutes))


def _open_codes(ctx: DeskContext, n: int) -> list[str]:
    with ctx.db.read() as s:
        return list(
            s.execute(
                text(
                    "SELECT code FROM dossiers WHERE status IN ('received', 'in_progress') "
                    "ORDER BY code LIMIT :n"
                ),
                {"n": n},
            ).scalars()
        )


PERIODS = (
    (dt.date(2025, 11, 23), dt.date(2026, 11, 22)),  # a year, across the new year
    (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # a month
    (dt.date(2026, 7, 15), dt.date(2026, 9, 3)),  # months cut at both ends
    (dt.date(2026, 11, 20), dt.date(2026, 11, 23)),  # days, up to today
    (dt.date(2023, 2, 1), dt.date(2024, 2, 29)),  # across two Tết and a leap day
)


@pytest.fixture
def demo(profiled_ctx: DeskContext) -> DeskContext:
    seed_demo(profiled_ctx, 400, workers=0)
    profiled_ctx.reports.refresh_history()
    return profiled_ctx


def test_first_build_summary_equals_summary_from_scratch(demo: DeskContext) -> None:
    stored = stored_summary(demo.db)
    assert stored == summary_rows(demo.db)
    assert len(stored) > 1000  # per day and per month, for every metric
    assert {m for m, *_ in stored} >= {1, 2, 3, 11, 21, 101, 111, 121}


def test_kept_summary_equals_summary_from_scratch(demo: DeskContext) -> None:
    ctx = demo
    codes = _open_codes(ctx, 4)
    ctx.lifecycle.withdraw(codes[0], CLERK, reason="xin rút")
    ctx.lifecycle.result_ready(codes[1], CLERK)
    ctx.lifecycle.result_ready(codes[2], CLERK)
    _later(ctx)
    # a result annulled: the dossier leaves a closed state again (counted from segments)
    ctx.lifecycle.annul(codes[2], CLERK, reason="nhầm hồ sơ")
    # a dossier that arrives by a late sync, with its past, into a closed period
    receive(ctx, "LATE", dt.datetime(2026, 3, 2, 9), dt.datetime(2026, 3, 5, 17))
    step(ctx, "LATE", "result_ready", dt.datetime(2026, 3, 9, 10))
    assert ctx.reports.refresh_history() == 4
    stored = stored_summary(ctx.db)
    assert stored == summary_rows(ctx.db)
    assert len(_complex(ctx)) == 1
    # and the same as building everything again from the events
    with ctx.db.write() as s:
        for table in ("report_daily", "report_complex", "report_segments", "report_ratings"):
            s.execute(text(f"DELETE FROM {table}"))
        s.execute(text("DELETE FROM report_dossiers"))
        s.execute(text("DELETE FROM report_watermark"))
    assert ctx.reports.refresh_history() > 400
    assert stored_summary(ctx.db) == stored
    assert len(_complex(ctx)) == 1


def test_report_from_summary_equals_counting_segments(demo: DeskContext) -> None:
    ctx = demo
    codes = _open_codes(ctx, 3)
    ctx.lifecycle.result_ready(codes[0], CLERK)
    _later(ctx)
    ctx.lifecycle.annul(codes[0], CLERK, reason="nhầm hồ sơ")
    _later(ctx)
    ctx.lifecycle.result_ready(codes[0], CLERK)  # resolved again: two runs, one counts
    ctx.lifecycle.stop(codes[1], CLERK, reason="không đủ điều kiện")
    ctx.reports.refresh_history()
    assert len(_complex(ctx)) == 1
    with ctx.db.read() as s:
        folded = courses(s)
    for date_from, date_to in PERIODS:
        for by in ("field", "procedure"):
            with ctx.db.read() as s:
                counted = terms_of(count_period(s, date_from, date_to, by))  # type: ignore[arg-type]
            reference = count(folded, date_from, date_to, by)  # type: ignore[arg-type]
            for terms in counted.values():
                terms.pop("refused", None), terms.pop("guided", None)  # outcomes too
            for terms in reference.values():
                terms.pop("refused", None), terms.pop("guided", None)
            counted = {k: v for k, v in counted.items() if v}
            reference = {k: v for k, v in reference.items() if v}
            assert counted == reference, (date_from, date_to, by)
        report = ctx.reports.period(date_from, date_to, CHAIR)  # the invariant holds
        assert report.total.received_total > 0


def test_series_from_summary_counts_each_result_once(demo: DeskContext) -> None:
    ctx = demo
    code = _open_codes(ctx, 1)[0]
    today = dt.date(2026, 11, 23)
    with ctx.db.read() as s:
        before = series(s, today, today, "day")[0]
    ctx.lifecycle.result_ready(code, CLERK)
    _later(ctx)
    ctx.lifecycle.annul(code, CLERK, reason="nhầm")
    _later(ctx)
    ctx.lifecycle.result_ready(code, CLERK)
    ctx.reports.refresh_history()
    assert len(_complex(ctx)) == 1
    with ctx.db.read() as s:
        after = series(s, today, today, "day")[0]
    # resolved, annulled, resolved again the same day: two runs, both in the chart
    with ctx.db.read() as s:
        runs = s.execute(
            text(
                "SELECT count(*) FROM report_segments c JOIN report_dossiers rd "
                "ON rd.id = c.dossier_id JOIN dossiers d ON d.uuid = rd.dossier_uuid "
                f"WHERE d.code = :c AND c.state = {RESOLVED} AND NOT EXISTS (SELECT 1 FROM "
                "report_segments b WHERE b.dossier_id = c.dossier_id AND b.valid_to = "
                f"c.valid_from AND b.state = {RESOLVED})"
            ),
            {"c": code},
        ).scalar_one()
    assert after.resolved - before.resolved == runs


def test_history_build_reports_progress(profiled_ctx: DeskContext) -> None:
    seed_demo(profiled_ctx, 300, workers=0)
    seen: list[tuple[int, int]] = []
    assert catch_up_history(profiled_ctx.db, lambda d, t: seen.append((d, t))) == 300
    assert seen[-1] == (300, 300)
    assert all(t == 300 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
