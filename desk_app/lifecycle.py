"""The dossier lifecycle: status transitions, the timeline, and how conflicts resolve.

A dossier's status is a projection of its events (``desk_app.dossiers``): the
``dossier.received`` snapshot, then each ``dossier.status_changed`` in **resolved
order** — the district server's order (``server_seq``) for events it has acknowledged or
sent, then this desk's not-yet-sent events in the order they were recorded. Every desk
of the commune ends up folding the same events in the same order, so they agree.

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

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import Dossier
from desk_app.dossiers import (
    TRANSITIONS,
    Projection,
    record,
    reproject,
    resolved_order,
    stored_projection,
)
from desk_app.errors import DossierNotFoundError, TransitionNotAllowedError
from desk_app.profile import ProfileService
from event_schema import DossierStatusChangedV1

__all__ = [
    "TRANSITIONS",
    "LifecycleService",
    "TimelineEntry",
    "TransitionError",
    "reproject",
    "resolved_order",
]


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
    version: int = 1


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
            record(
                s,
                DossierStatusChangedV1(
                    from_status=dossier.status,
                    to_status=to,
                    note=note.strip(),
                    at=now_local.replace(microsecond=0),
                ),
                actor=officer.username,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now_utc,
                dossier=dossier,
            )
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
                    version=e.version,
                )
                for e, applied in entries
            ]

    def projection(self, code: str) -> Projection:
        """The dossier as its events make it, as stored: status, holder, the appointment
        now and before any extension, pauses, classification."""
        with self._db.read() as s:
            dossier = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if dossier is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            return stored_projection(dossier)
