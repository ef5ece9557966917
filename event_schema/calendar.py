"""Calendar events, version 1: an administrator's override of the working-day rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import Reader

OVERRIDE_KINDS = ("day_off", "working_day")


@dataclass(frozen=True)
class CalendarOverrideSetV1:
    """``calendar.override_set`` v1: ``day`` is an extra day off or a make-up working day,
    for the reason the official decision gives."""

    KIND: ClassVar[str] = "calendar.override_set"
    VERSION: ClassVar[int] = 1

    day: dt.date
    kind: str
    reason: str

    @classmethod
    def parse(cls, data: object) -> CalendarOverrideSetV1:
        r = Reader(data)
        payload = cls(
            day=r.date("day"),
            kind=r.choice("kind", OVERRIDE_KINDS),
            reason=r.text("reason", max_len=1000, min_len=1, multiline=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class CalendarOverrideClearedV1:
    """``calendar.override_cleared`` v1: the administrator's override of ``day`` is withdrawn;
    the day is again what the official calendar says."""

    KIND: ClassVar[str] = "calendar.override_cleared"
    VERSION: ClassVar[int] = 1

    day: dt.date

    @classmethod
    def parse(cls, data: object) -> CalendarOverrideClearedV1:
        r = Reader(data)
        payload = cls(day=r.date("day"))
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {"day": self.day.isoformat()}
