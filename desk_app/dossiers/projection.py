"""The dossier's projection: what its events, folded in resolved order, say it is now.

Resolved order is the district server's order (``server_seq``) for events it has
acknowledged or sent, then this desk's not-yet-sent events in the order they were
recorded; every desk folds the same events in the same order, so all agree.

The projection is stored on the ``dossiers`` row (status, holder, due dates, pauses,
classification, return time) so that lists and reports read columns, never events. It
is recomputed from the events whenever they change (``reproject``); how each kind
changes it lives in ``desk_app.dossiers.kinds``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

# Whether a result came before, on or after the appointment (hồ sơ giải quyết trước
# hạn / đúng hạn / quá hạn), by calendar day.
CLASSIFICATIONS = ("early", "on_time", "late")


class StoredEvent(Protocol):
    """What folding reads of an event: an ORM ``Event`` or a plain row (migrations)."""

    @property
    def seq(self) -> int: ...
    @property
    def server_seq(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def actor(self) -> str: ...


E = TypeVar("E", bound=StoredEvent)


@dataclass(frozen=True)
class Pause:
    """A stretch during which the dossier's clock stood still (local times)."""

    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pause:
        ended = data.get("ended_at")
        return cls(
            dt.datetime.fromisoformat(str(data["started_at"])),
            dt.datetime.fromisoformat(str(ended)) if ended else None,
            str(data.get("reason", "")),
        )


@dataclass(frozen=True)
class Projection:
    """The dossier as its events make it: status, who holds it, the appointment now and
    before any extension, the pauses, and (once a result exists) its classification."""

    status: str = "received"
    holder: str | None = None
    due_at: dt.datetime | None = None
    original_due_at: dt.datetime | None = None
    pauses: tuple[Pause, ...] = ()
    classification: str | None = None
    returned_at: dt.datetime | None = None
    # When the result was ready (the basis of the classification), and which result:
    # "approved" or "not_eligible".
    result_at: dt.datetime | None = field(default=None, compare=False)
    outcome: str | None = None
    # Extensions (Form 04) that count; lateness with or without an apology in reports.
    extension_count: int = 0
    # The applicant fields as the receipt and the corrections since make them (None:
    # no receipt event here, the row keeps what it has); not compared.
    applicant: dict[str, Any] | None = field(default=None, compare=False)
    # The latest time a counted step states (``--at`` may not go before it).
    last_at: dt.datetime | None = field(default=None, compare=False)


def classify(result_at: dt.datetime, due_at: dt.datetime | None) -> str:
    """Early, on time or late by calendar day; a dossier without an appointment (a
    procedure with no statutory time) is on time."""
    if due_at is None or result_at.date() == due_at.date():
        return "on_time"
    return "early" if result_at.date() < due_at.date() else "late"


def resolved_order(events: list[E]) -> list[E]:
    """Server order first (acknowledged or pulled), then this desk's unsent events."""
    return sorted(events, key=lambda e: (e.server_seq is None, e.server_seq or 0, e.seq))


def with_pause_ended(pauses: tuple[Pause, ...], at: dt.datetime) -> tuple[Pause, ...]:
    if pauses and pauses[-1].ended_at is None:
        return (*pauses[:-1], replace(pauses[-1], ended_at=at))
    return pauses
