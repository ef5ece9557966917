"""Storing the events desks push, and reading a commune's log back to its desks.

Numbering and concurrency
-------------------------
Each commune row holds a counter, ``last_server_seq``. A push locks that row, numbers its
new events from the counter, inserts them, stores the new counter and commits. So pushes
to one commune are serialised, and a commune's ``server_seq`` values become visible in
increasing order, without gaps: when a reader sees event n, every event below n is
already committed. A desk paging with ``after`` therefore never misses an event that
would commit later with a lower number. Pushes to different communes do not wait for
each other (on PostgreSQL).

The lock is ``SELECT ... FOR UPDATE`` on the commune row in PostgreSQL; in READ
COMMITTED the locked read returns the counter as the previous holder committed it.
SQLite has no row locks and ignores FOR UPDATE, but it serialises writers: write
transactions there begin with ``BEGIN IMMEDIATE`` (see ``district_server.db``), so the
whole push holds the database write lock from its first statement.

Idempotency
-----------
A uuid already stored with the same content is a duplicate: acknowledged, not stored
again. Same uuid with different content is a conflict (409) and nothing of the batch is
stored: history is never overwritten. "Same content" compares the normalised envelope
(uuid case, key order and the UTC offset of ``occurred_at`` do not matter) through a
SHA-256 fingerprint kept with each event.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from district_server.auth import DeskIdentity
from district_server.canonical import canonical_json
from district_server.errors import EventConflictError, WrongOriginError
from district_server.models import Commune, Event
from district_server.schemas import (
    EventEnvelope,
    Origin,
    PulledEvent,
    PullResponse,
    PushResponse,
)


def content_hash(event: EventEnvelope) -> str:
    """Fingerprint of what the event says, independent of how the JSON was spelled."""
    document: dict[str, Any] = {
        "uuid": event.uuid.lower(),
        "dossier_uuid": event.dossier_uuid.lower() if event.dossier_uuid else None,
        "kind": event.kind,
        "payload": event.payload,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "origin": {"agency_code": event.origin.agency_code, "desk": event.origin.desk},
        "origin_seq": event.origin_seq,
    }
    return hashlib.sha256(canonical_json(document).encode("ascii")).hexdigest()


def check_origins(identity: DeskIdentity, events: list[EventEnvelope]) -> None:
    """Refuse the batch if any event claims another commune or desk than the caller's."""
    for event in events:
        if event.origin.agency_code != identity.agency_code or event.origin.desk != identity.desk:
            raise WrongOriginError(
                f"Event {event.uuid} says it comes from desk {event.origin.desk} of commune "
                f"{event.origin.agency_code}, but this token belongs to desk {identity.desk} "
                f"of commune {identity.agency_code}; nothing of the batch was stored."
            )


def _lock_commune(session: Session, commune_id: int) -> int:
    """Lock the commune's row and return its counter (see the module docstring)."""
    return session.execute(
        select(Commune.last_server_seq).where(Commune.id == commune_id).with_for_update()
    ).scalar_one()


def _conflict(uuid_text: str) -> EventConflictError:
    return EventConflictError(
        f"Event {uuid_text} was already stored with different content; stored events never "
        "change, so nothing of the batch was stored."
    )


def store_batch(
    session: Session, identity: DeskIdentity, events: list[EventEnvelope], now: datetime
) -> PushResponse:
    """Store the new events of a batch in order; the caller commits."""
    check_origins(identity, events)
    last_seq = _lock_commune(session, identity.commune_id)

    keys = [UUID(event.uuid) for event in events]
    known: dict[UUID, tuple[str, int]] = {
        key: (digest, seq)
        for key, digest, seq in session.execute(
            select(Event.uuid, Event.content_hash, Event.server_seq).where(
                Event.uuid.in_(set(keys))
            )
        ).all()
    }
    # An event number a desk already used for another event: a second machine under the
    # same desk number, or a reinstalled desk counting from 1 again. Storing it would
    # break every desk's per-desk order, so the batch is refused.
    numbered: dict[tuple[int, int], UUID] = {
        (desk, seq): uuid
        for desk, seq, uuid in session.execute(
            select(Event.origin_desk, Event.origin_seq, Event.uuid).where(
                Event.commune_id == identity.commune_id,
                Event.origin_desk == identity.desk,
                Event.origin_seq.in_({event.origin_seq for event in events}),
            )
        ).all()
    }
    rows: list[dict[str, Any]] = []
    server_seqs: list[int] = []
    duplicates = 0
    for event, key in zip(events, keys, strict=True):
        digest = content_hash(event)
        previous = known.get(key)
        if previous is not None:
            if previous[0] != digest:
                raise _conflict(event.uuid)
            duplicates += 1
            server_seqs.append(previous[1])
            continue
        other = numbered.get((event.origin.desk, event.origin_seq))
        if other is not None and other != key:
            raise EventConflictError(
                f"Desk {event.origin.desk} already sent event number {event.origin_seq} "
                f"({other}); event {event.uuid} reuses it. Is another machine enrolled as "
                "this desk? Nothing of the batch was stored."
            )
        numbered[(event.origin.desk, event.origin_seq)] = key
        last_seq += 1
        known[key] = (digest, last_seq)
        server_seqs.append(last_seq)
        rows.append(
            {
                "commune_id": identity.commune_id,
                "server_seq": last_seq,
                "uuid": key,
                "dossier_uuid": UUID(event.dossier_uuid) if event.dossier_uuid else None,
                "kind": event.kind,
                "payload": event.payload,
                "occurred_at": event.occurred_at.isoformat(),
                "occurred_at_utc": event.occurred_at.astimezone(UTC),
                "actor": event.actor,
                "origin_desk": event.origin.desk,
                "origin_seq": event.origin_seq,
                "desk_id": identity.desk_id,
                "content_hash": digest,
                "received_at": now,
            }
        )
    if rows:
        try:
            session.execute(insert(Event), rows)
        except IntegrityError as exc:
            # Only a uuid already used by another commune (stored after our check, under
            # that commune's lock) can collide here; its content necessarily differs.
            raise EventConflictError(
                "An event of the batch reuses the uuid of an event stored for another "
                "commune; nothing of the batch was stored."
            ) from exc
        session.execute(
            update(Commune)
            .where(Commune.id == identity.commune_id)
            .values(last_server_seq=last_seq)
            .execution_options(synchronize_session=False)
        )
    return PushResponse(
        acknowledged=[event.uuid for event in events],
        stored=len(rows),
        duplicates=duplicates,
        last_server_seq=last_seq,
        server_seqs=server_seqs,
    )


def read_page(
    session: Session,
    identity: DeskIdentity,
    after: int,
    limit: int,
    *,
    exclude_own_upto: int | None = None,
) -> PullResponse:
    """The caller's commune events with ``server_seq > after``, oldest first.

    ``exclude_own_upto`` leaves out the caller's own events numbered up to it (the caller
    has those); events of its desk number above it — another machine's — still come.
    The counter is read first: every event up to it is committed (see the module
    docstring), so when the rest of the log is left out the cursor may move straight to
    the counter.
    """
    last_seq = session.execute(
        select(Commune.last_server_seq).where(Commune.id == identity.commune_id)
    ).scalar_one()
    query = select(Event).where(
        Event.commune_id == identity.commune_id,
        Event.server_seq > after,
        Event.server_seq <= last_seq,
    )
    if exclude_own_upto is not None:
        query = query.where(
            (Event.origin_desk != identity.desk) | (Event.origin_seq > exclude_own_upto)
        )
    stored = session.scalars(query.order_by(Event.server_seq).limit(limit + 1)).all()
    page = stored[:limit]
    has_more = len(stored) > limit
    if has_more:
        next_cursor = page[-1].server_seq
    else:
        next_cursor = (
            max(after, last_seq)
            if exclude_own_upto is not None
            else (page[-1].server_seq if page else after)
        )
    return PullResponse(
        events=[
            PulledEvent(
                uuid=str(event.uuid),
                dossier_uuid=str(event.dossier_uuid) if event.dossier_uuid else None,
                kind=event.kind,
                payload=event.payload,
                occurred_at=event.occurred_at,
                actor=event.actor,
                origin=Origin(agency_code=identity.agency_code, desk=event.origin_desk),
                origin_seq=event.origin_seq,
                server_seq=event.server_seq,
            )
            for event in page
        ],
        next_cursor=next_cursor,
        has_more=has_more,
        last_server_seq=last_seq,
    )
