"""The payload schemas of the events desks record and the district server stores.

Pure Python (standard library only), imported by both programs — ``desk_app`` and
``district_server`` stay independent of each other and share only this. Each event
kind has versions; each (kind, version) has a frozen payload dataclass with strict
``parse`` (one ``PayloadError`` naming the field at fault) and ``dump`` (exactly the
JSON object stored and sent). Envelopes carry the version; absent means 1.
"""

from event_schema._reader import PayloadError
from event_schema.calendar import CalendarOverrideSetV1
from event_schema.codes import code_carries_desk, code_problem
from event_schema.dossier import STATUSES, DocumentLine, DossierReceivedV1, DossierStatusChangedV1
from event_schema.registry import (
    DISTRICT_KINDS,
    KNOWN_KINDS,
    LATEST,
    REGISTRY,
    Payload,
    UnknownEventError,
    dump,
    is_known,
    origin_problem,
    parse,
)
from event_schema.retraction import EventRetractedV1

__all__ = [
    "DISTRICT_KINDS",
    "KNOWN_KINDS",
    "LATEST",
    "REGISTRY",
    "STATUSES",
    "CalendarOverrideSetV1",
    "DocumentLine",
    "DossierReceivedV1",
    "DossierStatusChangedV1",
    "EventRetractedV1",
    "Payload",
    "PayloadError",
    "UnknownEventError",
    "code_carries_desk",
    "code_problem",
    "dump",
    "is_known",
    "origin_problem",
    "parse",
]
