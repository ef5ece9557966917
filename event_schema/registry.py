"""The registry: every (kind, version) the desks and the server can read.

Stored events never change. A new shape of a kind is a new version, registered beside
the old one, and every version stays readable for as long as events of it exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from event_schema.calendar import CalendarOverrideClearedV1, CalendarOverrideSetV1
from event_schema.catalogue import CatalogueVersionLoadedV1
from event_schema.codes import code_problem
from event_schema.commune import CommuneProfileSetV1
from event_schema.dossier import DossierReceivedV1, DossierStatusChangedV1
from event_schema.lifecycle import (
    CommuneSettingSetV1,
    CorrectedV1,
    DirectoryEntrySetV1,
    ExtendedV1,
    HandedOverV1,
    IntakeGuidedV1,
    IntakeRefusedV1,
    ResultReadyV1,
    ReturnedV1,
    StepAnnulledV1,
    StoppedV1,
    SupplementReceivedV1,
    SupplementRequestedV1,
    WithdrawnV1,
)
from event_schema.retraction import EventRetractedV1

# Every payload type of every registered version.
Payload = (
    DossierReceivedV1
    | DossierStatusChangedV1
    | CalendarOverrideSetV1
    | CalendarOverrideClearedV1
    | HandedOverV1
    | SupplementRequestedV1
    | SupplementReceivedV1
    | ExtendedV1
    | WithdrawnV1
    | StoppedV1
    | ResultReadyV1
    | ReturnedV1
    | CorrectedV1
    | StepAnnulledV1
    | IntakeGuidedV1
    | IntakeRefusedV1
    | DirectoryEntrySetV1
    | CommuneSettingSetV1
    | CommuneProfileSetV1
    | EventRetractedV1
    | CatalogueVersionLoadedV1
)

_TYPES: tuple[type[Payload], ...] = (
    DossierReceivedV1,
    DossierStatusChangedV1,
    CalendarOverrideSetV1,
    CalendarOverrideClearedV1,
    HandedOverV1,
    SupplementRequestedV1,
    SupplementReceivedV1,
    ExtendedV1,
    WithdrawnV1,
    StoppedV1,
    ResultReadyV1,
    ReturnedV1,
    CorrectedV1,
    StepAnnulledV1,
    IntakeGuidedV1,
    IntakeRefusedV1,
    DirectoryEntrySetV1,
    CommuneSettingSetV1,
    CommuneProfileSetV1,
    EventRetractedV1,
    CatalogueVersionLoadedV1,
)


class UnknownEventError(LookupError):
    """No payload schema is registered for this kind and version: an event from a newer
    program, or not an event of ours at all."""

    def __init__(self, kind: str, version: int) -> None:
        super().__init__(f"no schema for event kind {kind!r} version {version}")
        self.kind = kind
        self.version = version


REGISTRY: dict[tuple[str, int], Callable[[object], Payload]] = {
    (t.KIND, t.VERSION): t.parse for t in _TYPES
}
KNOWN_KINDS: frozenset[str] = frozenset(kind for kind, _ in REGISTRY)
# The version a program writes for each kind: the newest it knows.
LATEST: dict[str, int] = {kind: max(v for k, v in REGISTRY if k == kind) for kind in KNOWN_KINDS}


def is_known(kind: str, version: int) -> bool:
    return (kind, version) in REGISTRY


def parse(kind: str, version: int, data: object) -> Payload:
    """The typed payload of an event; ``PayloadError`` when it does not have its shape,
    ``UnknownEventError`` when the kind or the version is not registered."""
    parser = REGISTRY.get((kind, version))
    if parser is None:
        raise UnknownEventError(kind, version)
    return parser(data)


# Kinds only the district server writes (a desk pushing one is refused).
DISTRICT_KINDS: frozenset[str] = frozenset({EventRetractedV1.KIND})


def origin_problem(payload: Payload, agency_code: str, desk: int) -> str | None:
    """Why desk ``desk`` of ``agency_code`` may not have written ``payload`` (a sentence),
    or None. Today: a dossier code must carry the desk's own number."""
    if isinstance(payload, DossierReceivedV1):
        return code_problem(payload.code, agency_code, desk, payload.code_seq)
    return None


def dump(payload: Payload) -> dict[str, Any]:
    """The JSON object a payload is stored and sent as."""
    return payload.dump()
