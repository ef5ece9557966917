"""Every pushed event is read with the shared ``event_schema`` before anything is stored.

A batch is all or nothing, as before: the first event that fails refuses the whole
batch (nothing stored), and the answer names it (``event``) and says why (``code``):

* ``event.invalid`` (422): the payload does not have the shape of its kind and version
  (``"received_at": "not-a-date"``). Stored, it would stop every other desk of the
  commune from applying its feed.
* ``event.code_not_this_desk`` (422): a ``dossier.received`` whose code does not carry
  the sending desk's own number; it would take another desk's next code.
* ``event.district_only`` (422): a kind only the district writes (``event.retracted``).
* ``event.unknown_kind`` (422, a refusal of its own): no schema for this kind and version
  here — the desk runs a newer program than the server. Nothing is wrong with the event:
  the desk keeps it queued ("máy chủ cần cập nhật") and sends it again after the upgrade.

The desk splits a refused batch until the refused event is alone, so one bad event never
holds back the rest of its outbox. Each refusal is recorded (``refused_events``) for the
operator's ``district-server events refused``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import event_schema
from district_server.auth import DeskIdentity
from district_server.errors import DistrictServerError
from district_server.models import RefusedEvent
from district_server.schemas import EventEnvelope

INVALID = "event.invalid"
CODE_NOT_THIS_DESK = "event.code_not_this_desk"
DISTRICT_ONLY = "event.district_only"
UNKNOWN_KIND = "event.unknown_kind"


class EventRefusedError(DistrictServerError):
    """An event of the batch cannot be stored; nothing of the batch was."""

    status_code = 422

    def __init__(self, code: str, event: EventEnvelope, why: str) -> None:
        super().__init__(
            f"Event {event.uuid} ({event.kind} v{event.version}) is refused: {why}; "
            "nothing of the batch was stored."
        )
        self.code = code
        self.event_uuid = event.uuid.lower()
        self.kind = event.kind
        self.version = event.version
        self.why = why


def check_event(identity: DeskIdentity, event: EventEnvelope) -> None:
    """Raise ``EventRefusedError`` when ``event`` may not be stored for this desk."""
    if event.kind in event_schema.DISTRICT_KINDS:
        raise EventRefusedError(
            DISTRICT_ONLY, event, f"only the district server writes {event.kind} events"
        )
    try:
        payload = event_schema.parse(event.kind, event.version, event.payload)
    except event_schema.UnknownEventError:
        raise EventRefusedError(
            UNKNOWN_KIND,
            event,
            f"this server has no schema for {event.kind} version {event.version}; "
            "it needs updating, keep the event and send it again later",
        ) from None
    except event_schema.PayloadError as exc:
        raise EventRefusedError(INVALID, event, f"payload field {exc}") from None
    problem = event_schema.origin_problem(payload, identity.agency_code, identity.desk)
    if problem is not None:
        raise EventRefusedError(CODE_NOT_THIS_DESK, event, problem)


def check_events(identity: DeskIdentity, events: list[EventEnvelope]) -> None:
    for event in events:
        check_event(identity, event)


def record_refusal(
    session: Session, identity: DeskIdentity, error: EventRefusedError, now: datetime
) -> None:
    """Keep the refusal for the operator; a desk sending it again counts up."""
    row = session.scalars(
        select(RefusedEvent).where(
            RefusedEvent.desk_id == identity.desk_id,
            RefusedEvent.event_uuid == error.event_uuid,
        )
    ).first()
    if row is None:
        session.add(
            RefusedEvent(
                commune_id=identity.commune_id,
                desk_id=identity.desk_id,
                event_uuid=error.event_uuid,
                kind=error.kind[:200],
                version=error.version,
                code=error.code,
                detail=error.why[:2000],
                first_refused_at=now,
                last_refused_at=now,
                times=1,
            )
        )
        return
    row.code = error.code
    row.detail = error.why[:2000]
    row.last_refused_at = now
    row.times += 1
