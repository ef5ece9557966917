"""Several desks, several communes: isolation, convergence, conflicts, restore, revocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from desk_app.events import append_event
from desk_app.sync.engine import EnrollmentError
from tests.sync.conftest import (
    Desk,
    SharedServer,
    assert_exactly_once,
    issue_code,
    new_agency,
    revoke,
    server_events,
    server_uuids,
    settle,
)


def _enrolled(shared: SharedServer, make_desk: Callable[..., Desk], agency: str, n: int) -> Desk:
    desk = make_desk(agency, n)
    desk.enroll(shared.db_url, shared.url)
    return desk


def _token(desk: Desk) -> str:
    return str(desk.query("SELECT token FROM sync_state WHERE id = 1")[0][0])


def _feed(url: str, token: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    cursor = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            page = http.get("/api/v1/events", params={"after": cursor, "limit": 1000}).json()
            events.extend(page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return events


# ------------------------------------------------------------------ communes apart


def test_other_commune_cannot_push_into_or_pull_from_a_commune(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    commune_a, commune_b = new_agency(), new_agency()
    desk_a = _enrolled(shared_server, make_desk, commune_a, 1)
    codes_a = desk_a.intake(2)
    assert desk_a.sync().pending == 0
    stored_a = server_uuids(shared_server.db_url, commune_a)

    # A tampered desk of commune B writes an event claiming desk 1 of commune A, next to
    # one honest dossier of its own.
    desk_b = _enrolled(shared_server, make_desk, commune_b, 1)
    desk_b.intake(1)
    target = desk_a.query("SELECT uuid FROM dossiers WHERE code = ?", codes_a[0])[0][0]
    with desk_b.ctx.db.write() as s:
        append_event(
            s,
            kind="dossier.status_changed",
            payload={"from": "received", "to": "withdrawn", "note": "", "at": "2026-11-23T10:00"},
            actor="intruder",
            agency_code=commune_a,
            desk=1,
            occurred_at_utc=dt.datetime(2026, 11, 23, 3, 0),
            dossier_uuid=str(target),
        )
    summary = desk_b.sync()
    assert summary.errors, summary
    assert summary.error_codes[0] == "sync.rejected"
    assert commune_a in summary.errors[0] and commune_b in summary.errors[0]
    assert summary.online  # the server answered: this is no network trouble
    assert summary.pending == desk_b.pending() == 2  # nothing lost, nothing marked sent
    status = desk_b.engine().status()
    assert status.last_error == summary.errors[0] and status.last_error_code == "sync.rejected"
    assert server_uuids(shared_server.db_url, commune_a) == stored_a
    assert server_uuids(shared_server.db_url, commune_b) == set()  # all or nothing

    # Commune A's desks never see it; a clean desk of B pulls nothing of A.
    assert desk_a.sync().pulled == 0
    assert set(desk_a.dossiers().values()) == {"received"}
    clean_b = _enrolled(shared_server, make_desk, commune_b, 2)
    clean_b.intake(1)
    assert not clean_b.sync().errors
    assert not set(clean_b.dossiers()) & set(desk_a.dossiers())
    assert not {str(r[0]) for r in clean_b.query("SELECT uuid FROM events")} & stored_a
    feed = _feed(shared_server.url, _token(clean_b))
    assert feed and {e["origin"]["agency_code"] for e in feed} == {commune_b}  # type: ignore[index]

    # Nor can a desk of A be enrolled with a code issued for B.
    spare_a = make_desk(commune_a, 3)
    with pytest.raises(EnrollmentError, match="được cấp cho"):
        spare_a.ctx.sync.enroll(shared_server.url, issue_code(shared_server.db_url, commune_b, 3))
    assert spare_a.engine().status().enrolled is False


# ------------------------------------------------------------------ convergence


def test_three_desks_converge(shared_server: SharedServer, make_desk: Callable[..., Desk]) -> None:
    agency = new_agency()
    desks = [_enrolled(shared_server, make_desk, agency, n) for n in (1, 2, 3)]
    for round_number in range(3):
        for desk in desks:
            desk.intake(1)
            desk.seed(20 * (round_number + 1))
        for desk in desks[round_number % 3 :] + desks[: round_number % 3]:
            assert not desk.sync().errors
    codes = desks[0].intake(2)
    desks[0].change_status(codes[0], "in_progress")
    desks[0].change_status(codes[1], "withdrawn")
    settle(desks)
    stored = assert_exactly_once(shared_server.db_url, agency, desks)
    assert {e.origin_desk for e in stored} == {1, 2, 3}
    for desk in desks:
        assert desk.dossiers()[codes[0]] == "in_progress"
        assert desk.dossiers()[codes[1]] == "withdrawn"


@pytest.mark.parametrize("first", [1, 2])
def test_offline_conflict_resolved_by_server_order(
    shared_server: SharedServer, make_desk: Callable[..., Desk], first: int
) -> None:
    """Desk 1 records "withdrawn", desk 2 "result_ready" for the same dossier, both
    offline; whichever reaches the server first wins on BOTH desks, and the other
    transition stays in both timelines, marked not applied."""
    agency = new_agency()
    desk1 = _enrolled(shared_server, make_desk, agency, 1)
    desk2 = _enrolled(shared_server, make_desk, agency, 2)
    [code] = desk1.intake(1)
    settle([desk1, desk2])
    assert desk2.dossiers()[code] == "received"

    assert desk1.change_status(code, "withdrawn") == "withdrawn"
    assert desk2.change_status(code, "result_ready") == "result_ready"
    order = [desk1, desk2] if first == 1 else [desk2, desk1]
    for desk in order:
        assert not desk.sync().errors
    settle([desk1, desk2])

    winner, loser = ("withdrawn", "result_ready") if first == 1 else ("result_ready", "withdrawn")
    for desk in (desk1, desk2):
        assert desk.dossiers()[code] == winner
        changes = {
            e.payload["to"]: e
            for e in desk.ctx.lifecycle.timeline(code)
            if e.kind == "dossier.status_changed"
        }
        assert changes[winner].applied and not changes[loser].applied
        assert changes[winner].server_seq is not None and changes[loser].server_seq is not None
        assert changes[winner].server_seq < changes[loser].server_seq
    assert_exactly_once(shared_server.db_url, agency, [desk1, desk2])


# ------------------------------------------------------------------ restore


def test_restore_on_a_new_machine_continues_the_desk(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    """The machine of desk 1 is replaced: a fresh data folder, the same commune and desk
    number, a new enrolment code. One sync brings back every dossier of the commune, and
    the next intake continues the code and register sequences."""
    agency = new_agency()
    old = _enrolled(shared_server, make_desk, agency, 1)
    other = _enrolled(shared_server, make_desk, agency, 2)
    old_codes = old.intake(4)
    other.intake(2)
    old.change_status(old_codes[0], "in_progress")
    settle([old, other])
    before = old.dossiers()
    assert len(before) == 6

    new = make_desk(agency, 1)
    new.enroll(shared_server.db_url, shared_server.url)
    summary = new.sync()
    assert not summary.errors and summary.pending == 0
    assert summary.pulled == len(server_events(shared_server.db_url, agency))
    assert new.dossiers() == before
    listed = {v.code for v in new.ctx.intake.list_received(new.officer)}
    assert listed == set(before)
    assert new.pending() == 0  # restored events are not sent again

    [code] = new.intake(1)
    assert code not in before
    last = max(old_codes)
    assert code == last[:-3] + f"{int(last[-3:]) + 1:03d}", (code, last)
    lines = new.query("SELECT code, register_line FROM dossiers WHERE origin_desk = 1")
    by_code = dict(lines)
    assert by_code[code] == max(by_code[c] for c in old_codes) + 1

    settle([new, other, old])
    assert_exactly_once(shared_server.db_url, agency, [old, other, new])


# ------------------------------------------------------------------ revocation


def test_revoked_credential_loses_nothing_and_reenrolment_sends_the_rest(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    agency = new_agency()
    desk = _enrolled(shared_server, make_desk, agency, 1)
    desk.intake(2)
    assert desk.sync().pending == 0
    desk.intake(2)
    revoke(shared_server.db_url, agency, 1)

    summary = desk.sync()
    # A revoked credential is its own trouble, not the network: the desk must enrol again.
    assert summary.error_codes == ["sync.unauthorized"], summary
    assert "đăng ký lại" in summary.errors[0] and summary.online
    assert summary.pushed == 0 and summary.pending == desk.pending() == 2
    status = desk.engine().status()
    assert status.pending == 2 and status.last_error == summary.errors[0]
    assert status.last_error_code == "sync.unauthorized"
    assert len(server_uuids(shared_server.db_url, agency)) == 2

    desk.enroll(shared_server.db_url, shared_server.url)
    again = desk.sync()
    assert not again.errors and again.pushed == 2 and again.pending == 0
    assert desk.engine().status().last_error is None
    assert desk.engine().status().last_error_code is None
    assert_exactly_once(shared_server.db_url, agency, [desk])
