"""How each event kind folds into the dossier's projection: one function per payload
type (so per kind and version), registered with ``@folds``.

A fold returns the projection after the event, or ``None`` when the event does not
apply from where the dossier stands (a transition another desk made impossible first);
such an event stays in the log and shows in the timeline as not applied. Kinds that are
not about a dossier's course (``calendar.override_set``) have no fold.

Neutralizing kinds (``@neutralizes``): an event that takes another event of the same
dossier out of the count — an officer's annulment of their own step, or a retraction
by the district server. Their targets are collected before folding; a neutralized event
stays in the timeline (struck out) and folds as if it were not there.
"""

from __future__ import annotations

import datetime as dt
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
from desk_app.dossiers.transitions import ACTIONS, action_allowed, allowed
from event_schema import (
    CorrectedV1,
    DossierReceivedV1,
    DossierStatusChangedV1,
    ExtendedV1,
    HandedOverV1,
    ResultReadyV1,
    ReturnedV1,
    StepAnnulledV1,
    StoppedV1,
    SupplementReceivedV1,
    SupplementRequestedV1,
    WithdrawnV1,
)

P = TypeVar("P")
Fold = Callable[[Projection, P, StoredEvent], Projection | None]
Target = Callable[[P], str]

_FOLDS: dict[type[Any], Fold[Any]] = {}
_NEUTRALIZERS: dict[type[Any], Target[Any]] = {}
_NEUTRALIZING_KINDS: set[str] = set()

# Payload types that change no dossier's projection.
NOT_FOLDED: frozenset[type[Any]] = frozenset(
    {
        event_schema.CalendarOverrideSetV1,
        event_schema.CalendarOverrideClearedV1,
        event_schema.CatalogueVersionLoadedV1,
        event_schema.IntakeGuidedV1,
        event_schema.IntakeRefusedV1,
        event_schema.DirectoryEntrySetV1,
        event_schema.CommuneSettingSetV1,
        event_schema.CommuneProfileSetV1,
        event_schema.EventRetractedV1,
    }
)


def folds(payload_type: type[P]) -> Callable[[Fold[P]], Fold[P]]:
    """Register the fold of one payload type (one kind at one version)."""

    def register(fold: Fold[P]) -> Fold[P]:
        _FOLDS[payload_type] = fold
        return fold

    return register


def neutralizes(payload_type: type[P]) -> Callable[[Target[P]], Target[P]]:
    """Register a neutralizing payload type: the function gives the UUID of the event of
    the same dossier it takes out of the count. The type still needs its own fold (most
    leave the projection as it is: see ``_annulled``)."""

    def register(target: Target[P]) -> Target[P]:
        _NEUTRALIZERS[payload_type] = target
        _NEUTRALIZING_KINDS.add(str(getattr(payload_type, "KIND", "")))
        return target

    return register


def folded_types() -> frozenset[type[Any]]:
    return frozenset(_FOLDS)


# ------------------------------------------------------------------ receipt and old data

# The applicant fields corrections change, as the receipt snapshot carries them.
APPLICANT_FIELDS = event_schema.CORRECTABLE_FIELDS


def _applicant_of(p: DossierReceivedV1) -> dict[str, Any] | None:
    if p.demo:
        return None  # demo snapshots leave out the applicant: the row keeps what it has
    values: dict[str, Any] = {f: getattr(p, f) for f in APPLICANT_FIELDS}
    dob = values["applicant_dob"]
    values["applicant_dob"] = dob.isoformat() if dob is not None else None
    return values


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
        applicant=_applicant_of(p),
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


# ------------------------------------------------------------------ the actions


def _moved(state: Projection, action: str, at: dt.datetime) -> Projection | None:
    """The projection with the action's status, ``None`` when not allowed from here;
    leaving the wait for a supplement ends its pause."""
    if not action_allowed(state.status, action):
        return None
    target = ACTIONS[action].target_from(state.status)
    pauses = state.pauses
    if state.status == "waiting_supplement" and target != "waiting_supplement":
        pauses = with_pause_ended(pauses, at)
    return replace(state, status=target, pauses=pauses)


@folds(HandedOverV1)
def _handed_over(state: Projection, p: HandedOverV1, event: StoredEvent) -> Projection | None:
    new = _moved(state, "handover", p.at)
    return None if new is None else replace(new, holder=p.receiver_name)


@folds(SupplementRequestedV1)
def _supplement_requested(
    state: Projection, p: SupplementRequestedV1, event: StoredEvent
) -> Projection | None:
    new = _moved(state, "request_supplement", p.at)
    if new is None:
        return None
    # Waiting for the citizen's supplement stops the clock (tạm dừng).
    return replace(new, pauses=(*new.pauses, Pause(p.at, None, p.reason)))


@folds(SupplementReceivedV1)
def _supplement_received(
    state: Projection, p: SupplementReceivedV1, event: StoredEvent
) -> Projection | None:
    new = _moved(state, "supplement_received", p.at)
    if new is None:
        return None
    # The dates as recorded, never recomputed here (the rule that made them is in p).
    return replace(new, due_at=p.due_at, original_due_at=p.original_due_at)


@folds(ExtendedV1)
def _extended(state: Projection, p: ExtendedV1, event: StoredEvent) -> Projection | None:
    new = _moved(state, "extend", p.at)
    if new is None:
        return None
    return replace(new, due_at=p.due_at, extension_count=state.extension_count + 1)


@folds(WithdrawnV1)
def _withdrawn(state: Projection, p: WithdrawnV1, event: StoredEvent) -> Projection | None:
    return _moved(state, "withdraw", p.at)


@folds(StoppedV1)
def _stopped(state: Projection, p: StoppedV1, event: StoredEvent) -> Projection | None:
    return _moved(state, "stop", p.at)


@folds(ResultReadyV1)
def _result_ready(state: Projection, p: ResultReadyV1, event: StoredEvent) -> Projection | None:
    new = _moved(state, "result_ready", p.at)
    if new is None:
        return None
    # Judged against the appointment before any extension: an apology never erases
    # lateness.
    return replace(
        new,
        result_at=p.at,
        outcome=p.outcome,
        classification=classify(p.at, state.original_due_at),
    )


@folds(ReturnedV1)
def _returned(state: Projection, p: ReturnedV1, event: StoredEvent) -> Projection | None:
    new = _moved(state, "return", p.at)
    return None if new is None else replace(new, returned_at=p.at)


@folds(CorrectedV1)
def _corrected(state: Projection, p: CorrectedV1, event: StoredEvent) -> Projection | None:
    if _moved(state, "correct", p.at) is None:
        return None
    applicant = dict(state.applicant or {})
    for change in p.changes:
        applicant[change.field] = change.new
    return replace(state, applicant=applicant)


@folds(StepAnnulledV1)
def _annulled(state: Projection, p: StepAnnulledV1, event: StoredEvent) -> Projection:
    return state  # its effect is its target's absence from the fold


@neutralizes(StepAnnulledV1)
def _annulled_target(p: StepAnnulledV1) -> str:
    return p.target


@neutralizes(event_schema.EventRetractedV1)
def _retracted_target(p: event_schema.EventRetractedV1) -> str:
    # The district retracted the event (district-server retract): it no longer counts.
    return p.event


# ------------------------------------------------------------------ folding


def fold_one(state: Projection, payload: object, event: StoredEvent) -> Projection | None:
    """The projection after one event whose payload is parsed already; ``None`` when it
    does not apply. Kinds without a fold leave the projection as it is."""
    apply = _FOLDS.get(type(payload))
    if apply is None:
        return state
    after = apply(state, payload, event)
    if after is None:
        return None
    at = getattr(payload, "at", None) or getattr(payload, "received_at", None)
    if isinstance(at, dt.datetime) and (after.last_at is None or at > after.last_at):
        after = replace(after, last_at=at)
    return after


def _parsed(event: StoredEvent) -> object | None:
    if event.kind not in event_schema.KNOWN_KINDS:
        return None
    try:
        return event_schema.parse(event.kind, event.version, event.payload)
    except (event_schema.PayloadError, event_schema.UnknownEventError):
        return None


def neutralized(events: Iterable[StoredEvent]) -> dict[str, str]:
    """Which events are taken out of the count: target UUID → UUID of the event that
    neutralizes it. A neutralizing event that is itself neutralized does not count."""
    by_target: dict[str, str] = {}
    sources: dict[str, str] = {}
    for event in events:
        if event.kind not in _NEUTRALIZING_KINDS:
            continue
        payload = _parsed(event)
        target_of = _NEUTRALIZERS.get(type(payload))
        uuid = getattr(event, "uuid", None)
        if target_of is not None and isinstance(uuid, str):
            target = target_of(payload)
            if target != uuid:
                sources[uuid] = target
    # A chain (an annulment retracted) resolves from its end: an event counts as
    # neutralized when some neutralizer of it is not itself neutralized.
    memo: dict[str, bool] = {}

    def is_out(uuid: str, depth: int = 0) -> bool:
        if uuid in memo:
            return memo[uuid]
        out = depth < 32 and any(
            t == uuid and not is_out(src, depth + 1) for src, t in sources.items()
        )
        memo[uuid] = out
        return out

    for src, target in sources.items():
        if not is_out(src):
            by_target.setdefault(target, src)
    return by_target


def fold(events: Iterable[E], start: Projection) -> tuple[Projection, list[tuple[E, bool]]]:
    """Fold ``events`` (any order: they are put in resolved order) onto ``start``;
    returns the projection and each event, in resolved order, with applied-or-not.

    An event this desk cannot read (a version from a newer program, a payload without
    its shape) changes nothing and counts as not applied; kinds no schema knows were
    never folded and count as applied, as they always have. A neutralized event (see
    ``neutralized``) counts as not applied.
    """
    ordered = resolved_order(list(events))
    out = neutralized(ordered) if any(e.kind in _NEUTRALIZING_KINDS for e in ordered) else {}

    state = start
    result: list[tuple[E, bool]] = []
    for event in ordered:
        applied = True
        if getattr(event, "uuid", None) in out:
            applied = False
        elif event.kind in event_schema.KNOWN_KINDS:
            payload = _parsed(event)
            after = None if payload is None else fold_one(state, payload, event)
            if after is None:
                applied = False
            else:
                state = after
        result.append((event, applied))
    return state, result
