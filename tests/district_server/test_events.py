"""Pushing and pulling events through a real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.district_server.conftest import (
    EnrolledDesk,
    make_event,
    received_payload,
)

Enroll = Callable[[str, int], EnrolledDesk]


def _uuids(events: list[dict[str, Any]]) -> list[str]:
    return [event["uuid"] for event in events]


def test_push_is_idempotent(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    batch = [make_event(commune_a, 1, seq) for seq in range(1, 6)]

    first = desk.push(batch)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "acknowledged": _uuids(batch),
        "stored": 5,
        "duplicates": 0,
        "last_server_seq": 5,
        "server_seqs": [1, 2, 3, 4, 5],
    }

    # The same batch again, as a desk does when the first answer was lost on the way.
    again = desk.push(batch)
    assert again.status_code == 200, again.text
    assert again.json() == {
        "acknowledged": _uuids(batch),
        "stored": 0,
        "duplicates": 5,
        "last_server_seq": 5,
        "server_seqs": [1, 2, 3, 4, 5],  # a duplicate's number is the one it already had
    }
    assert _uuids(desk.pull_all()) == _uuids(batch)


def test_partly_known_batch_stores_only_new_events_in_batch_order(
    enroll_desk: Enroll, commune_a: str
) -> None:
    desk = enroll_desk(commune_a, 1)
    dossier = str(uuid.uuid4())
    batch = [make_event(commune_a, 1, seq, dossier=dossier) for seq in range(1, 5)]
    assert desk.push(batch[:2]).status_code == 200

    response = desk.push(batch)  # the first two were stored already
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["stored"], body["duplicates"], body["last_server_seq"]) == (2, 2, 4)

    pulled = desk.pull_all()
    assert _uuids(pulled) == _uuids(batch)
    assert [event["server_seq"] for event in pulled] == [1, 2, 3, 4]


def test_pulled_event_is_the_pushed_envelope(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    event = make_event(
        commune_a,
        1,
        1,
        dossier=str(uuid.uuid4()),
        payload=received_payload(
            commune_a,
            1,
            1,
            applicant_name="Trần Thị Bình 🏠",
            documents=[{"name": 'Tờ khai "đặc biệt"', "kind": "original", "count": 2}],
            notes="dòng một\ndòng hai\ttab",
            applicant_dob=None,
            register_line=9_999_999,
        ),
    )
    event["occurred_at"] = "2026-11-21T08:30:15.250000+07:00"
    assert desk.push([event]).status_code == 200

    [pulled] = desk.pull_all()
    assert pulled == {**event, "server_seq": 1}


def test_duplicate_is_recognised_whatever_the_spelling(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    event = make_event(commune_a, 1, 1, payload=received_payload(commune_a, 1, 1, sets_count=2))
    event["occurred_at"] = "2026-11-21T08:30:00+07:00"
    assert desk.push([event]).status_code == 200

    same = {
        **event,
        "uuid": event["uuid"].upper(),
        "payload": dict(reversed(event["payload"].items())),
        "occurred_at": "2026-11-21T01:30:00Z",
    }
    response = desk.push([same])
    assert response.status_code == 200, response.text
    assert response.json()["duplicates"] == 1
    assert response.json()["acknowledged"] == [same["uuid"]]  # as the desk sent it


def test_malformed_event_rejects_the_whole_batch(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    batch = [make_event(commune_a, 1, seq) for seq in range(1, 4)]
    del batch[2]["occurred_at"]

    response = desk.push(batch)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "Event 3" in detail and "occurred_at" in detail
    assert desk.pull_all() == []


def test_schema_rules_of_an_event(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    broken: list[tuple[str, Any]] = [
        ("uuid", "not-a-uuid"),
        ("occurred_at", "2026-11-21T08:30:00"),  # no UTC offset
        ("origin_seq", 0),
        ("origin_seq", "1"),
        ("kind", ""),
        ("actor", "a\x00b"),
        ("payload", ["not", "an", "object"]),
        ("surprise", "unknown fields would be lost, so they are refused"),
    ]
    for name, value in broken:
        event = make_event(commune_a, 1, 1)
        event[name] = value
        response = desk.push([make_event(commune_a, 1, 1), event])
        assert response.status_code == 422, (name, value, response.text)
        assert isinstance(response.json()["detail"], str)

    with_nan = make_event(commune_a, 1, 1, payload={"x": float("nan")})
    response = desk.http.post(
        "/api/v1/events",
        content=json.dumps({"events": [with_nan]}),  # Python writes NaN, which JSON lacks
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text

    assert desk.push([]).status_code == 422
    too_many = [make_event(commune_a, 1, seq) for seq in range(1, 1002)]
    assert desk.push(too_many).status_code == 422
    assert desk.pull_all() == []


def test_event_of_another_commune_or_desk_is_forbidden(
    enroll_desk: Enroll, commune_a: str, commune_b: str
) -> None:
    desk = enroll_desk(commune_a, 1)
    for origin in ({"agency_code": commune_b, "desk": 1}, {"agency_code": commune_a, "desk": 2}):
        foreign = make_event(commune_a, 1, 2)
        foreign["origin"] = origin
        response = desk.push([make_event(commune_a, 1, 1), foreign])
        assert response.status_code == 403, response.text
        assert foreign["uuid"] in response.json()["detail"]
    assert desk.pull_all() == []


def test_pull_shows_only_the_callers_commune(
    enroll_desk: Enroll, commune_a: str, commune_b: str
) -> None:
    a1 = enroll_desk(commune_a, 1)
    a2 = enroll_desk(commune_a, 2)
    b1 = enroll_desk(commune_b, 1)
    events_a1 = [make_event(commune_a, 1, seq) for seq in (1, 2)]
    events_a2 = [make_event(commune_a, 2, 1)]
    events_b1 = [make_event(commune_b, 1, seq) for seq in (1, 2, 3)]
    assert a1.push(events_a1).status_code == 200
    assert b1.push(events_b1).status_code == 200
    assert a2.push(events_a2).status_code == 200

    # Every desk of commune A sees all of A (its own events too), none of B.
    for desk in (a1, a2):
        assert _uuids(desk.pull_all()) == _uuids(events_a1 + events_a2)
    pulled_b = b1.pull_all()
    assert _uuids(pulled_b) == _uuids(events_b1)
    assert [event["server_seq"] for event in pulled_b] == [1, 2, 3]  # numbered per commune


def test_pull_pages_return_everything_once_in_order(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    pushed: list[dict[str, Any]] = []
    for start in range(1, 24, 7):
        batch = [make_event(commune_a, 1, seq) for seq in range(start, start + 7)]
        assert desk.push(batch).status_code == 200
        pushed.extend(batch)

    pages = []
    cursor = 0
    while True:
        page = desk.pull(cursor, limit=5).json()
        pages.append(page)
        if page["events"]:
            assert page["next_cursor"] == page["events"][-1]["server_seq"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    seen = [event for page in pages for event in page["events"]]
    assert _uuids(seen) == _uuids(pushed)
    assert [event["server_seq"] for event in seen] == list(range(1, len(pushed) + 1))
    assert len(pages) == 6  # 28 events by 5

    tail = desk.pull(cursor).json()
    assert tail == {
        "events": [],
        "next_cursor": cursor,
        "has_more": False,
        "last_server_seq": cursor,
    }
    assert desk.pull(0, limit=0).status_code == 422
    assert desk.pull(0, limit=1001).status_code == 422
    assert desk.pull(-1).status_code == 422


def test_same_uuid_with_other_content_is_a_conflict(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    original = make_event(commune_a, 1, 1)
    assert desk.push([original]).status_code == 200

    tampered = {**original, "payload": {**original["payload"], "notes": "sửa lại"}}
    fresh = make_event(commune_a, 1, 2)
    response = desk.push([fresh, tampered])
    assert response.status_code == 409, response.text
    assert original["uuid"] in response.json()["detail"]
    # Nothing of the batch was stored, and history is unchanged.
    assert desk.pull_all() == [{**original, "server_seq": 1}]

    twice_in_one_batch = [fresh, {**fresh, "actor": "someone.else"}]
    assert desk.push(twice_in_one_batch).status_code == 409
    assert len(desk.pull_all()) == 1


def test_concurrent_pushes_never_let_a_reader_skip_an_event(
    enroll_desk: Enroll, commune_a: str
) -> None:
    desks = [enroll_desk(commune_a, number) for number in (1, 2, 3)]
    reader = enroll_desk(commune_a, 4)
    batches_per_desk, batch_size = 12, 10
    pushed: dict[int, list[str]] = {desk.desk: [] for desk in desks}
    failures: list[str] = []
    done = threading.Event()

    def push_all(desk: EnrolledDesk) -> None:
        seq = 0
        for _ in range(batches_per_desk):
            batch = []
            for _ in range(batch_size):
                seq += 1
                batch.append(make_event(commune_a, desk.desk, seq))
            response = desk.push(batch)
            if response.status_code != 200:
                failures.append(response.text)
                return
            pushed[desk.desk].extend(_uuids(batch))

    seen: list[dict[str, Any]] = []

    def follow() -> None:
        # A desk polling all the time: with a cursor it must see each event exactly once.
        cursor = 0
        while True:
            finished = done.is_set()
            page = reader.pull(cursor, limit=7).json()
            seen.extend(page["events"])
            cursor = page["next_cursor"]
            if finished and not page["has_more"]:
                return

    pushers = [threading.Thread(target=push_all, args=(desk,)) for desk in desks]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in pushers:
        thread.start()
    for thread in pushers:
        thread.join(timeout=120)
    done.set()
    follower.join(timeout=120)

    assert failures == []
    total = len(desks) * batches_per_desk * batch_size
    assert [event["server_seq"] for event in seen] == list(range(1, total + 1))
    for number, uuids in pushed.items():
        # Each desk's events keep its own order in the commune log.
        assert [e["uuid"] for e in seen if e["origin"]["desk"] == number] == uuids


def test_health_needs_no_token_but_events_do(client: httpx.Client, commune_a: str) -> None:
    health = client.get("/api/v1/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert "T" in health.json()["server_time"]
    # Written by hand for speed, still the published model, within a second of now.
    from district_server.schemas import HealthResponse

    answer = HealthResponse.model_validate_json(health.content)
    assert abs((answer.server_time - datetime.now(UTC)).total_seconds()) < 60

    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic dXNlcjpwdw=="}):
        pulled = client.get("/api/v1/events", headers=headers)
        assert pulled.status_code == 401
        assert isinstance(pulled.json()["detail"], str)
        pushed = client.post(
            "/api/v1/events", json={"events": [make_event(commune_a, 1, 1)]}, headers=headers
        )
        assert pushed.status_code == 401


def test_oversized_body_is_refused(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    big = make_event(commune_a, 1, 1, payload={"blob": "x" * (9 * 1024 * 1024)})
    response = desk.push([big])
    assert response.status_code == 413
    assert "MiB" in response.json()["detail"]
    assert desk.pull_all() == []


def test_pull_can_leave_out_the_callers_own_events(enroll_desk: Enroll, commune_a: str) -> None:
    """A desk that knows its own events (and their numbers, from the push answers) reads
    only the other desks'; the cursor still moves past its own."""
    desk1, desk2 = enroll_desk(commune_a, 1), enroll_desk(commune_a, 2)
    mine = [make_event(commune_a, 1, seq) for seq in range(1, 4)]
    theirs = [make_event(commune_a, 2, 1)]
    assert desk1.push(mine[:2]).status_code == 200
    assert desk2.push(theirs).status_code == 200
    assert desk1.push(mine[2:]).status_code == 200
    response = desk1.http.get("/api/v1/events", params={"after": 0, "exclude_own_upto": 3})
    page = response.json()
    assert [e["uuid"] for e in page["events"]] == _uuids(theirs)
    assert page["next_cursor"] == page["last_server_seq"] == 4
    assert page["has_more"] is False
    # Numbers above the given one still come: another machine under this desk number.
    partly = desk1.http.get("/api/v1/events", params={"after": 0, "exclude_own_upto": 2})
    assert [e["uuid"] for e in partly.json()["events"]] == _uuids([theirs[0], mine[2]])


def test_a_desk_cannot_reuse_one_of_its_event_numbers(enroll_desk: Enroll, commune_a: str) -> None:
    """Two machines under one desk number, or a reinstalled desk counting from 1 again:
    the second event numbered 1 is refused, so every desk's per-desk order stays whole."""
    desk = enroll_desk(commune_a, 1)
    assert desk.push([make_event(commune_a, 1, 1)]).status_code == 200
    again = desk.push([make_event(commune_a, 1, 1), make_event(commune_a, 1, 2)])
    assert again.status_code == 409
    assert "already sent event number 1" in again.json()["detail"]
    assert len(desk.pull_all()) == 1  # nothing of the refused batch was stored


def test_envelope_version_is_stored_and_served_back(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    plain = make_event(commune_a, 1, 1)
    explicit_one = {**make_event(commune_a, 1, 2), "version": 1}
    assert desk.push([plain, explicit_one]).status_code == 200

    pulled = {event["uuid"]: event for event in desk.pull_all()}
    # Version 1 is left out of the feed (desks read a missing version as 1).
    assert "version" not in pulled[plain["uuid"]]
    assert "version" not in pulled[explicit_one["uuid"]]
    assert desk.push([explicit_one | {"version": 1}]).json()["duplicates"] == 1

    # A version this server has no schema for is refused on its own terms (the desk keeps
    # it queued until the server is updated), and nothing of the batch is stored.
    second = {**make_event(commune_a, 1, 3), "version": 2}
    newer = desk.push([make_event(commune_a, 1, 4), second])
    assert newer.status_code == 422, newer.text
    assert newer.json()["code"] == "event.unknown_kind"
    assert newer.json()["event"] == second["uuid"]
    assert len(desk.pull_all()) == 2


def test_envelope_version_must_be_a_positive_integer(enroll_desk: Enroll, commune_a: str) -> None:
    desk = enroll_desk(commune_a, 1)
    for bad in (0, -1, "2", 1.5, None):
        response = desk.push([{**make_event(commune_a, 1, 1), "version": bad}])
        assert response.status_code == 422, (bad, response.text)
        assert "version" in response.json()["detail"]
    assert desk.pull_all() == []


def test_events_stored_before_envelope_texts_are_served_the_same(
    db_url: str, enroll_desk: Enroll, commune_a: str
) -> None:
    """Rows written before migration 0003 have a payload column and no envelope text."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select, update

    from district_server.db import make_engine
    from district_server.events import content_hash
    from district_server.models import Commune, Desk, Event
    from district_server.schemas import EventEnvelope

    desk = enroll_desk(commune_a, 1)
    old = make_event(
        commune_a,
        1,
        1,
        dossier=str(uuid.uuid4()),
        payload=received_payload(commune_a, 1, 1, applicant_name="Đỗ Thị Ánh"),
    )
    envelope = EventEnvelope.model_validate(old)
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            commune_id, desk_id = connection.execute(
                select(Commune.id, Desk.id)
                .join(Desk, Desk.commune_id == Commune.id)
                .where(Commune.agency_code == commune_a, Desk.number == 1)
            ).one()
            connection.execute(
                insert(Event).values(
                    commune_id=commune_id, server_seq=1, uuid=uuid.UUID(old["uuid"]),
                    dossier_uuid=uuid.UUID(old["dossier_uuid"]), kind=old["kind"],
                    payload=old["payload"], envelope=None, occurred_at=old["occurred_at"],
                    occurred_at_utc=envelope.occurred_at.astimezone(UTC), actor=old["actor"],
                    origin_desk=1, origin_seq=1, desk_id=desk_id,
                    content_hash=content_hash(envelope), received_at=datetime.now(UTC),
                )
            )  # fmt: skip
            connection.execute(
                update(Commune).where(Commune.id == commune_id).values(last_server_seq=1)
            )
    finally:
        engine.dispose()
    new = make_event(commune_a, 1, 2)
    assert desk.push([old, new]).json()["duplicates"] == 1  # same fingerprint as before
    pulled = desk.pull_all()
    assert pulled[0] == {**old, "server_seq": 1}
    assert pulled[1] == {**new, "server_seq": 2}
