"""The one path of every change, on a real desk database: intake and status changes
record typed events and keep the dossier row's projection current; pulled events are
read through the same schemas; an unreadable one is kept, reported and not applied."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Text, select, type_coerce

from desk_app.clock import utc_naive
from desk_app.context import DeskContext
from desk_app.db.models import Dossier, Event
from desk_app.demo import seed_demo
from desk_app.dossiers import InvalidEventError, Pause, Projection, pauses_of, reproject
from desk_app.events import envelope, envelope_json
from desk_app.ids import uuid7
from desk_app.sync.engine import apply_page
from event_schema import DossierReceivedV1
from tests.unit.intake_fixtures import (
    AGENCY,
    MARRIAGE_STATUS,
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


def projection_of(ctx: DeskContext, code: str) -> dict[str, Any]:
    (row,) = rows(
        ctx,
        "SELECT status, holder, due_at, original_due_at, pauses, classification, returned_at "
        "FROM dossiers WHERE code = :c",
        c=code,
    )
    keys = ("status", "holder", "due_at", "original_due_at", "pauses", "classification",
            "returned_at")  # fmt: skip
    data = dict(zip(keys, row, strict=True))
    data["pauses"] = json.loads(data["pauses"])
    return data


def test_intake_records_a_version_1_snapshot_and_projects_holder_and_due_dates(
    desk: DeskContext,
) -> None:
    view = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    projection = projection_of(desk, view.code)
    assert projection["status"] == "received"
    assert projection["holder"] == OFFICER.username
    assert view.due_at is not None
    stored = view.due_at.isoformat(" ", "microseconds")
    assert projection["due_at"] == projection["original_due_at"] == stored
    assert (projection["pauses"], projection["classification"]) == ([], None)
    ((kind, version, payload),) = rows(desk, "SELECT kind, version, payload FROM events")
    assert (kind, version) == ("dossier.received", 1)
    snapshot = DossierReceivedV1.parse(json.loads(payload))
    assert (snapshot.code, snapshot.due_at, snapshot.received_by) == (
        view.code, view.due_at, OFFICER.username
    )  # fmt: skip


def test_status_changes_project_pauses_and_the_classification(desk: DeskContext) -> None:
    clock = clock_of(desk)
    view = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    assert view.due_at is not None and view.due_at.date() > NOW.date()
    steps = [
        (dt.timedelta(hours=1), "waiting_supplement"),
        (dt.timedelta(hours=3), "in_progress"),
        (dt.timedelta(hours=1), "result_ready"),
        (dt.timedelta(hours=1), "returned"),
    ]
    for wait, status in steps:
        clock.advance(wait)
        desk.lifecycle.change_status(view.code, status, OFFICER)
    projection = projection_of(desk, view.code)
    assert projection["status"] == "returned"
    assert projection["classification"] == "early"  # ready on the day of receipt
    assert desk.lifecycle.projection(view.code) == Projection(
        status="returned",
        holder=OFFICER.username,
        due_at=view.due_at,
        original_due_at=view.due_at,
        pauses=(
            Pause(NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=4), "waiting_supplement"),
        ),
        classification="early",
        returned_at=NOW + dt.timedelta(hours=6),
    )
    with desk.db.read() as s:
        dossier = s.scalars(select(Dossier).where(Dossier.code == view.code)).one()
        assert pauses_of(dossier)[0].reason == "waiting_supplement"
    assert rows(desk, "SELECT DISTINCT version FROM events") == [(1,)]


def test_a_payload_its_schema_refuses_records_nothing(desk: DeskContext) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    before = table_counts(desk)
    with pytest.raises(InvalidEventError, match=r"note") as caught:
        desk.lifecycle.change_status(code, "in_progress", OFFICER, note="x" * 2001)
    assert caught.value.code == "event.invalid"
    assert table_counts(desk) == before
    assert projection_of(desk, code)["status"] == "received"


def test_a_calendar_override_is_recorded_through_its_schema(desk: DeskContext) -> None:
    desk.calendar_admin.add_override(dt.date(2026, 12, 31), "day_off", "QĐ 12/UBND", "quan.tri")
    ((kind, version, payload),) = rows(
        desk, "SELECT kind, version, payload FROM events WHERE kind LIKE 'calendar.%'"
    )
    assert (kind, version) == ("calendar.override_set", 1)
    assert json.loads(payload) == {"day": "2026-12-31", "kind": "day_off", "reason": "QĐ 12/UBND"}


# ------------------------------------------------------------------ pulled events


def pull(
    ctx: DeskContext, envelopes: list[dict[str, Any]], problems: list[str] | None = None
) -> int:
    with ctx.db.write() as s:
        return apply_page(s, envelopes, AGENCY, 1, utc_naive(ctx.clock), problems)


def from_desk_2(
    dossier_uuid: str, kind: str, payload: dict[str, Any], *, origin_seq: int, server_seq: int,
    version: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    env = {
        "uuid": uuid7(), "dossier_uuid": dossier_uuid, "kind": kind, "payload": payload,
        "occurred_at": "2026-11-23T03:00:00+00:00", "actor": "son.lv",
        "origin": {"agency_code": AGENCY, "desk": 2}, "origin_seq": origin_seq,
        "server_seq": server_seq,
    }  # fmt: skip
    if version is not None:
        env["version"] = version
    return env


def sent_and_back(ctx: DeskContext) -> dict[str, Any]:
    """This desk's receipt event as the feed returns it once the server has it (seq 1)."""
    with ctx.db.read() as s:
        return {**envelope(s.scalars(select(Event)).one()), "server_seq": 1}


SNAPSHOT = {
    "code": f"{AGENCY}-261123-2001", "code_seq": 1, "status": "received",
    "applicant_name": "Đỗ Thị Quyên", "received_at": "2026-11-23T08:30:00",
    "due_at": "2026-11-25T17:00:00", "received_by": "son.lv", "received_by_name": "Lý Văn Sơn",
}  # fmt: skip


def test_a_pulled_dossier_gets_its_whole_projection(desk: DeskContext) -> None:
    uuid = uuid7()
    page = [
        from_desk_2(uuid, "dossier.received", SNAPSHOT, origin_seq=1, server_seq=1),
        from_desk_2(
            uuid, "dossier.status_changed",
            {"from": "received", "to": "result_ready", "note": "", "at": "2026-11-26T08:00:00"},
            origin_seq=2, server_seq=2,
        ),
    ]  # fmt: skip
    problems: list[str] = []
    assert pull(desk, page, problems) == 2
    assert problems == []
    projection = projection_of(desk, SNAPSHOT["code"])
    assert (projection["status"], projection["holder"], projection["classification"]) == (
        "result_ready", "son.lv", "late"
    )  # fmt: skip
    assert projection["original_due_at"] == "2026-11-25 17:00:00.000000"


def test_an_unreadable_pulled_event_is_kept_reported_and_not_applied(desk: DeskContext) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    uuid = rows(desk, "SELECT uuid FROM dossiers")[0][0]
    bad = from_desk_2(
        uuid, "dossier.status_changed", {"from": "received", "to": "withdrawn", "at": "hôm qua"},
        origin_seq=1, server_seq=2,
    )  # fmt: skip
    no_code = from_desk_2(uuid7(), "dossier.received", {"status": "received"}, origin_seq=2,
                          server_seq=3)  # fmt: skip
    good = from_desk_2(
        uuid, "dossier.status_changed",
        {"from": "received", "to": "in_progress", "note": "", "at": "2026-11-23T10:00:00"},
        origin_seq=3, server_seq=4,
    )  # fmt: skip
    problems: list[str] = []
    page = [sent_and_back(desk), bad, no_code, good]
    assert pull(desk, page, problems) == 3  # nothing of the page is lost
    assert len(problems) == 2
    assert f"sự kiện {bad['uuid']} (dossier.status_changed v1) được để riêng" in problems[0]
    assert "(at: must be a date and time" in problems[0]
    assert "code: is required" in problems[1]
    # Both are set aside with their reason, for the sync status and the district.
    assert rows(desk, "SELECT event_uuid, code FROM pulled_set_aside ORDER BY rowid") == [
        (bad["uuid"], "sync.event_unreadable"),
        (no_code["uuid"], "sync.event_unreadable"),
    ]
    assert projection_of(desk, code)["status"] == "in_progress"
    assert rows(desk, "SELECT count(*) FROM dossiers") == [(1,)]
    timeline = desk.lifecycle.timeline(code)
    assert [(e.server_seq, e.applied) for e in timeline] == [(1, True), (2, False), (4, True)]


def test_an_event_of_a_newer_version_is_kept_with_its_version_and_sent_as_it_came(
    desk: DeskContext,
) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    uuid = rows(desk, "SELECT uuid FROM dossiers")[0][0]
    newer = from_desk_2(
        uuid, "dossier.status_changed", {"to": "in_progress", "by": "son.lv"},
        origin_seq=1, server_seq=2, version=2,
    )  # fmt: skip
    problems: list[str] = []
    assert pull(desk, [sent_and_back(desk), newer], problems) == 1
    assert problems == []  # a newer program's event is no fault of the data
    assert projection_of(desk, code)["status"] == "received"
    with desk.db.read() as s:
        event = s.scalars(select(Event).where(Event.uuid == newer["uuid"])).one()
        assert event.version == 2
        assert envelope(event)["version"] == 2
        local = s.scalars(select(Event).where(Event.is_local.is_(True))).one()
        assert local.version == 1
        assert "version" not in envelope(local)  # what servers before versions accept
        row = s.execute(
            select(
                Event.uuid, Event.dossier_uuid, Event.kind, type_coerce(Event.payload, Text),
                Event.occurred_at, Event.actor, Event.origin_agency_code, Event.origin_desk,
                Event.origin_seq,
            ).where(Event.uuid == newer["uuid"])
        ).one()  # fmt: skip
        assert json.loads(envelope_json(*row, version=2)) == envelope(event)
    timeline = desk.lifecycle.timeline(code)
    assert [(e.version, e.applied) for e in timeline] == [(1, True), (2, False)]


def test_demo_data_reads_through_the_schemas_and_projects_as_seeded(desk: DeskContext) -> None:
    seed_demo(desk, 300, seed=7, workers=0)
    columns = "status, holder, due_at, original_due_at, pauses, classification, returned_at"
    before = rows(desk, f"SELECT uuid, {columns} FROM dossiers ORDER BY uuid")
    with desk.db.write() as s:
        for dossier in s.scalars(select(Dossier)):
            entries = reproject(s, dossier)
            assert entries[0][0].kind == "dossier.received"
            assert all(applied for _, applied in entries)
    assert rows(desk, f"SELECT uuid, {columns} FROM dossiers ORDER BY uuid") == before
    assert {r[1] for r in before} >= {"returned", "in_progress"}
