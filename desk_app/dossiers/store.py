"""Recording an event at this desk and keeping the dossier row's projection current.

``record`` is the one way a command records an event: the typed payload is checked
against its schema (what this desk writes, every desk and the server can read), stored
with its kind and version, and the dossier it concerns is re-projected in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

import event_schema
from desk_app.db.models import Dossier, Event
from desk_app.dossiers.kinds import fold, fold_one
from desk_app.dossiers.projection import Pause, Projection
from desk_app.errors import InvalidInputError
from desk_app.events import append_event
from desk_app.text import fold as fold_text


class InvalidEventError(InvalidInputError):
    """A command built an event its schema refuses (a note too long, a stray control
    character); nothing is recorded."""

    default_code = "event.invalid"


def record(
    session: Session,
    payload: event_schema.Payload,
    *,
    actor: str,
    agency_code: str,
    desk: int,
    occurred_at_utc: dt.datetime,
    dossier: Dossier | None = None,
) -> Event:
    """Record ``payload`` as an event of this desk inside the caller's transaction; when
    it concerns ``dossier``, the dossier's projection follows."""
    data = payload.dump()
    try:
        # Dataclasses do not validate themselves: read the dump back as any desk would.
        event_schema.parse(payload.KIND, payload.VERSION, data)
    except event_schema.PayloadError as exc:
        raise InvalidEventError(
            f"Không ghi được thay đổi: trường {exc.path} không hợp lệ ({exc.message})."
        ) from exc
    event = append_event(
        session,
        kind=payload.KIND,
        version=payload.VERSION,
        payload=data,
        actor=actor,
        agency_code=agency_code,
        desk=desk,
        occurred_at_utc=occurred_at_utc,
        dossier_uuid=dossier.uuid if dossier is not None else None,
    )
    if dossier is not None:
        if inspect(dossier).pending:
            # A dossier created in this transaction has no other event: fold this one
            # onto it without reading the log back (the intake's hot path).
            after = fold_one(seed(dossier), payload, event)
            if after is not None:
                write(dossier, after)
        else:
            reproject(session, dossier)
    return event


def seed(dossier: Dossier) -> Projection:
    """Where folding starts: a dossier whose receipt event is missing here keeps the
    appointment and holder it has (the receipt event, when present, sets them anew)."""
    return Projection(
        holder=dossier.holder,
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        returned_at=dossier.returned_at,
    )


def write(dossier: Dossier, projection: Projection) -> None:
    """Store ``projection`` on the dossier row (only what changed is written)."""
    pauses: list[Any] = [p.to_json() for p in projection.pauses]
    dossier.status = projection.status
    dossier.holder = projection.holder
    dossier.due_at = projection.due_at
    dossier.original_due_at = projection.original_due_at
    dossier.classification = projection.classification
    dossier.returned_at = projection.returned_at if projection.status == "returned" else None
    has_result = projection.classification is not None
    dossier.result_at = projection.result_at if has_result else None
    dossier.outcome = projection.outcome if has_result else None
    dossier.extension_count = projection.extension_count
    if dossier.pauses != pauses:
        dossier.pauses = pauses
    if projection.applicant is not None:
        _write_applicant(dossier, projection.applicant)


# Columns that hold "" rather than NULL when empty.
_NOT_NULL_TEXT = frozenset({"applicant_name", "applicant_phone", "applicant_address"})


def _write_applicant(dossier: Dossier, applicant: dict[str, Any]) -> None:
    """The applicant fields as the receipt and the corrections since make them."""
    for name, value in applicant.items():
        if name == "applicant_dob":
            new: Any = dt.date.fromisoformat(value) if value else None
        elif name in _NOT_NULL_TEXT:
            new = value or ""
        else:
            new = value or None
        if getattr(dossier, name) != new:
            setattr(dossier, name, new)
            if name == "applicant_name":
                dossier.applicant_name_folded = fold_text(new)


def reproject(session: Session, dossier: Dossier) -> list[tuple[Event, bool]]:
    """Recompute the dossier's projection from its events; returns each event, in
    resolved order, with applied-or-not (the timeline)."""
    projection, entries = current(session, dossier)
    write(dossier, projection)
    return entries


def current(session: Session, dossier: Dossier) -> tuple[Projection, list[tuple[Event, bool]]]:
    """The dossier's projection folded from its events now (nothing written), and each
    event in resolved order with applied-or-not."""
    events = list(session.scalars(select(Event).where(Event.dossier_uuid == dossier.uuid)))
    return fold(events, seed(dossier))


def pauses_of(dossier: Dossier) -> tuple[Pause, ...]:
    return tuple(Pause.from_json(p) for p in dossier.pauses or ())


def stored_projection(dossier: Dossier) -> Projection:
    """The projection as the dossier row holds it (no events read)."""
    return Projection(
        status=dossier.status,
        holder=dossier.holder,
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        pauses=pauses_of(dossier),
        classification=dossier.classification,
        returned_at=dossier.returned_at,
        result_at=dossier.result_at,
        outcome=dossier.outcome,
        extension_count=dossier.extension_count,
    )
