"""Folding events into the dossier's projection, without a database: status, holder,
the due dates, pauses, classification — and what is not applied."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

import event_schema
from desk_app.dossiers import TRANSITIONS, Pause, Projection, fold
from desk_app.dossiers.kinds import NOT_FOLDED, folded_types
from desk_app.dossiers.projection import classify
from desk_app.vocabulary import STATUS_LABELS

RECEIVED = dt.datetime(2026, 11, 23, 9, 0)
DUE = dt.datetime(2026, 11, 26, 17, 0)
_seq = itertools.count(1)


@dataclass(frozen=True)
class Ev:
    kind: str
    payload: dict[str, Any]
    actor: str = "lan.nt"
    version: int = 1
    server_seq: int | None = None
    seq: int = field(default_factory=lambda: next(_seq))


def received(
    status: str = "received", due: dt.datetime | None = DUE, server_seq: int | None = None
) -> Ev:
    payload = {
        "code": "000.20.33.H12-261123-1001", "received_at": RECEIVED.isoformat(),
        "due_at": due.isoformat() if due else None, "status": status,
        "received_by": "lan.nt",
    }  # fmt: skip
    return Ev("dossier.received", payload, server_seq=server_seq)


def moved(frm: str, to: str, at: dt.datetime, **kw: Any) -> Ev:
    return Ev(
        "dossier.status_changed", {"from": frm, "to": to, "note": "", "at": at.isoformat()}, **kw
    )


def day(d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, d, h, 0)


def test_every_kind_either_folds_or_is_declared_not_about_a_dossier_course() -> None:
    registered = {parse.__self__ for parse in event_schema.REGISTRY.values()}  # type: ignore[attr-defined]
    assert folded_types() | NOT_FOLDED == registered
    assert not folded_types() & NOT_FOLDED


def test_the_transition_table_covers_exactly_the_schema_statuses() -> None:
    # "guided" (hướng dẫn hoàn thiện) is a request turned away at intake, never a dossier.
    assert set(TRANSITIONS) == set(event_schema.STATUSES) == set(STATUS_LABELS) - {"guided"}


def test_the_receipt_sets_status_holder_and_both_due_dates() -> None:
    projection, entries = fold([received()], Projection())
    assert projection == Projection(
        status="received", holder="lan.nt", due_at=DUE, original_due_at=DUE
    )
    assert [applied for _, applied in entries] == [True]


def test_the_holder_of_a_snapshot_without_its_officer_is_the_events_actor() -> None:
    event = Ev(
        "dossier.received", {"code": "X-1", "received_at": RECEIVED.isoformat()}, actor="an.lv"
    )
    projection, _ = fold([event], Projection())
    assert (projection.holder, projection.due_at, projection.status) == ("an.lv", None, "received")


def test_waiting_for_a_supplement_is_a_pause_closed_when_work_resumes() -> None:
    events = [
        received(),
        moved("received", "waiting_supplement", day(24, 9)),
        moved("waiting_supplement", "in_progress", day(25, 14)),
        moved("in_progress", "waiting_supplement", day(26, 8)),
    ]
    projection, _ = fold(events, Projection())
    assert projection.status == "waiting_supplement"
    assert projection.pauses == (
        Pause(day(24, 9), day(25, 14), "waiting_supplement"),
        Pause(day(26, 8), None, "waiting_supplement"),
    )
    # Withdrawing while waiting ends the open pause too.
    projection, _ = fold([*events, moved("waiting_supplement", "withdrawn", day(27))], Projection())
    assert projection.pauses[-1].ended_at == day(27)
    assert projection.classification is None  # withdrawn: no result to classify


@pytest.mark.parametrize(
    ("ready", "expected"),
    [
        (dt.datetime(2026, 11, 25, 16, 0), "early"),
        (dt.datetime(2026, 11, 26, 7, 30), "on_time"),
        (dt.datetime(2026, 11, 26, 17, 45), "on_time"),  # same calendar day
        (dt.datetime(2026, 11, 27, 8, 0), "late"),
    ],
)
def test_a_result_is_classified_by_calendar_day_against_the_original_appointment(
    ready: dt.datetime, expected: str
) -> None:
    events = [
        received(),
        moved("received", "result_ready", ready),
        moved("result_ready", "returned", ready + dt.timedelta(days=3)),
    ]
    projection, _ = fold(events, Projection())
    assert (projection.status, projection.classification) == ("returned", expected)
    assert projection.returned_at == ready + dt.timedelta(days=3)
    assert classify(ready, DUE) == expected


def test_a_dossier_without_an_appointment_is_on_time() -> None:
    projection, _ = fold(
        [received(due=None), moved("received", "result_ready", day(30))], Projection()
    )
    assert projection.classification == "on_time"


def test_stopped_and_withdrawn_dossiers_are_not_classified() -> None:
    for end in ("stopped", "withdrawn"):
        projection, _ = fold([received(), moved("received", end, day(24))], Projection())
        assert (projection.status, projection.classification) == (end, None)


def test_a_transition_not_allowed_from_where_the_dossier_stands_is_not_applied() -> None:
    events = [
        received(server_seq=1),
        moved("received", "withdrawn", day(24), server_seq=2),
        moved("received", "result_ready", day(24, 11)),  # ours, not yet sent
    ]
    projection, entries = fold(list(reversed(events)), Projection())
    assert [e.server_seq for e, _ in entries] == [1, 2, None]  # resolved order
    assert [applied for _, applied in entries] == [True, True, False]
    assert (projection.status, projection.classification) == ("withdrawn", None)


def test_unreadable_and_newer_events_change_nothing_and_unknown_kinds_pass() -> None:
    events = [
        received(),
        moved("received", "in_progress", day(24)),
        Ev("dossier.status_changed", {"from": "in_progress", "to": "stopped"}),  # no "at"
        Ev("dossier.status_changed", {"to": "stopped", "by": "x"}, version=2),
        Ev("dossier.reviewed", {"anything": True}),
    ]
    projection, entries = fold(events, Projection())
    assert projection.status == "in_progress"
    assert [applied for _, applied in entries] == [True, True, False, False, True]


def test_without_its_receipt_event_a_dossier_keeps_the_appointment_it_has() -> None:
    start = Projection(holder="an.lv", due_at=DUE, original_due_at=DUE)
    projection, _ = fold([moved("received", "in_progress", day(24))], start)
    assert (projection.status, projection.holder, projection.due_at) == (
        "in_progress",
        "an.lv",
        DUE,
    )
