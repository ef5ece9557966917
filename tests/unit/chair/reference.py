"""The period report counted from scratch: every dossier's events folded afresh at the
period's edges with the projection's own ``fold``, no history, no summary — what the
report read from its kept summary must equal.

The rules, written out once more the plain way (a moment ``m`` sees the events stated
before it; see ``desk_app.report``):

* new (online / in person): received in the period, not refused or guided;
* carried over: received before, and open at the start or open at some moment of the
  period (reopened: a closing step annulled);
* in progress at the end: open just before the end; overdue when handling (not waiting
  for a supplement) and the original due time is before the end;
* resolved (by class), withdrawn, stopped: closed so at the end, for a dossier counted
  as received (new or carried over);
* refused, guided: received in the period in that state (dossiers only: intake visits
  without a dossier are not folded here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desk_app.clock import LOCAL_ZONE
from desk_app.db.engine import Database
from desk_app.db.models import Dossier, Event
from desk_app.dossiers import Projection, fold
from desk_app.report import UNKNOWN_GROUP, GroupBy, ReportRow

_EPOCH = dt.datetime(1970, 1, 1)
OPEN_STATUSES = frozenset({"received", "in_progress", "extended", "waiting_supplement"})
CLOSED = {
    "result_ready": "resolved",
    "returned": "resolved",
    "withdrawn": "withdrawn",
    "stopped": "stopped",
}


def _secs(moment: dt.datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _stated(event: Event) -> int:
    """When the event says it happened, in local seconds."""
    for key in ("at", "received_at"):
        value = event.payload.get(key)
        if isinstance(value, str):
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)
            return _secs(moment)
    recorded = event.occurred_at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE)
    return _secs(recorded.replace(tzinfo=None))


@dataclass
class Course:
    """One dossier: its group keys, channel, and the projection after each stated time."""

    field: str
    procedure: str
    online: bool
    steps: list[tuple[int, Projection]]

    def at(self, moment: int) -> Projection | None:
        """The dossier just before ``moment`` (None: not received yet)."""
        found = None
        for when, state in self.steps:
            if when >= moment:
                break
            found = state
        return found


def courses(s: Session) -> list[Course]:
    """Every dossier's course, each moment folded from nothing."""
    fields = {int(i): str(f or "") for i, f in s.execute(text("SELECT id, field FROM procedures"))}
    events: dict[str, list[Event]] = {}
    for event in s.scalars(select(Event).where(Event.dossier_uuid.is_not(None))):
        assert event.dossier_uuid is not None
        events.setdefault(event.dossier_uuid, []).append(event)
    out = []
    for d in s.scalars(select(Dossier)):
        own = events.get(d.uuid, [])
        start = Projection(due_at=d.due_at, original_due_at=d.original_due_at)
        steps = []
        for moment in sorted({_stated(e) for e in own}):
            state, _ = fold([e for e in own if _stated(e) <= moment], start)
            steps.append((moment, state))
        if steps:
            field = fields.get(d.procedure_id, "") if d.procedure_id is not None else ""
            out.append(Course(field or "", d.procedure_code or "", d.channel == "online", steps))
    return out


def count(
    all_courses: list[Course], date_from: dt.date, date_to: dt.date, by: GroupBy
) -> dict[str, dict[str, int]]:
    """Per group: the report's terms that are not zero."""
    f = _secs(dt.datetime.combine(date_from, dt.time()))
    t = _secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    rows: dict[str, dict[str, int]] = {}
    for c in all_courses:
        key = (c.field if by == "field" else c.procedure) or UNKNOWN_GROUP
        terms: dict[str, int] = {}

        def add(*names: str, terms: dict[str, Any] = terms) -> None:
            for name in names:
                terms[name] = terms.get(name, 0) + 1

        received, first = c.steps[0][0], c.steps[0][1].status
        if first in ("refused", "guided"):
            if f <= received < t:
                add(first)
        else:
            new = f <= received < t
            start, end = c.at(f), c.at(t)
            open_during = (start is not None and start.status in OPEN_STATUSES) or any(
                f <= when < t and state.status in OPEN_STATUSES for when, state in c.steps
            )
            if new:
                add("received_total", "received_online" if c.online else "received_in_person")
            elif open_during:
                add("received_total", "carried_over")
            if end is not None and end.status in OPEN_STATUSES:
                due = end.original_due_at
                late = end.status != "waiting_supplement" and due is not None and _secs(due) < t
                add(
                    "in_progress_total",
                    "in_progress_overdue" if late else "in_progress_within_deadline",
                )
            elif end is not None and end.status in CLOSED and (new or open_during):
                closed = CLOSED[end.status]
                if closed == "resolved":
                    cls = {"early": "resolved_early", "late": "resolved_late"}
                    add("resolved_total", cls.get(end.classification or "", "resolved_on_time"))
                else:
                    add(closed)
        if terms:
            per = rows.setdefault(key, {})
            for name, n in terms.items():
                per[name] = per.get(name, 0) + n
    return rows


def terms_of(rows: list[ReportRow]) -> dict[str, dict[str, int]]:
    """The report's rows as ``count`` gives them: per group, the terms not zero."""
    out = {}
    for r in rows:
        terms = {k: v for k, v in r.to_json().items() if isinstance(v, int) and v}
        if terms:
            out[r.key] = terms
    return out


def stored_summary(db: Database) -> dict[tuple[int, int, str, str], int]:
    """The summary as the history keeps it (``report_daily``)."""
    with db.read() as s:
        return {
            (m, d, f, p): n
            for m, d, f, p, n in s.execute(
                text("SELECT metric, day, field, procedure_code, n FROM report_daily")
            )
        }
