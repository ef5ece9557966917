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

from desk_app.dossiers.kinds import fold
from desk_app.dossiers.projection import CLASSIFICATIONS, Pause, Projection, resolved_order
from desk_app.dossiers.pulled import (
    CodeNotOriginDeskError,
    CodeTakenError,
    NewerEventError,
    SetAsideError,
    UnreadableEventError,
    apply_pulled,
    is_retracted,
    retry_set_aside,
    set_aside,
)
from desk_app.dossiers.store import (
    InvalidEventError,
    pauses_of,
    record,
    reproject,
    stored_projection,
)
from desk_app.dossiers.transitions import TRANSITIONS, allowed

__all__ = [
    "CLASSIFICATIONS",
    "TRANSITIONS",
    "CodeNotOriginDeskError",
    "CodeTakenError",
    "InvalidEventError",
    "NewerEventError",
    "Pause",
    "Projection",
    "SetAsideError",
    "UnreadableEventError",
    "allowed",
    "apply_pulled",
    "fold",
    "is_retracted",
    "pauses_of",
    "record",
    "reproject",
    "resolved_order",
    "retry_set_aside",
    "set_aside",
    "stored_projection",
]
