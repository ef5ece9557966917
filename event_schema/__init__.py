"""The payload schemas of the events desks record and the district server stores.

Pure Python (standard library only), imported by both programs — ``desk_app`` and
``district_server`` stay independent of each other and share only this. Each event
kind has versions; each (kind, version) has a frozen payload dataclass with strict
``parse`` (one ``PayloadError`` naming the field at fault) and ``dump`` (exactly the
JSON object stored and sent). Envelopes carry the version; absent means 1.
"""

from event_schema._reader import PayloadError
from event_schema.calendar import CalendarOverrideClearedV1, CalendarOverrideSetV1
from event_schema.catalogue import MAX_CATALOGUE_BYTES, CatalogueVersionLoadedV1
from event_schema.codes import code_carries_desk, code_problem
from event_schema.commune import CommuneProfileSetV1
from event_schema.dossier import STATUSES, DocumentLine, DossierReceivedV1, DossierStatusChangedV1
from event_schema.lifecycle import (
    CORRECTABLE_FIELDS,
    OUTCOMES,
    RECEIVER_KINDS,
    RETURN_METHODS,
    SETTING_KEYS,
    SUPPLEMENT_DUE_RULES,
    CommuneSettingSetV1,
    CorrectedV1,
    DirectoryEntrySetV1,
    ExtendedV1,
    FieldChange,
    HandedOverV1,
    IntakeGuidedV1,
    IntakeRefusedV1,
    MissingItem,
    ResultReadyV1,
    ReturnedV1,
    StepAnnulledV1,
    StoppedV1,
    SupplementReceivedV1,
    SupplementRequestedV1,
    WithdrawnV1,
)
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
    "CORRECTABLE_FIELDS",
    "DISTRICT_KINDS",
    "KNOWN_KINDS",
    "LATEST",
    "MAX_CATALOGUE_BYTES",
    "OUTCOMES",
    "RECEIVER_KINDS",
    "REGISTRY",
    "RETURN_METHODS",
    "SETTING_KEYS",
    "STATUSES",
    "SUPPLEMENT_DUE_RULES",
    "CalendarOverrideClearedV1",
    "CalendarOverrideSetV1",
    "CatalogueVersionLoadedV1",
    "CommuneProfileSetV1",
    "CommuneSettingSetV1",
    "CorrectedV1",
    "DirectoryEntrySetV1",
    "DocumentLine",
    "DossierReceivedV1",
    "DossierStatusChangedV1",
    "EventRetractedV1",
    "ExtendedV1",
    "FieldChange",
    "HandedOverV1",
    "IntakeGuidedV1",
    "IntakeRefusedV1",
    "MissingItem",
    "Payload",
    "PayloadError",
    "ResultReadyV1",
    "ReturnedV1",
    "StepAnnulledV1",
    "StoppedV1",
    "SupplementReceivedV1",
    "SupplementRequestedV1",
    "UnknownEventError",
    "WithdrawnV1",
    "code_carries_desk",
    "code_problem",
    "dump",
    "is_known",
    "origin_problem",
    "parse",
]
