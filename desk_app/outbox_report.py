"""The events this desk recorded that the district server refused (set aside with its
reason, ``OutboxRejection``), for the administrator's screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desk_app.db.engine import Database
from desk_app.db.models import Event, OutboxRejection


@dataclass(frozen=True)
class SetAsideEvent:
    event_uuid: str
    kind: str
    occurred_at: dt.datetime  # UTC
    actor: str
    reason: str
    rejected_at: dt.datetime  # UTC


def set_aside_events(db: Database, limit: int = 200) -> list[SetAsideEvent]:
    """Newest first."""
    with db.read() as s:
        rows = s.execute(
            select(
                OutboxRejection.event_uuid, Event.kind, Event.occurred_at, Event.actor,
                OutboxRejection.reason, OutboxRejection.rejected_at,
            )
            .join(Event, Event.uuid == OutboxRejection.event_uuid)
            .order_by(OutboxRejection.rejected_at.desc())
            .limit(limit)
        ).all()  # fmt: skip
    return [SetAsideEvent(*row) for row in rows]
