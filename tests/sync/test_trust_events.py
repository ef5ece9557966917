"""One bad event never stops a commune's sync, and a forged code never blocks a desk.

Each test runs real desks against a real district server (SQLite and PostgreSQL). The
events a well-behaved desk never sends are sent the way the issue's attacker did: with
the desk's own valid token, straight to the API. What a server without schema checks
would have stored (the server of before, or an old one still running) is stored with
``store_batch`` itself, past the checks, and served by the real server.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

import event_schema
from tests.sync.conftest import (
    Desk,
    SharedServer,
    _server_engine,
    desk_cli,
    district_cli,
    new_agency,
    server_events,
)


def _token(desk: Desk) -> str:
    return str(desk.query("SELECT token FROM sync_state")[0][0])


def _envelope(
    desk: Desk, origin_seq: int, kind: str, payload: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "dossier_uuid": extra.pop("dossier_uuid", str(uuid.uuid4())),
        "kind": kind,
        "payload": payload,
        "occurred_at": "2026-11-23T09:30:00+07:00",
        "actor": "mallory",
        "origin": {"agency_code": desk.agency, "desk": desk.number},
        "origin_seq": origin_seq,
        **extra,
    }


def _received(code: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "received_at": "2026-11-23T09:30:00", "applicant_name": "Giả Mạo",
            **fields}  # fmt: skip


def _push_raw(server: SharedServer, desk: Desk, events: list[dict[str, Any]]) -> httpx.Response:
    """What an attacker with the desk's token sends, bypassing the desk app."""
    return httpx.post(
        f"{server.url}/api/v1/events",
        json={"events": events},
        headers={"Authorization": f"Bearer {_token(desk)}"},
        timeout=30,
    )


def _next_origin_seq(desk: Desk) -> int:
    return (
        int(desk.query("SELECT coalesce(max(origin_seq), 0) FROM events WHERE is_local = 1")[0][0])
        + 1000
    )


def _store_as_old_server(server: SharedServer, desk: Desk, events: list[dict[str, Any]]) -> None:
    """Store ``events`` the way a server without schema checks did: ``store_batch`` only."""
    from sqlalchemy.orm import Session

    from district_server.auth import DeskIdentity
    from district_server.events import store_batch
    from district_server.models import Commune
    from district_server.models import Desk as ServerDesk
    from district_server.schemas import PushRequest

    batch = PushRequest.model_validate({"events": events}).events
    with Session(_server_engine(server.db_url)) as session, session.begin():
        desk_id, commune_id = session.execute(
            select(ServerDesk.id, Commune.id)
            .join(Commune, Commune.id == ServerDesk.commune_id)
            .where(Commune.agency_code == desk.agency, ServerDesk.number == desk.number)
        ).one()
        identity = DeskIdentity(desk_id, desk.number, commune_id, desk.agency)
        store_batch(session, identity, batch, dt.datetime.now(dt.UTC))


def _listed(server: SharedServer, which: str, agency: str) -> list[dict[str, Any]]:
    out = district_cli("events", which, "--commune", agency, "--json", "--db", server.db_url)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def commune(shared_server: SharedServer, make_desk: Callable[..., Desk]) -> tuple[Desk, Desk]:
    """Two enrolled desks of a new commune."""
    agency = new_agency()
    one, two = make_desk(agency, 1), make_desk(agency, 2)
    one.enroll(shared_server.db_url, shared_server.url)
    two.enroll(shared_server.db_url, shared_server.url)
    return one, two


# ------------------------------------------------------------------ the server refuses


def test_a_malformed_payload_is_refused_and_the_commune_keeps_syncing(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    one, two = commune
    bad = _envelope(one, _next_origin_seq(one), "dossier.received",
                    _received(f"{one.agency}-261123-1901", received_at="not-a-date"))  # fmt: skip
    answer = _push_raw(shared_server, one, [bad])
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "event.invalid"
    assert answer.json()["event"] == bad["uuid"]
    assert "received_at" in answer.json()["detail"]
    assert bad["uuid"] not in {e.uuid for e in server_events(shared_server.db_url, one.agency)}

    # The operator sees the refusal, per desk.
    [refused] = _listed(shared_server, "refused", one.agency)
    assert (refused["desk"], refused["event"], refused["code"]) == (1, bad["uuid"], "event.invalid")

    # Every other desk goes on: its sync pulls and pushes, its cursor moves.
    codes = one.intake(1)
    assert one.sync().errors == []
    summary = two.sync()
    assert summary.errors == [] and summary.set_aside == []
    assert codes[0] in two.dossiers()


def test_a_forged_code_is_refused_and_the_victim_keeps_receiving(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    one, two = commune
    [first] = two.intake(1)
    assert two.sync().errors == []
    # Desk 2's next code, well formed, sent with desk 1's token.
    forged_code = first[:-3] + "002"
    forged = _envelope(one, _next_origin_seq(one), "dossier.received",
                       _received(forged_code, code_seq=2))  # fmt: skip
    answer = _push_raw(shared_server, one, [forged])
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "event.code_not_this_desk"
    assert "desk 1" in answer.json()["detail"]

    two.sync()
    assert two.intake(1) == [forged_code]  # desk 2 issues its own next code


def test_a_forged_code_an_old_server_stored_is_set_aside_and_retracted(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    """A server before these checks stored the forged event: desk 2 sets it aside (its
    intake goes on, skipping nothing), reports it, and the operator retracts it."""
    one, two = commune
    [first] = two.intake(1)
    assert two.sync().errors == []
    forged_code = first[:-3] + "002"
    forged = _envelope(one, _next_origin_seq(one), "dossier.received",
                       _received(forged_code, code_seq=2))  # fmt: skip
    _store_as_old_server(shared_server, one, [forged])

    result = desk_cli(two, "sync")
    data = json.loads(result.stdout)
    assert [(e["uuid"], e["code"]) for e in data["set_aside"]] == [
        (forged["uuid"], "sync.code_not_origin_desk")
    ]
    assert forged_code not in two.dossiers()
    assert two.intake(1) == [forged_code]  # the desk's own next code is still its own
    status = two.ctx.sync.status()
    assert [e.uuid for e in status.set_aside] == [forged["uuid"]]

    # The district sees what desk 2 set aside, and retracts it: nothing is deleted.
    [listed] = _listed(shared_server, "set-aside", two.agency)
    assert (listed["desk"], listed["event"]) == (2, forged["uuid"])
    retraction = district_cli("retract", "--event", forged["uuid"], "--reason",
                              "mã hồ sơ giả mạo của quầy 2", "--by", "huyen.admin",
                              "--db", shared_server.db_url).strip()  # fmt: skip
    stored = server_events(shared_server.db_url, one.agency)
    assert forged["uuid"] in {e.uuid for e in stored}
    assert (stored[-1].uuid, stored[-1].kind, stored[-1].origin_desk) == (
        retraction,
        "event.retracted",
        0,
    )
    summary = two.sync()
    assert summary.errors == [] and summary.set_aside == []
    assert two.ctx.sync.status().set_aside == ()
    assert _listed(shared_server, "set-aside", two.agency) == []
    assert one.sync().errors == []  # desk 1 folds the retraction too
    # Desk 1 holds desk 2's real dossier under that code, not the forged one.
    assert one.query("SELECT origin_desk FROM dossiers WHERE code = ?", forged_code) == [(2,)]


def test_a_malformed_event_an_old_server_stored_no_longer_stops_any_desk(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    """The issue's case: "received_at": "not-a-date", stored; every other desk set it
    aside, moves its cursor on, applies the rest, and names it in `sync` JSON."""
    one, two = commune
    bad = _envelope(one, _next_origin_seq(one), "dossier.received",
                    _received(f"{one.agency}-261123-1901", received_at="not-a-date"))  # fmt: skip
    _store_as_old_server(shared_server, one, [bad])
    [after] = one.intake(1)
    assert one.sync().pending == 0  # desk 1 pulls it too, and sets it aside as well

    result = desk_cli(two, "sync")
    data = json.loads(result.stdout)
    assert result.returncode == 1  # reported once, as the round's error
    assert [e["code"] for e in data["set_aside"]] == ["sync.event_unreadable"]
    assert "received_at" in data["set_aside"][0]["reason"]
    assert after in two.dossiers()
    cursor = two.query("SELECT pull_cursor FROM sync_state")[0][0]
    assert cursor == max(e.server_seq for e in server_events(shared_server.db_url, one.agency))
    again = desk_cli(two, "sync")
    assert again.returncode == 0, again.stdout + again.stderr  # no longer an error: listed
    assert len(json.loads(again.stdout)["set_aside"]) == 1

    district_cli("retract", "--event", bad["uuid"], "--reason", "ngày giờ sai",
                 "--db", shared_server.db_url)  # fmt: skip
    assert two.sync().set_aside == []


def test_an_event_unknown_to_the_server_stays_queued_as_server_needs_updating(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    """A desk newer than the server records a version the server has no schema for:
    it is refused on its own terms, kept queued (not set aside), and blocks nothing."""
    from desk_app.clock import utc_naive
    from desk_app.events import append_event

    one, _two = commune
    [before] = one.intake(1)
    with one.ctx.db.write() as s:
        newer = append_event(
            s, kind="dossier.status_changed", version=2,
            payload={"from": "received", "to": "in_progress", "at": "2026-11-23T10:00:00"},
            actor="lan.nt", agency_code=one.agency, desk=1,
            occurred_at_utc=utc_naive(one.ctx.clock),
        ).uuid  # fmt: skip
    [after] = one.intake(1)

    result = desk_cli(one, "sync")
    data = json.loads(result.stdout)
    assert (data["held"], data["held_reason"]) == (1, "máy chủ cần cập nhật")
    assert data["rejected"] == 0 and data["pending"] == 1
    stored = {e.uuid for e in server_events(shared_server.db_url, one.agency)}
    assert newer not in stored
    assert len(stored) == 2  # both dossiers went
    assert one.query("SELECT count(*) FROM outbox_rejections") == [(0,)]
    status = one.ctx.sync.status()
    assert status.server_outdated and status.held == 1 and status.pending == 1

    # Still queued next round (sent again, refused again, kept), never set aside.
    [refused] = _listed(shared_server, "refused", one.agency)
    assert (refused["event"], refused["code"]) == (newer, "event.unknown_kind")
    summary = one.sync()
    assert summary.held == 1 and summary.rejected == 0 and summary.pending == 1
    [again] = _listed(shared_server, "refused", one.agency)
    assert again["times"] == refused["times"] + 1
    assert {before, after} <= set(one.dossiers())


def test_a_pulled_event_of_a_newer_version_applies_once_the_desk_is_upgraded(
    shared_server: SharedServer, commune: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = commune
    [code] = one.intake(1)
    assert one.sync().errors == []
    dossier = str(one.query("SELECT uuid FROM dossiers")[0][0])
    newer = _envelope(one, _next_origin_seq(one), "dossier.status_changed",
                      {"from": "received", "to": "in_progress", "at": "2026-11-23T10:00:00",
                       "by_role": "chuyên viên"},
                      dossier_uuid=dossier, version=2)  # fmt: skip
    _store_as_old_server(shared_server, one, [newer])  # a newer server took it

    summary = two.sync()
    assert summary.errors == []  # no fault of the data: it waits for this desk's upgrade
    assert [(e["uuid"], e["code"]) for e in summary.set_aside] == [
        (newer["uuid"], "sync.event_newer")
    ]
    assert two.dossiers()[code] == "received"

    # The upgrade: this program now reads version 2.
    def parse_v2(data: object) -> event_schema.Payload:
        assert isinstance(data, dict)
        rest = {k: v for k, v in data.items() if k != "by_role"}
        return event_schema.DossierStatusChangedV1.parse(rest)

    monkeypatch.setitem(event_schema.REGISTRY, ("dossier.status_changed", 2), parse_v2)
    summary = two.sync()
    assert summary.set_aside == [] and summary.errors == []
    assert two.dossiers()[code] == "in_progress"


def test_a_retracted_status_change_no_longer_counts_on_any_desk(
    shared_server: SharedServer, commune: tuple[Desk, Desk]
) -> None:
    one, two = commune
    [code] = one.intake(1)
    one.change_status(code, "in_progress")
    assert one.sync().errors == [] and two.sync().errors == []
    assert two.dossiers()[code] == "in_progress"
    change = next(
        e for e in server_events(shared_server.db_url, one.agency)
        if e.kind == "dossier.status_changed"
    )  # fmt: skip

    district_cli("retract", "--event", change.uuid, "--reason", "chuyển nhầm",
                 "--db", shared_server.db_url)  # fmt: skip
    for desk in (one, two):
        assert desk.sync().errors == []
        assert desk.dossiers()[code] == "received"
        timeline = desk.ctx.lifecycle.timeline(code)
        assert [(e.kind, e.applied) for e in timeline] == [
            ("dossier.received", True), ("dossier.status_changed", False),
            ("event.retracted", True),
        ]  # fmt: skip
    # A retraction is final: not twice, and not of itself.
    with pytest.raises(AssertionError):
        district_cli("retract", "--event", change.uuid, "--reason", "lần nữa",
                     "--db", shared_server.db_url)  # fmt: skip
