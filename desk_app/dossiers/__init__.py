"""The dossier's course as events: the one path every change takes, recorded here or
pulled from the commune's feed.

* ``event_schema`` (top level, shared with the district server) says what each event
  kind carries at each version, and refuses what does not fit.
* ``kinds`` says how each kind folds into the dossier's ``projection`` (status, holder,
  due date now and before any extension, pauses, classification).
* ``store.record`` records a command's event and re-projects its dossier;
  ``pulled.apply_pulled`` applies an event from the feed; ``transitions`` is the rule
  both obey.
"""

from desk_app.dossiers.kinds import fold, neutralized, neutralizes
from desk_app.dossiers.projection import CLASSIFICATIONS, Pause, Projection, resolved_order
from desk_app.dossiers.pulled import (
    CodeNotOriginDeskError,
    CodeTakenError,
    NewerEventError,
    SetAsideError,
    UnreadableEventError,
    apply_effect,
    apply_pulled,
    is_retracted,
    record_shared,
    retry_set_aside,
    set_aside,
)
from desk_app.dossiers.store import (
    InvalidEventError,
    current,
    pauses_of,
    record,
    reproject,
    stored_projection,
)
from desk_app.dossiers.transitions import (
    ACTIONS,
    BEFORE_RESULT,
    PROCESSING,
    TRANSITIONS,
    Action,
    action_allowed,
    actions_from,
    allowed,
)

__all__ = [
    "ACTIONS",
    "BEFORE_RESULT",
    "CLASSIFICATIONS",
    "PROCESSING",
    "TRANSITIONS",
    "Action",
    "CodeNotOriginDeskError",
    "CodeTakenError",
    "InvalidEventError",
    "NewerEventError",
    "Pause",
    "Projection",
    "SetAsideError",
    "UnreadableEventError",
    "action_allowed",
    "actions_from",
    "allowed",
    "apply_effect",
    "apply_pulled",
    "current",
    "fold",
    "is_retracted",
    "neutralized",
    "neutralizes",
    "pauses_of",
    "record",
    "record_shared",
    "reproject",
    "resolved_order",
    "retry_set_aside",
    "set_aside",
    "stored_projection",
]
