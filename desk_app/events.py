"""The event log: one append-only row per recorded change, written in the change's
own transaction, so a change and its record exist together or not at all.

An event's envelope is what travels to the district server::

    {"uuid", "dossier_uuid", "kind", "payload", "occurred_at", "actor",
     "origin": {"agency_code", "desk"}, "origin_seq"[, "version"]}

``origin_seq`` numbers this desk's events 1, 2, 3… with no gaps; the server and other
desks use it to keep each desk's order. ``version`` is the version of the kind's payload
schema (``event_schema``); it is sent only when it is not 1, so an envelope of today's
kinds is exactly what servers that predate versions accept, and an envelope without it
reads as version 1.

``append_event`` stores what it is given; commands record typed payloads through
``desk_app.dossiers.record``, which validates and dumps them first.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db.models import Event, SyncState
from desk_app.ids import uuid7


def append_event(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    actor: str,
    agency_code: str,
    desk: int,
    occurred_at_utc: dt.datetime,
    dossier_uuid: str | None = None,
    version: int = 1,
) -> Event:
    """Record a change made at this desk, inside the caller's transaction.

    Numbers continue above the floor learnt at enrolment, so a machine replacing a desk
    never reuses a number the old one sent. The envelope is checked against what the
    server accepts now, not when the event would be refused later.
    """
    if not 1 <= len(actor) <= 64 or not actor.strip():
        raise ValueError("an event needs its actor (1 to 64 characters)")
    if not 1 <= len(kind) <= 64:
        raise ValueError("an event needs its kind (1 to 64 characters)")
    last = session.scalar(
        select(func.max(Event.origin_seq))
        .where(Event.origin_agency_code == agency_code)
        .where(Event.origin_desk == desk)
    )
    floor = session.scalar(select(SyncState.origin_seq_floor).where(SyncState.id == 1))
    event = Event(
        uuid=uuid7(),
        dossier_uuid=dossier_uuid,
        kind=kind,
        version=version,
        payload=payload,
        occurred_at=occurred_at_utc.replace(tzinfo=None),
        actor=actor,
        origin_agency_code=agency_code,
        origin_desk=desk,
        origin_seq=max(last or 0, floor or 0) + 1,
        is_local=True,
        pushed_at=None,
        server_seq=None,
    )
    session.add(event)
    return event


def envelope(event: Event) -> dict[str, Any]:
    """The JSON form of an event, as pushed to the district server."""
    data: dict[str, Any] = {
        "uuid": event.uuid,
        "dossier_uuid": event.dossier_uuid,
        "kind": event.kind,
        "payload": event.payload,
        "occurred_at": event.occurred_at.replace(tzinfo=dt.UTC).isoformat(),
        "actor": event.actor,
        "origin": {"agency_code": event.origin_agency_code, "desk": event.origin_desk},
        "origin_seq": event.origin_seq,
    }
    if event.version != 1:
        data["version"] = event.version
    return data


def envelope_json(
    uuid: str,
    dossier_uuid: str | None,
    kind: str,
    payload_json: str,
    occurred_at: dt.datetime,
    actor: str,
    agency_code: str,
    desk: int,
    origin_seq: int,
    version: int = 1,
) -> str:
    """The envelope as JSON text around a payload that is JSON text already (as stored):
    what ``envelope`` gives, without decoding and encoding the payload again."""
    head_fields: dict[str, Any] = {
        "uuid": uuid,
        "dossier_uuid": dossier_uuid,
        "kind": kind,
        "occurred_at": occurred_at.replace(tzinfo=dt.UTC).isoformat(),
        "actor": actor,
        "origin": {"agency_code": agency_code, "desk": desk},
        "origin_seq": origin_seq,
    }
    if version != 1:
        head_fields["version"] = version
    head = json.dumps(
        head_fields,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f'{head[:-1]},"payload":{payload_json}}}'


def envelope_version(env: dict[str, Any]) -> int:
    """The payload version an envelope declares: 1 when it says none, 0 (a version no
    schema has) when it says something that is not a version."""
    version = env.get("version")
    if version is None:
        return 1
    return version if isinstance(version, int) and not isinstance(version, bool) else 0
