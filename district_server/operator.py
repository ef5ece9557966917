"""What the upstream operator sees and does about events that do not fit.

* ``refused``: events the server refused when a desk pushed them (``validation``).
* ``set-aside``: events of the commune's log a desk pulled and could not apply, as each
  desk reports them (``POST /api/v1/set-aside``: the desk's whole current list).
* ``retract``: a compensating ``event.retracted`` appended to the commune's log — never a
  deletion. Every desk then folds as if the retracted event were not there. The district
  writes it as desk number 0 of the commune, a desk row no credential is ever issued for
  (``district-server enroll`` numbers desks from 1), so its events are numbered apart.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from district_server.auth import DeskIdentity
from district_server.canonical import canonical_json
from district_server.errors import DistrictServerError
from district_server.models import Commune, Desk, Event, RefusedEvent, SetAsideEvent
from event_schema import EventRetractedV1, PayloadError

DISTRICT_DESK = 0
RETRACTED = EventRetractedV1.KIND


class UnknownEventError(DistrictServerError):
    """No stored event has this uuid."""

    status_code = 404


class RetractionRefusedError(DistrictServerError):
    """This event cannot be retracted (already retracted, or itself a retraction)."""

    status_code = 409


@dataclass(frozen=True)
class Listed:
    """One refused or set-aside event, per desk, for the operator."""

    commune: str
    desk: int
    event: str
    kind: str
    version: int
    code: str
    reason: str
    at: datetime
    times: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "desk": self.desk,
            "event": self.event,
            "kind": self.kind,
            "version": self.version,
            "code": self.code,
            "reason": self.reason,
            "at": self.at.isoformat(),
            "times": self.times,
        }


def list_refused(session: Session, commune: str | None, desk: int | None) -> list[Listed]:
    """Events the server refused, per desk, oldest refusal first."""
    return [
        Listed(agency, number, r.event_uuid, r.kind, r.version, r.code, r.detail,
               r.last_refused_at, r.times)
        for r, agency, number in session.execute(
            _per_desk(RefusedEvent, RefusedEvent.last_refused_at, commune, desk)
        )
    ]  # fmt: skip


def list_set_aside(session: Session, commune: str | None, desk: int | None) -> list[Listed]:
    """Events desks pulled and set aside, per desk, as each last reported them."""
    return [
        Listed(agency, number, r.event_uuid, r.kind, r.version, r.code, r.reason, r.reported_at)
        for r, agency, number in session.execute(
            _per_desk(SetAsideEvent, SetAsideEvent.reported_at, commune, desk)
        )
    ]


def _per_desk(
    model: type[RefusedEvent] | type[SetAsideEvent],
    at: Any,
    commune: str | None,
    desk: int | None,
) -> Any:
    query = (
        select(model, Commune.agency_code, Desk.number)
        .join(Desk, Desk.id == model.desk_id)
        .join(Commune, Commune.id == model.commune_id)
        .order_by(Commune.agency_code, Desk.number, at)
    )
    if commune is not None:
        query = query.where(Commune.agency_code == commune)
    if desk is not None:
        query = query.where(Desk.number == desk)
    return query


def replace_set_aside(
    session: Session, identity: DeskIdentity, items: list[dict[str, Any]], now: datetime
) -> int:
    """The desk's current list of set-aside events replaces what it reported before."""
    session.execute(delete(SetAsideEvent).where(SetAsideEvent.desk_id == identity.desk_id))
    for item in items:
        session.add(
            SetAsideEvent(
                commune_id=identity.commune_id,
                desk_id=identity.desk_id,
                event_uuid=str(item["uuid"]).lower(),
                kind=str(item["kind"]),
                version=int(item["version"]),
                code=str(item["code"]),
                reason=str(item["reason"]),
                reported_at=now,
            )
        )
    return len(items)


@dataclass(frozen=True)
class Retraction:
    uuid: str
    server_seq: int
    commune: str
    target: str
    target_kind: str


def _district_desk(session: Session, commune_id: int, now: datetime) -> Desk:
    desk = session.scalars(
        select(Desk).where(Desk.commune_id == commune_id, Desk.number == DISTRICT_DESK)
    ).first()
    if desk is None:
        desk = Desk(commune_id=commune_id, number=DISTRICT_DESK, created_at=now)
        session.add(desk)
        session.flush()
    return desk


def retract(
    session: Session, event_uuid: str, reason: str, operator: str, now: datetime
) -> Retraction:
    """Append an ``event.retracted`` for ``event_uuid`` to its commune's log."""
    try:
        key = uuid.UUID(event_uuid)
    except ValueError:
        raise UnknownEventError(f"{event_uuid!r} is not an event uuid.") from None
    target = session.scalars(select(Event).where(Event.uuid == key)).first()
    if target is None:
        raise UnknownEventError(f"No stored event has uuid {key}.")
    if target.kind == RETRACTED:
        raise RetractionRefusedError(f"Event {key} is itself a retraction; it stays.")
    try:
        payload = EventRetractedV1.parse(
            {"event": str(key), "reason": reason, "retracted_by": operator[:200]}
        )
    except PayloadError as exc:
        raise DistrictServerError(f"The retraction is not valid: {exc}.") from None
    # The commune's row lock numbers the event, as a push does (see events.py).
    last_seq = session.execute(
        select(Commune.last_server_seq).where(Commune.id == target.commune_id).with_for_update()
    ).scalar_one()
    already = session.scalar(
        select(Event.uuid).where(
            Event.commune_id == target.commune_id,
            Event.kind == RETRACTED,
            Event.envelope.contains(f'"event":"{key}"'),
        )
    )
    if already is not None:
        raise RetractionRefusedError(f"Event {key} was already retracted by event {already}.")
    agency = session.scalar(select(Commune.agency_code).where(Commune.id == target.commune_id))
    assert agency is not None
    desk = _district_desk(session, target.commune_id, now)
    origin_seq = 1 + int(
        session.scalar(
            select(func.coalesce(func.max(Event.origin_seq), 0)).where(
                Event.commune_id == target.commune_id, Event.origin_desk == DISTRICT_DESK
            )
        )
        or 0
    )
    new_uuid = uuid.uuid4()
    occurred = now.astimezone(UTC)
    actor = f"district:{operator}"[:200]
    envelope = canonical_json(
        {
            "uuid": str(new_uuid),
            "dossier_uuid": str(target.dossier_uuid) if target.dossier_uuid else None,
            "kind": RETRACTED,
            "payload": payload.dump(),
            "occurred_at": occurred.isoformat(),
            "actor": actor,
            "origin": {"agency_code": agency, "desk": DISTRICT_DESK},
            "origin_seq": origin_seq,
        }
    )
    seq = last_seq + 1
    session.add(
        Event(
            commune_id=target.commune_id,
            server_seq=seq,
            uuid=new_uuid,
            dossier_uuid=target.dossier_uuid,
            kind=RETRACTED,
            envelope=envelope,
            occurred_at=occurred.isoformat(),
            occurred_at_utc=occurred,
            actor=actor,
            origin_desk=DISTRICT_DESK,
            origin_seq=origin_seq,
            desk_id=desk.id,
            content_hash=hashlib.sha256(envelope.encode("ascii")).hexdigest(),
            received_at=now,
        )
    )
    session.execute(
        update(Commune)
        .where(Commune.id == target.commune_id)
        .values(last_server_seq=seq)
        .execution_options(synchronize_session=False)
    )
    return Retraction(str(new_uuid), seq, agency, str(key), target.kind)
