"""``event.retracted``: the district's compensating event for one event of the log.

Stored events never change and are never deleted. When an event must not count (a
malformed payload an old server stored, a dossier code forged by another desk's token),
the district operator appends this event (``district-server retract``); every desk
folds as if the retracted event were not there, and the timeline shows it as not
applied. Only the district server writes it: desks never push it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import Reader

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class EventRetractedV1:
    """``event.retracted`` v1: event ``event`` (its uuid) no longer counts, for ``reason``."""

    KIND: ClassVar[str] = "event.retracted"
    VERSION: ClassVar[int] = 1

    event: str
    reason: str
    retracted_by: str = ""

    @classmethod
    def parse(cls, data: object) -> EventRetractedV1:
        r = Reader(data)
        payload = cls(
            event=r.text("event", max_len=36, min_len=36, pattern=_UUID),
            reason=r.text("reason", max_len=1000, min_len=1, multiline=True),
            retracted_by=r.text("retracted_by", max_len=200, default=""),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {"event": self.event, "reason": self.reason, "retracted_by": self.retracted_by}
