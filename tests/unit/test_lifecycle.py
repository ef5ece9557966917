"""The dossier lifecycle: which transitions are allowed, the timeline, and how two desks'
conflicting changes resolve in the district server's order (``server_seq``)."""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from typing import Any

import pytest
from sqlalchemy import select

from desk_app.auth import PermissionDeniedError
from desk_app.clock import utc_naive
from desk_app.context import DeskContext
from desk_app.db.models import Event
from desk_app.errors import DossierNotFoundError
from desk_app.events import envelope
from desk_app.ids import uuid7
from desk_app.lifecycle import TRANSITIONS, TransitionError
from desk_app.sync.engine import apply_page
from desk_app.vocabulary import STATUS_LABELS
from tests.unit.intake_fixtures import (
    AGENCY,
    CHAIR,
    NOW,
    OFFICER,
    clock_of,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
    table_counts,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

STATUSES = sorted(TRANSITIONS)


def _paths() -> dict[str, list[str]]:
    """The shortest chain of transitions from "received" to each reachable status."""
    paths: dict[str, list[str]] = {"received": []}
    todo = deque(["received"])
    while todo:
        here = todo.popleft()
        for nxt in sorted(TRANSITIONS[here]):
            if nxt not in paths:
                paths[nxt] = [*paths[here], nxt]
                todo.append(nxt)
    return paths


PATHS = _paths()
EDGES = [(a, b) for a in STATUSES for b in sorted(TRANSITIONS[a])]


def new_dossier(ctx: DeskContext, status: str = "received") -> str:
    code = ctx.intake.receive(request(), OFFICER).dossier.code
    for step in PATHS[status]:
        ctx.lifecycle.change_status(code, step, OFFICER)
    return code


def status_of(ctx: DeskContext, code: str) -> str:
    return str(rows(ctx, "SELECT status FROM dossiers WHERE code = :c", c=code)[0][0])


def uuid_of(ctx: DeskContext, code: str) -> str:
    return str(rows(ctx, "SELECT uuid FROM dossiers WHERE code = :c", c=code)[0][0])


# ------------------------------------------------------------------ the map


def test_every_status_is_known_and_reachable_except_refusal() -> None:
    # "guided" (advice only, never received) is in the vocabulary ahead of the lifecycle.
    assert set(TRANSITIONS) == set(STATUS_LABELS) - {"guided"}
    assert all(targets <= set(TRANSITIONS) for targets in TRANSITIONS.values())
    assert set(PATHS) == set(TRANSITIONS) - {"refused"}  # refused only at intake
    terminal = {s for s, targets in TRANSITIONS.items() if not targets}
    assert terminal == {"stopped", "withdrawn", "returned", "refused"}
    assert TRANSITIONS["result_ready"] == {"returned"}


@pytest.mark.parametrize(("start", "target"), EDGES, ids=[f"{a}->{b}" for a, b in EDGES])
def test_allowed_transition(desk: DeskContext, start: str, target: str) -> None:
    code = new_dossier(desk, start)
    assert status_of(desk, code) == start
    assert desk.lifecycle.change_status(code, target, OFFICER, note="  ghi chú  ") == target
    assert status_of(desk, code) == target
    kind, payload = rows(desk, "SELECT kind, payload FROM events ORDER BY seq DESC LIMIT 1")[0]
    assert kind == "dossier.status_changed"
    assert json.loads(payload) == {
        "from": start, "to": target, "note": "ghi chú", "at": NOW.isoformat(timespec="seconds")
    }  # fmt: skip
    detail = rows(desk, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")[0][0]
    assert detail == f"status -> {target}"


@pytest.mark.parametrize("start", sorted(PATHS))
def test_refused_transitions_write_nothing(desk: DeskContext, start: str) -> None:
    code = new_dossier(desk, start)
    before = table_counts(desk)
    refused = [s for s in [*STATUSES, "archived"] if s not in TRANSITIONS[start]]
    assert start in refused  # never "from X to X"
    for target in refused:
        with pytest.raises(TransitionError, match=f"từ trạng thái {start} sang {target}"):
            desk.lifecycle.change_status(code, target, OFFICER)
    assert table_counts(desk) == before
    assert status_of(desk, code) == start


def test_a_chair_cannot_change_a_status_and_unknown_codes_are_named(desk: DeskContext) -> None:
    code = new_dossier(desk)
    with pytest.raises(PermissionDeniedError):
        desk.lifecycle.change_status(code, "in_progress", CHAIR)
    with pytest.raises(DossierNotFoundError, match="261123-1999"):
        desk.lifecycle.change_status(f"{AGENCY}-261123-1999", "in_progress", OFFICER)
    with pytest.raises(DossierNotFoundError):
        desk.lifecycle.timeline(f"{AGENCY}-261123-1999")


# ------------------------------------------------------------------ timeline


def test_the_timeline_lists_every_step_in_order(desk: DeskContext) -> None:
    clock = clock_of(desk)
    code = new_dossier(desk)
    steps = ["in_progress", "waiting_supplement", "in_progress", "result_ready", "returned"]
    for step in steps:
        clock.advance(dt.timedelta(hours=2))
        desk.lifecycle.change_status(code, step, OFFICER)
    before = table_counts(desk)
    timeline = desk.lifecycle.timeline(code)
    assert table_counts(desk) == before  # reading the timeline writes nothing
    assert [e.kind for e in timeline] == ["dossier.received"] + ["dossier.status_changed"] * 5
    assert [e.payload.get("to") for e in timeline[1:]] == steps
    assert [e.seq for e in timeline] == sorted(e.seq for e in timeline)
    assert all(e.applied for e in timeline)
    assert {e.origin for e in timeline} == {f"{AGENCY}#1"}
    assert {e.server_seq for e in timeline} == {None}
    times = [e.occurred_at_utc for e in timeline]
    assert times == sorted(times) and times[0] == utc_naive(desk.clock) - dt.timedelta(hours=10)
    view = desk.intake.get(code, OFFICER)
    assert view.status == "returned"
    assert view.returned_at == NOW + dt.timedelta(hours=10)


# ------------------------------------------------------------------ conflicts


def pull(ctx: DeskContext, envelopes: list[dict[str, Any]]) -> int:
    with ctx.db.write() as s:
        return apply_page(s, envelopes, AGENCY, 1, utc_naive(ctx.clock))


def own_envelopes(ctx: DeskContext, code: str, server_seqs: list[int]) -> list[dict[str, Any]]:
    """This desk's events of dossier ``code`` as the server sends them back after a push."""
    with ctx.db.read() as s:
        events = list(
            s.scalars(
                select(Event).where(Event.dossier_uuid == uuid_of(ctx, code)).order_by(Event.seq)
            )
        )
    unsent = [e for e in events if e.server_seq is None]
    assert len(unsent) == len(server_seqs)
    return [{**envelope(e), "server_seq": n} for e, n in zip(unsent, server_seqs, strict=True)]


def other_desk(
    dossier_uuid: str, kind: str, payload: dict[str, Any], *, desk: int, origin_seq: int,
    server_seq: int, at: dt.datetime = NOW,
) -> dict[str, Any]:  # fmt: skip
    """An envelope recorded at another desk of the commune, as the feed carries it."""
    return {
        "uuid": uuid7(),
        "dossier_uuid": dossier_uuid,
        "kind": kind,
        "payload": payload,
        "occurred_at": (at - dt.timedelta(hours=7)).replace(tzinfo=dt.UTC).isoformat(),
        "actor": f"canbo.ban{desk}",
        "origin": {"agency_code": AGENCY, "desk": desk},
        "origin_seq": origin_seq,
        "server_seq": server_seq,
    }


def change(frm: str, to: str) -> dict[str, Any]:
    return {"from": frm, "to": to, "note": "", "at": NOW.isoformat(timespec="seconds")}


def test_the_other_desk_reached_the_server_first_so_its_withdrawal_wins(
    desk: DeskContext,
) -> None:
    code = new_dossier(desk)
    uuid = uuid_of(desk, code)
    pull(desk, own_envelopes(desk, code, [1]))  # the receipt went up and came back
    clock_of(desk).advance(dt.timedelta(hours=1))
    desk.lifecycle.change_status(code, "result_ready", OFFICER)
    desk.lifecycle.change_status(code, "returned", OFFICER)  # offline: not yet sent
    assert desk.intake.get(code, OFFICER).returned_at is not None

    withdrawn = other_desk(
        uuid, "dossier.status_changed", change("received", "withdrawn"),
        desk=2, origin_seq=1, server_seq=2,
    )  # fmt: skip
    assert pull(desk, [withdrawn]) == 1
    assert status_of(desk, code) == "withdrawn"
    assert desk.intake.get(code, OFFICER).returned_at is None
    timeline = desk.lifecycle.timeline(code)
    assert [(e.payload.get("to"), e.server_seq, e.origin, e.applied) for e in timeline] == [
        (None, 1, f"{AGENCY}#1", True),
        ("withdrawn", 2, f"{AGENCY}#2", True),
        ("result_ready", None, f"{AGENCY}#1", False),
        ("returned", None, f"{AGENCY}#1", False),
    ]
    with pytest.raises(TransitionError):
        desk.lifecycle.change_status(code, "in_progress", OFFICER)

    # Our two events reach the server after the withdrawal: nothing changes.
    pull(desk, own_envelopes(desk, code, [3, 4]))
    assert status_of(desk, code) == "withdrawn"
    timeline = desk.lifecycle.timeline(code)
    assert [(e.server_seq, e.applied) for e in timeline] == [
        (1, True), (2, True), (3, False), (4, False)
    ]  # fmt: skip
    assert rows(desk, "SELECT count(*) FROM events WHERE pushed_at IS NULL AND is_local") == [(0,)]


def test_our_return_reached_the_server_first_so_it_stands(desk: DeskContext) -> None:
    code = new_dossier(desk)
    uuid = uuid_of(desk, code)
    desk.lifecycle.change_status(code, "result_ready", OFFICER)
    desk.lifecycle.change_status(code, "returned", OFFICER)
    pull(desk, own_envelopes(desk, code, [1, 2, 3]))
    withdrawn = other_desk(
        uuid, "dossier.status_changed", change("received", "withdrawn"),
        desk=2, origin_seq=1, server_seq=4,
    )  # fmt: skip
    pull(desk, [withdrawn])
    assert status_of(desk, code) == "returned"
    assert desk.intake.get(code, OFFICER).returned_at == NOW
    timeline = desk.lifecycle.timeline(code)
    assert [(e.server_seq, e.applied) for e in timeline] == [
        (1, True), (2, True), (3, True), (4, False)
    ]  # fmt: skip


def test_a_dossier_received_at_another_desk_is_built_from_its_snapshot(
    desk: DeskContext,
) -> None:
    uuid = uuid7()
    snapshot = {
        "code": f"{AGENCY}-261123-2001", "code_seq": 1, "lookup_pin": "A1B2C3",
        "procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh",
        "status": "received", "channel": "in_person",
        "applicant_name": "Đỗ Thị Quyên", "applicant_cccd": "075305001111",
        "applicant_dob": "2005-03-04", "applicant_phone": "0987000111",
        "applicant_address": "Thôn Phú Mỹ", "applicant_email": None,
        "representative_name": None, "representative_cccd": None,
        "representative_phone": None, "request_text": "Đăng ký khai sinh",
        "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}], "sets_count": 1,
        "notes": "", "duration_kind": "same_day", "duration_value": None,
        "received_at": "2026-11-23T08:30:00", "due_at": "2026-11-23T17:00:00",
        "received_by": "canbo.ban2", "received_by_name": "Lý Văn Sơn", "register_line": 7,
    }  # fmt: skip
    page = [
        other_desk(uuid, "dossier.received", snapshot, desk=2, origin_seq=1, server_seq=1),
        other_desk(
            uuid, "dossier.status_changed", change("received", "in_progress"),
            desk=3, origin_seq=1, server_seq=2,
        ),
        other_desk(
            uuid, "dossier.status_changed", change("in_progress", "stopped"),
            desk=2, origin_seq=2, server_seq=3,
        ),
        # Desk 3 acted offline on the status it had seen; the server got it last.
        other_desk(
            uuid, "dossier.status_changed", change("in_progress", "result_ready"),
            desk=3, origin_seq=2, server_seq=4,
        ),
    ]  # fmt: skip
    before = table_counts(desk)
    assert pull(desk, page) == 4
    assert pull(desk, page) == 0  # a page read again after a crash changes nothing
    after = table_counts(desk)
    assert after["dossiers"] == before["dossiers"] + 1
    assert after["events"] == before["events"] + 4
    code = snapshot["code"]
    view = desk.intake.get(code, OFFICER)
    assert (view.status, view.applicant_name, view.received_by_name) == (
        "stopped", "Đỗ Thị Quyên", "Lý Văn Sơn"
    )  # fmt: skip
    assert [e.applied for e in desk.lifecycle.timeline(code)] == [True, True, True, False]
    # Another desk's dossier does not move this desk's own code sequence.
    assert desk.intake.receive(request(), OFFICER).dossier.code == f"{AGENCY}-261123-1001"


def test_a_dossier_refused_at_intake_elsewhere_is_terminal_here(desk: DeskContext) -> None:
    uuid = uuid7()
    refused = {
        "code": f"{AGENCY}-261123-2002", "procedure_code": "1.001193", "status": "refused",
        "applicant_name": "Mai Văn Long", "received_at": "2026-11-23T08:45:00",
        "due_at": None,
    }  # fmt: skip
    pull(desk, [other_desk(uuid, "dossier.received", refused, desk=2, origin_seq=1, server_seq=1)])
    assert status_of(desk, refused["code"]) == "refused"
    for target in STATUSES:
        with pytest.raises(TransitionError):
            desk.lifecycle.change_status(refused["code"], target, OFFICER)
