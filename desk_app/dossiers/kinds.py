"""How each event kind folds into the dossier's projection: one function per payload
type (so per kind and version), registered with ``@folds``.

A fold returns the projection after the event, or ``None`` when the event does not
apply from where the dossier stands (a transition another desk made impossible first);
such an event stays in the log and shows in the timeline as not applied. Kinds that are
not about a dossier's course (``calendar.override_set``) have no fold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

import event_schema
from desk_app.dossiers.projection import (
    E,
    Pause,
    Projection,
    StoredEvent,
    classify,
    resolved_order,
    with_pause_ended,
)
from desk_app.dossiers.transitions import allowed
from event_schema import DossierReceivedV1, DossierStatusChangedV1

P = TypeVar("P")
Fold = Callable[[Projection, P, StoredEvent], Projection | None]

_FOLDS: dict[type[Any], Fold[Any]] = {}

# Payload types that change no dossier's projection.
NOT_FOLDED: frozenset[type[Any]] = frozenset(
    {event_schema.CalendarOverrideSetV1, event_schema.EventRetractedV1}
)


def folds(payload_type: type[P]) -> Callable[[Fold[P]], Fold[P]]:
    """Register the fold of one payload type (one kind at one version)."""

    def register(fold: Fold[P]) -> Fold[P]:
        _FOLDS[payload_type] = fold
        return fold

    return register


def folded_types() -> frozenset[type[Any]]:
    return frozenset(_FOLDS)


# Neutralizing kinds: a payload type whose event makes another event (named by its
# uuid) not count. The targets are collected before folding, so a target folds as not
# applied wherever it stands in the order.
Target = Callable[[Any], str]
_NEUTRALIZES: dict[type[Any], Target] = {}


def neutralizes(payload_type: type[P]) -> Callable[[Callable[[P], str]], Callable[[P], str]]:
    """Register a neutralizing payload type: the function names the event it cancels."""

    def register(target: Callable[[P], str]) -> Callable[[P], str]:
        _NEUTRALIZES[payload_type] = target
        return target

    return register


def neutralized_by(payload: object) -> str | None:
    """The uuid of the event ``payload`` cancels, when it is of a neutralizing kind."""
    target = _NEUTRALIZES.get(type(payload))
    return None if target is None else target(payload)


@neutralizes(event_schema.EventRetractedV1)
def _retracted(p: event_schema.EventRetractedV1) -> str:
    # The district retracted the event (district-server retract): it no longer counts.
    return p.event


@folds(DossierReceivedV1)
def _received(state: Projection, p: DossierReceivedV1, event: StoredEvent) -> Projection:
    # The snapshot starts the dossier's course afresh: everything comes from it, but for
    # the return time of a snapshot taken already returned (demo data), which it lacks.
    return Projection(
        status=p.status,
        holder=p.received_by or event.actor,
        due_at=p.due_at,
        original_due_at=p.due_at,
        returned_at=state.returned_at if p.status == "returned" else None,
    )


@folds(DossierStatusChangedV1)
def _status_changed(
    state: Projection, p: DossierStatusChangedV1, event: StoredEvent
) -> Projection | None:
    if not allowed(state.status, p.to_status):
        return None
    pauses = state.pauses
    if state.status == "waiting_supplement":
        pauses = with_pause_ended(pauses, p.at)
    if p.to_status == "waiting_supplement":
        # Waiting for the citizen's supplement stops the clock (tạm dừng).
        pauses = (*pauses, Pause(p.at, None, "waiting_supplement"))
    new = replace(state, status=p.to_status, pauses=pauses)
    if p.to_status == "result_ready":
        new = replace(new, result_at=p.at, classification=classify(p.at, state.original_due_at))
    elif p.to_status == "returned":
        new = replace(new, returned_at=p.at)
    return new


def fold_one(state: Projection, payload: object, event: StoredEvent) -> Projection | None:
    """The projection after one event whose payload is parsed already; ``None`` when it
    does not apply. Kinds without a fold leave the projection as it is."""
    apply = _FOLDS.get(type(payload))
    return state if apply is None else apply(state, payload, event)


def fold(events: Iterable[E], start: Projection) -> tuple[Projection, list[tuple[E, bool]]]:
    """Fold ``events`` (any order: they are put in resolved order) onto ``start``;
    returns the projection and each event, in resolved order, with applied-or-not.

    An event this desk cannot read (a version from a newer program, a payload without
    its shape) changes nothing and counts as not applied; kinds no schema knows were
    never folded and count as applied, as they always have.
    """
    state = start
    result: list[tuple[E, bool]] = []
    ordered = resolved_order(list(events))
    parsed: list[object | None] = []
    cancelled: set[str] = set()
    for event in ordered:
        payload: object | None = None
        if event.kind in event_schema.KNOWN_KINDS:
            try:
                payload = event_schema.parse(event.kind, event.version, event.payload)
            except (event_schema.PayloadError, event_schema.UnknownEventError):
                payload = None
            else:
                target = neutralized_by(payload)
                if target is not None:
                    cancelled.add(target)
        parsed.append(payload)
    for event, payload in zip(ordered, parsed, strict=True):
        applied = True
        if getattr(event, "uuid", None) in cancelled:
            applied = False
        elif event.kind in event_schema.KNOWN_KINDS:
            if payload is None:
                applied = False
            else:
                after = fold_one(state, payload, event)
                if after is None:
                    applied = False
                else:
                    state = after
        result.append((event, applied))
    return state, result
