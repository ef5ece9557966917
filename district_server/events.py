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

Cost per event
--------------
A province's desks come back together after an outage, so the work per event is kept
small: the payload is serialised once (its canonical text, made while validating), the
envelope's stored text and its fingerprint are assembled from that text, pulls splice the
stored text into the answer without decoding it, and on PostgreSQL look-ups and inserts
go as one short statement with array parameters, the same text every time, which the
driver prepares once per connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from sqlalchemy import Connection, Engine, Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from district_server.auth import DeskIdentity, identify, unknown_token
from district_server.canonical import canonical_json
from district_server.errors import EventConflictError, WrongOriginError
from district_server.models import Commune, Event
from district_server.schemas import EventEnvelope, JsonObject, PushResponse
from district_server.tokens import hash_secret

_dumps = json.dumps


def _payload_text(event: EventEnvelope) -> str:
    payload = event.payload
    if isinstance(payload, JsonObject):
        return payload.canonical
    return canonical_json(payload)


def envelope_texts(event: EventEnvelope) -> tuple[str, str]:
    """The envelope's stored text and its SHA-256 fingerprint.

    Both are the canonical JSON of the envelope (sorted keys, no spaces, ASCII), written
    out key by key around the payload's canonical text; they differ only in
    ``occurred_at``: the stored text keeps the desk's offset, the fingerprinted one is in
    UTC, so a resend with another offset is still a duplicate. The fingerprint is the one
    the server has always kept (``version`` enters it only when it is not 1).
    """
    dossier = event.dossier_uuid
    head = (
        '{"actor":' + _dumps(event.actor)
        + ',"dossier_uuid":' + (_dumps(dossier.lower()) if dossier else "null")
        + ',"kind":' + _dumps(event.kind)
        + ',"occurred_at":'
    )  # fmt: skip
    tail = (
        ',"origin":{"agency_code":' + _dumps(event.origin.agency_code)
        + ',"desk":' + str(event.origin.desk)
        + '},"origin_seq":' + str(event.origin_seq)
        + ',"payload":' + _payload_text(event)
        + ',"uuid":"' + event.uuid.lower() + '"'
        + (',"version":' + str(event.version) if event.version != 1 else "")
        + "}"
    )  # fmt: skip
    occurred = event.occurred_at
    stored = head + '"' + occurred.isoformat() + '"' + tail
    hashed = head + '"' + occurred.astimezone(UTC).isoformat() + '"' + tail
    return stored, hashlib.sha256(hashed.encode("ascii")).hexdigest()


def content_hash(event: EventEnvelope) -> str:
    """Fingerprint of what the event says, independent of how the JSON was spelled."""
    return envelope_texts(event)[1]


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


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# One short statement for every row (psycopg's executemany: prepared once per connection,
# rows sent in a pipeline). Arrays of text would cost more: their literal escapes every
# quote and backslash of the envelopes.
_PG_INSERT = (
    "INSERT INTO events (commune_id, server_seq, uuid, dossier_uuid, kind, envelope,"
    " occurred_at, occurred_at_utc, actor, origin_desk, origin_seq, desk_id, content_hash,"
    " received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _known_uuids(session: Session, keys: list[UUID]) -> dict[UUID, tuple[str, int]]:
    return {
        key: (digest, seq)
        for key, digest, seq in session.execute(
            select(Event.uuid, Event.content_hash, Event.server_seq).where(
                Event.uuid.in_(set(keys))
            )
        ).all()
    }


def _numbered(
    session: Session, identity: DeskIdentity, seqs: list[int]
) -> dict[tuple[int, int], UUID]:
    return {
        (desk, seq): uuid
        for desk, seq, uuid in session.execute(
            select(Event.origin_desk, Event.origin_seq, Event.uuid).where(
                Event.commune_id == identity.commune_id,
                Event.origin_desk == identity.desk,
                Event.origin_seq.in_(set(seqs)),
            )
        ).all()
    }


# The reads of a push on PostgreSQL: the same short texts every time, with arrays for
# the batch, straight to the driver (prepared once per connection, no SQL compiled).
_PG_LOCK = "SELECT last_server_seq FROM communes WHERE id = %s FOR UPDATE"
_PG_KNOWN = "SELECT uuid, content_hash, server_seq FROM events WHERE uuid = ANY(%s::uuid[])"
_PG_NUMBERED = (
    "SELECT origin_desk, origin_seq, uuid FROM events"
    " WHERE commune_id = %s AND origin_desk = %s AND origin_seq = ANY(%s::bigint[])"
)
_PG_COUNTER = "UPDATE communes SET last_server_seq = %s WHERE id = %s"


def _driver(session: Session) -> psycopg.Connection[Any]:
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def _lock_and_read(
    session: Session, identity: DeskIdentity, keys: list[UUID], seqs: list[int], postgresql: bool
) -> tuple[int, dict[UUID, tuple[str, int]], dict[tuple[int, int], UUID]]:
    """Lock the commune (see the module docstring); its counter, the batch's uuids
    already stored (fingerprint, server_seq) and the desk's event numbers already used."""
    if not postgresql:
        return (
            _lock_commune(session, identity.commune_id),
            _known_uuids(session, keys),
            _numbered(session, identity, seqs),
        )
    with _driver(session).cursor() as cursor:
        row = cursor.execute(_PG_LOCK, (identity.commune_id,)).fetchone()
        assert row is not None
        known = {key: (digest, seq) for key, digest, seq in cursor.execute(_PG_KNOWN, (keys,))}
        numbered = {
            (desk, seq): uuid
            for desk, seq, uuid in cursor.execute(
                _PG_NUMBERED, (identity.commune_id, identity.desk, seqs)
            )
        }
    return row[0], known, numbered


def _insert(
    session: Session,
    identity: DeskIdentity,
    rows: list[tuple[int, UUID, EventEnvelope, str, str]],
    now: datetime,
    postgresql: bool,
) -> None:
    if postgresql:
        with _driver(session).cursor() as cursor:
            cursor.executemany(
                _PG_INSERT,
                [
                    (
                        identity.commune_id, seq, key, event.dossier_uuid, event.kind, stored,
                        event.occurred_at.isoformat(), event.occurred_at.astimezone(UTC),
                        event.actor, identity.desk, event.origin_seq, identity.desk_id, digest,
                        now,
                    )
                    for seq, key, event, stored, digest in rows
                ],
            )  # fmt: skip
        return
    session.execute(
        insert(Event),
        [
            {
                "commune_id": identity.commune_id,
                "server_seq": seq,
                "uuid": key,
                "dossier_uuid": UUID(event.dossier_uuid) if event.dossier_uuid else None,
                "kind": event.kind,
                "envelope": stored,
                "occurred_at": event.occurred_at.isoformat(),
                "occurred_at_utc": event.occurred_at.astimezone(UTC),
                "actor": event.actor,
                "origin_desk": event.origin.desk,
                "origin_seq": event.origin_seq,
                "desk_id": identity.desk_id,
                "content_hash": digest,
                "received_at": now,
            }
            for seq, key, event, stored, digest in rows
        ],
    )


def _store_counter(session: Session, commune_id: int, last_seq: int, postgresql: bool) -> None:
    if postgresql:
        _driver(session).execute(_PG_COUNTER, (last_seq, commune_id))
        return
    session.execute(
        update(Commune)
        .where(Commune.id == commune_id)
        .values(last_server_seq=last_seq)
        .execution_options(synchronize_session=False)
    )


def store_batch(
    session: Session, identity: DeskIdentity, events: list[EventEnvelope], now: datetime
) -> PushResponse:
    """Store the new events of a batch in order; the caller commits."""
    check_origins(identity, events)
    # Fingerprints before the lock: it is the CPU part, and other pushes to the commune
    # need not wait for it.
    texts = [envelope_texts(event) for event in events]
    keys = [UUID(event.uuid) for event in events]
    postgresql = _is_postgresql(session)
    # An event number a desk already used for another event: a second machine under the
    # same desk number, or a reinstalled desk counting from 1 again. Storing it would
    # break every desk's per-desk order, so the batch is refused.
    last_seq, known, numbered = _lock_and_read(
        session, identity, keys, [event.origin_seq for event in events], postgresql
    )
    rows: list[tuple[int, UUID, EventEnvelope, str, str]] = []
    server_seqs: list[int] = []
    duplicates = 0
    for event, key, (stored, digest) in zip(events, keys, texts, strict=True):
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
        rows.append((last_seq, key, event, stored, digest))
    if rows:
        try:
            _insert(session, identity, rows, now, postgresql)
        except IntegrityError as exc:
            # Only a uuid already used by another commune (stored after our check, under
            # that commune's lock) can collide here; its content necessarily differs.
            raise EventConflictError(
                "An event of the batch reuses the uuid of an event stored for another "
                "commune; nothing of the batch was stored."
            ) from exc
        _store_counter(session, identity.commune_id, last_seq, postgresql)
    return PushResponse(
        acknowledged=[event.uuid for event in events],
        stored=len(rows),
        duplicates=duplicates,
        last_server_seq=last_seq,
        server_seqs=server_seqs,
    )


def _legacy_envelope(row: Row[Any], agency_code: str) -> str:
    """The stored text of an event stored before envelopes were kept (revision 0003)."""
    return canonical_json(
        {
            "uuid": str(row.uuid),
            "dossier_uuid": str(row.dossier_uuid) if row.dossier_uuid else None,
            "kind": row.kind,
            "payload": row.payload,
            "occurred_at": row.occurred_at,
            "actor": row.actor,
            "origin": {"agency_code": agency_code, "desk": row.origin_desk},
            "origin_seq": row.origin_seq,
        }
    )


def _with_legacy_envelopes(
    session: Session | Connection,
    commune_id: int,
    agency_code: str,
    page: Sequence[tuple[int, str | None]],
) -> list[str]:
    """The page's envelope texts, made from the columns for rows stored without one."""
    missing = [seq for seq, envelope in page if envelope is None]
    if not missing:
        return [envelope for _seq, envelope in page if envelope is not None]
    legacy = {
        row.server_seq: _legacy_envelope(row, agency_code)
        for row in session.execute(
            select(
                Event.server_seq, Event.uuid, Event.dossier_uuid, Event.kind, Event.payload,
                Event.occurred_at, Event.actor, Event.origin_desk, Event.origin_seq,
            ).where(Event.commune_id == commune_id, Event.server_seq.in_(missing))
        )
    }  # fmt: skip
    return [envelope if envelope is not None else legacy[seq] for seq, envelope in page]


def _page_json(
    page: Sequence[tuple[int, str | None]],
    texts: list[str],
    has_more: bool,
    after: int,
    last_seq: int,
    exclude_own_upto: int | None,
) -> bytes:
    """The JSON body of a ``PullResponse`` around the page's stored envelope texts."""
    events = ",".join(
        text[:-1] + ',"server_seq":' + str(seq) + "}"
        for (seq, _envelope), text in zip(page, texts, strict=True)
    )
    page_last = page[-1][0] if page else None
    return _page_body(events, page_last, has_more, after, last_seq, exclude_own_upto)


def _page_body(
    events: str,
    page_last: int | None,
    has_more: bool,
    after: int,
    last_seq: int,
    exclude_own_upto: int | None,
) -> bytes:
    """The JSON body of a ``PullResponse``: ``events`` is the page's event objects,
    joined by commas; ``page_last`` the ``server_seq`` of its last one."""
    if has_more:
        assert page_last is not None
        next_cursor = page_last
    elif exclude_own_upto is not None:
        next_cursor = max(after, last_seq)
    else:
        next_cursor = page_last if page_last is not None else after
    return (
        '{"events":['
        + events
        + '],"next_cursor":'
        + str(next_cursor)
        + ',"has_more":'
        + ("true" if has_more else "false")
        + ',"last_server_seq":'
        + str(last_seq)
        + "}"
    ).encode("ascii")


def read_page_json(
    session: Session | Connection,
    identity: DeskIdentity,
    after: int,
    limit: int,
    *,
    exclude_own_upto: int | None = None,
) -> tuple[bytes, int]:
    """The caller's commune events with ``server_seq > after``, oldest first, as the JSON
    body of a ``PullResponse``, and how many events it holds.

    ``exclude_own_upto`` leaves out the caller's own events numbered up to it (the caller
    has those); events of its desk number above it — another machine's — still come.
    The counter is read first: every event up to it is committed (see the module
    docstring), so when the rest of the log is left out the cursor may move straight to
    the counter.
    """
    last_seq = session.execute(
        select(Commune.last_server_seq).where(Commune.id == identity.commune_id)
    ).scalar_one()
    query = select(Event.server_seq, Event.envelope).where(
        Event.commune_id == identity.commune_id,
        Event.server_seq > after,
        Event.server_seq <= last_seq,
    )
    if exclude_own_upto is not None:
        query = query.where(
            (Event.origin_desk != identity.desk) | (Event.origin_seq > exclude_own_upto)
        )
    stored = session.execute(query.order_by(Event.server_seq).limit(limit + 1)).all()
    page = stored[:limit]
    texts = _with_legacy_envelopes(session, identity.commune_id, identity.agency_code, page)
    has_more = len(stored) > limit
    return _page_json(page, texts, has_more, after, last_seq, exclude_own_upto), len(page)


# A pull on PostgreSQL in one statement, the same text every time (prepared once per
# connection): the token's desk and its commune's counter, and the page below that
# counter, read from one snapshot. ``own`` is -1 when the caller leaves none of its own
# events out (every origin_seq is above it). The page's events come back as one text,
# each stored envelope with its ``server_seq`` spliced in before its closing brace and
# joined by commas (what ``_page_json`` does, done where the texts are), and ``legacy``
# says whether a row of the page has no stored text (before revision 0003).
_PG_PULL = (
    "SELECT me.desk_id, me.number, me.commune_id, me.agency_code, me.last_server_seq,"
    " count(e.server_seq) FILTER (WHERE e.n <= %(limit)s),"
    " max(e.server_seq) FILTER (WHERE e.n <= %(limit)s),"
    " count(e.server_seq) > %(limit)s,"
    " coalesce(bool_or(e.envelope IS NULL) FILTER (WHERE e.n <= %(limit)s), false),"
    " string_agg(left(e.envelope, -1) || ',\"server_seq\":' || e.server_seq || '}', ','"
    " ORDER BY e.server_seq) FILTER (WHERE e.n <= %(limit)s)"
    " FROM (SELECT d.id AS desk_id, d.number, c.id AS commune_id, c.agency_code,"
    " c.last_server_seq"
    " FROM credentials cr JOIN desks d ON d.id = cr.desk_id"
    " JOIN communes c ON c.id = d.commune_id"
    " WHERE cr.token_hash = %(token)s AND cr.revoked_at IS NULL) AS me"
    " LEFT JOIN LATERAL (SELECT server_seq, envelope,"
    " row_number() OVER (ORDER BY server_seq) AS n FROM events"
    " WHERE commune_id = me.commune_id AND server_seq > %(after)s"
    " AND server_seq <= me.last_server_seq"
    " AND (origin_desk <> me.number OR origin_seq > %(own)s)"
    " ORDER BY server_seq LIMIT %(limit)s + 1) AS e ON true"
    " GROUP BY me.desk_id, me.number, me.commune_id, me.agency_code, me.last_server_seq"
)


def pull_page(
    engine: Engine,
    token: str,
    after: int,
    limit: int,
    *,
    exclude_own_upto: int | None = None,
) -> tuple[bytes, int]:
    """``read_page_json`` for the desk owning ``token`` (``NotAuthenticatedError`` when
    no live token matches), on one pooled connection.

    A desk polls every few seconds, mostly for nothing new, so the fixed cost of a pull
    counts as much as its cost per event. On PostgreSQL the token, the counter and the
    page come in one prepared statement, outside any transaction (no BEGIN, no
    ROLLBACK); elsewhere through the same functions as the rest of the server.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            identity = identify(connection, token)
            if identity is None:
                raise unknown_token()
            return read_page_json(
                connection, identity, after, limit, exclude_own_upto=exclude_own_upto
            )
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        driver.autocommit = True
        try:
            row = driver.execute(
                _PG_PULL,
                {
                    "token": hash_secret(token),
                    "after": after,
                    "own": -1 if exclude_own_upto is None else exclude_own_upto,
                    "limit": limit,
                },
            ).fetchone()
        except psycopg.OperationalError:
            if driver.broken or driver.closed:
                # Lost (the server restarted): closed here, so the pool neither tries to
                # reset it nor hands it out again.
                connection.invalidate()
            raise
        finally:
            if not driver.closed:
                driver.autocommit = False
        if row is None:
            raise unknown_token()
        (
            desk_id,
            desk,
            commune_id,
            agency_code,
            last_seq,
            count,
            page_last,
            has_more,
            legacy,
            events,
        ) = row
        if legacy:
            # Rows stored before envelopes were kept: their texts are made here.
            identity = DeskIdentity(desk_id, desk, commune_id, agency_code)
            return read_page_json(
                connection, identity, after, limit, exclude_own_upto=exclude_own_upto
            )
    body = _page_body(events or "", page_last, has_more, after, last_seq, exclude_own_upto)
    return body, count
