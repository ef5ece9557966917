"""The dossier lifecycle: status transitions, the timeline, and how conflicts resolve.

A dossier's status is a projection of its events: the ``dossier.received`` snapshot,
then each ``dossier.status_changed`` in **resolved order** — the district server's order
(``server_seq``) for events it has acknowledged or sent, then this desk's not-yet-sent
events in the order they were recorded. Every desk of the commune ends up folding the
same events in the same order, so they agree.

Conflict rule: a transition applies only if it is allowed from the status reached so far
(``TRANSITIONS``); otherwise it stays in the timeline marked as overridden — e.g. two desks
offline both act on one dossier, one records "returned", the other "withdrawn": whichever
the server received first wins, and the other shows in the timeline as not applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import Dossier, Event
from desk_app.errors import DossierNotFoundError, TransitionNotAllowedError
from desk_app.events import append_event
from desk_app.profile import ProfileService

TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset(
        {"in_progress", "waiting_supplement", "extended", "stopped", "withdrawn", "result_ready"}
    ),
    "in_progress": frozenset(
        {"waiting_supplement", "extended", "stopped", "withdrawn", "result_ready"}
    ),
    "waiting_supplement": frozenset({"in_progress", "stopped", "withdrawn"}),
    "extended": frozenset(
        {"in_progress", "waiting_supplement", "stopped", "withdrawn", "result_ready"}
    ),
    "result_ready": frozenset({"returned"}),
    "stopped": frozenset(),
    "withdrawn": frozenset(),
    "returned": frozenset(),
    "refused": frozenset(),
}


class TransitionError(TransitionNotAllowedError):
    """The transition is not allowed from the dossier's current status."""


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    server_seq: int | None
    kind: str
    occurred_at_utc: dt.datetime
    actor: str
    origin: str
    payload: dict[str, Any]
    applied: bool


def resolved_order(events: list[Event]) -> list[Event]:
    """Server order first (acknowledged or pulled), then this desk's unsent events."""
    return sorted(events, key=lambda e: (e.server_seq is None, e.server_seq or 0, e.seq))


def reproject(session: Session, dossier: Dossier) -> list[tuple[Event, bool]]:
    """Recompute ``dossier.status`` from its events; returns each event with applied-or-not."""
    events = list(session.scalars(select(Event).where(Event.dossier_uuid == dossier.uuid)))
    status = "received"
    returned_at: dt.datetime | None = None
    result: list[tuple[Event, bool]] = []
    for event in resolved_order(events):
        applied = True
        if event.kind == "dossier.received":
            status = str(event.payload.get("status", "received"))
        elif event.kind == "dossier.status_changed":
            target = str(event.payload.get("to"))
            if target in TRANSITIONS.get(status, frozenset()):
                status = target
                if target == "returned":
                    returned_at = dt.datetime.fromisoformat(str(event.payload["at"]))
            else:
                applied = False
        result.append((event, applied))
    dossier.status = status
    dossier.returned_at = returned_at if status == "returned" else None
    return result


class LifecycleService:
    def __init__(self, db: Database, clock: Clock, profiles: ProfileService) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles

    def change_status(self, code: str, to: str, officer: Officer, note: str = "") -> str:
        """Record a transition made at this desk; returns the new status."""
        officer.require(Permission.RECEIVE)
        profile = self._profiles.require()
        now_utc = utc_naive(self._clock)
        now_local = local_now(self._clock)
        with self._db.write() as s:
            dossier = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if dossier is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            if to not in TRANSITIONS.get(dossier.status, frozenset()):
                raise TransitionError(
                    f"không thể chuyển hồ sơ từ trạng thái {dossier.status} sang {to}"
                )
            append_event(
                s,
                kind="dossier.status_changed",
                payload={
                    "from": dossier.status,
                    "to": to,
                    "note": note.strip(),
                    "at": now_local.isoformat(timespec="seconds"),
                },
                actor=officer.username,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now_utc,
                dossier_uuid=dossier.uuid,
            )
            s.flush()
            reproject(s, dossier)
            dossier.updated_at = now_local
            audit.record(
                s,
                at_utc=now_utc,
                username=officer.username,
                action="change",
                object_type="dossier",
                object_ref=dossier.code,
                detail=f"status -> {to}",
            )
            return dossier.status

    def timeline(self, code: str) -> list[TimelineEntry]:
        with self._db.read() as s:
            dossier = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if dossier is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            entries = reproject(s, dossier)
            s.expunge(dossier)  # the recomputed status is for display, not to be flushed
            return [
                TimelineEntry(
                    seq=e.seq,
                    server_seq=e.server_seq,
                    kind=e.kind,
                    occurred_at_utc=e.occurred_at,
                    actor=e.actor,
                    origin=f"{e.origin_agency_code}#{e.origin_desk}",
                    payload=dict(e.payload),
                    applied=applied,
                )
                for e, applied in entries
            ]
