"""The report history on demo data with whole histories: one pass gives what folding
every moment afresh gives, and the report's invariant holds in every period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from desk_app.auth import Officer, Role
from desk_app.context import DeskContext
from desk_app.demo import seed_demo
from desk_app.report_history import _EVENT_COLUMNS, _rows_by_dossier, segments_of

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)


def test_one_pass_equals_folding_each_moment(profiled_ctx: DeskContext) -> None:
    seed_demo(profiled_ctx, 400, workers=0)
    with profiled_ctx.db.read() as s:
        rows = s.execute(
            text(
                f"SELECT {_EVENT_COLUMNS} FROM events e LEFT JOIN dossiers d "
                "ON d.uuid = e.dossier_uuid WHERE e.dossier_uuid IS NOT NULL "
                "ORDER BY e.dossier_uuid, e.seq"
            )
        ).all()
    groups = list(_rows_by_dossier(rows))
    assert len(groups) == 400
    multi = 0
    for _uuid, start, events, _dims in groups:
        fast = segments_of(events, start)
        slow = segments_of(events, start, one_pass=False)
        assert fast == slow
        multi += len(fast[0]) > 1
    assert multi > 100  # whole histories: most dossiers changed state after the receipt


def test_invariant_holds_on_demo_histories(profiled_ctx: DeskContext) -> None:
    ctx = profiled_ctx
    seed_demo(ctx, 1500, workers=0)
    periods = [
        (dt.date(2025, 11, 23), dt.date(2026, 11, 22)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ]
    for start, end in periods:
        report = ctx.reports.period(start, end, CHAIR)  # raises when the terms disagree
        assert report.total.received_total > 0
    # what is in progress at the end of yesterday is what the backlog sees open today,
    # less what was received this morning
    november = ctx.reports.period(dt.date(2026, 11, 1), dt.date(2026, 11, 22), CHAIR).total
    backlog = ctx.backlog.backlog(CHAIR)
    today = [i for i in backlog.lists["received_today"] if i.status != "refused"]
    assert november.in_progress_total == backlog.open_total - len(
        [i for i in today if i.status in ("received", "in_progress", "waiting_supplement")]
    )
    assert november.in_progress_overdue == backlog.counts["overdue"]
