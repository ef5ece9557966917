"""The dossier lifecycle: the actions an officer takes after the receipt, the timeline,
and how conflicts resolve.

Each action (``handover``, ``request_supplement``, ``supplement_received``, ``extend``,
``withdraw``, ``stop``, ``result_ready``, ``return_result``, ``correct``, ``annul``) is
its own event kind (``event_schema.lifecycle``), allowed only from the statuses the
state machine names (``desk_app.dossiers.transitions.ACTIONS``); anything else is
refused with the reason in Vietnamese before a byte is written.

A dossier's status is a projection of its events (``desk_app.dossiers``), folded in
**resolved order** — the district server's order (``server_seq``) for events it has
acknowledged or sent, then this desk's not-yet-sent events in the order they were
recorded. Every desk of the commune ends up folding the same events in the same order,
so they agree. Conflict rule: an action applies only if it is allowed from the status
reached so far; otherwise it stays in the timeline marked as not applied — e.g. two
desks offline both act on one dossier, one records "returned", the other "withdrawn":
whichever the server received first wins.

Times are honest: an action may state when it happened (``at``, for a step recorded
late after a power cut) but never in the future nor before the dossier's previous step;
the event keeps both the stated time and the time it was recorded. Due dates are
recorded, never recomputed: the supplement and the extension carry the date they set and
the rule that produced it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.calendar import Duration, WorkingCalendar
from desk_app.cccd import check_cccd, mask_cccd
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.commune_settings import CommuneSettingsService, LifecycleSettings
from desk_app.db.engine import Database
from desk_app.db.models import Dossier, Event
from desk_app.directory import DirectoryService
from desk_app.dossiers import (
    ACTIONS,
    TRANSITIONS,
    Projection,
    actions_from,
    current,
    fold,
    neutralized,
    record,
    reproject,
    resolved_order,
    stored_projection,
)
from desk_app.errors import DossierNotFoundError, InvalidInputError, TransitionNotAllowedError
from desk_app.profile import ProfileService
from desk_app.text import is_safe_text, normalize_name
from desk_app.vocabulary import RETURN_METHOD_LABELS, status_label
from event_schema import (
    CORRECTABLE_FIELDS,
    CorrectedV1,
    DossierStatusChangedV1,
    ExtendedV1,
    FieldChange,
    HandedOverV1,
    MissingItem,
    Payload,
    ResultReadyV1,
    ReturnedV1,
    StepAnnulledV1,
    StoppedV1,
    SupplementReceivedV1,
    SupplementRequestedV1,
    WithdrawnV1,
)

__all__ = [
    "ACTIONS",
    "TRANSITIONS",
    "ActionError",
    "LifecycleService",
    "StepResult",
    "TimelineEntry",
    "TransitionError",
    "reproject",
    "resolved_order",
    "timeline_of",
]

# Kinds an officer may annul: their own steps after the receipt.
ANNULLABLE_KINDS = frozenset(
    t.KIND
    for t in (
        HandedOverV1, SupplementRequestedV1, SupplementReceivedV1, ExtendedV1, WithdrawnV1,
        StoppedV1, ResultReadyV1, ReturnedV1, CorrectedV1,
    )
)  # fmt: skip


class TransitionError(TransitionNotAllowedError):
    """The action is not allowed from the dossier's current status."""


class ActionError(InvalidInputError):
    """The action's details cannot be accepted (a time in the future, an extension too
    late, a missing reason); the message says why. Nothing is written."""

    default_code = "lifecycle.invalid"


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    server_seq: int | None
    kind: str
    occurred_at_utc: dt.datetime
    actor: str
    origin: str
    payload: dict[str, Any]
    applied: bool
    version: int = 1
    uuid: str = ""
    # The time the step happened as stated (local); None for kinds without one.
    at: dt.datetime | None = None
    # Annulled by its officer (or retracted): shown struck out, not counted.
    annulled: bool = False
    annulled_by: str | None = None


@dataclass(frozen=True)
class StepResult:
    """What an action recorded, and the dossier after it."""

    code: str
    event_uuid: str
    kind: str
    projection: Projection


def _stated_at(payload: Mapping[str, Any]) -> dt.datetime | None:
    raw = payload.get("at") or payload.get("received_at")
    if not isinstance(raw, str):
        return None
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


def _clean(text: str, what: str, *, required: bool, max_len: int = 2000) -> str:
    value = text.strip()
    if required and not value:
        raise ActionError(f"cần ghi {what}")
    if len(value) > max_len:
        raise ActionError(f"{what} quá dài (tối đa {max_len} ký tự)")
    if not is_safe_text(value, multiline=True):
        raise ActionError(f"{what} có ký tự điều khiển hoặc ký tự đảo chiều văn bản")
    return value


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")

#: what else the step's transaction does once the step is recorded (``perform(then=)``)
StepHook = Callable[[Session, StepResult], None]
_THEN: ContextVar[StepHook | None] = ContextVar("lifecycle_then", default=None)


@contextmanager
def _then(hook: StepHook | None) -> Iterator[None]:
    token = _THEN.set(hook)
    try:
        yield
    finally:
        _THEN.reset(token)


class LifecycleService:
    """Records the actions on dossiers and reads their course back."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        profiles: ProfileService,
        settings: CommuneSettingsService | None = None,
        directory: DirectoryService | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._settings = settings or CommuneSettingsService(db, clock, profiles)
        self._directory = directory or DirectoryService(db, clock, profiles)

    # ------------------------------------------------------------------ the actions

    def handover(
        self, code: str, officer: Officer, *, to: str, note: str = "", at: dt.datetime | None = None
    ) -> StepResult:
        """Hand the file to an officer or unit of the directory (``to``: its name or id)."""
        receiver = self._directory.find(to)
        note = _clean(note, "ghi chú", required=False)

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            return HandedOverV1(
                at=when, giver=officer.username, giver_name=officer.full_name,
                receiver_id=receiver.entry_id, receiver_kind=receiver.kind,
                receiver_name=receiver.name, note=note,
            )  # fmt: skip

        return self._act(code, officer, "handover", at, build)

    def request_supplement(
        self,
        code: str,
        officer: Officer,
        *,
        reason: str,
        items: Sequence[MissingItem | str] = (),
        at: dt.datetime | None = None,
    ) -> StepResult:
        """Ask the citizen to complete the dossier (Form 02): the clock stops."""
        reason = _clean(reason, "lý do yêu cầu bổ sung", required=True)
        missing = tuple(_missing_item(i) for i in items)

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            return SupplementRequestedV1(at=when, reason=reason, items=missing)

        return self._act(code, officer, "request_supplement", at, build)

    def supplement_received(
        self, code: str, officer: Officer, *, note: str = "", at: dt.datetime | None = None
    ) -> StepResult:
        """The complete supplement arrived: the clock runs again and the appointment is
        set by the commune's pause rule (recorded with the dates it gives)."""
        note = _clean(note, "ghi chú", required=False)
        settings = self._settings.get()
        calendar = self._profiles.calendar()

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            return supplement_payload(d, state, when, note, settings, calendar)

        return self._act(code, officer, "supplement_received", at, build)

    def extend(
        self,
        code: str,
        officer: Officer,
        *,
        new_due: dt.datetime | dt.date,
        reason: str,
        at: dt.datetime | None = None,
    ) -> StepResult:
        """Apologise and set a new appointment (Form 04): at most ``max_extensions`` per
        dossier, on a working day strictly before the current due day."""
        reason = _clean(reason, "lý do gia hạn", required=True)
        settings = self._settings.get()
        calendar = self._profiles.calendar()

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            return extension_payload(state, when, new_due, reason, settings, calendar)

        return self._act(code, officer, "extend", at, build)

    def withdraw(
        self, code: str, officer: Officer, *, reason: str = "", at: dt.datetime | None = None
    ) -> StepResult:
        """The citizen withdraws the dossier (xin rút), before any result."""
        reason = _clean(reason, "lý do rút hồ sơ", required=False)
        return self._act(
            code, officer, "withdraw", at, lambda d, s, when: WithdrawnV1(at=when, reason=reason)
        )

    def stop(
        self, code: str, officer: Officer, *, reason: str, at: dt.datetime | None = None
    ) -> StepResult:
        """The agency stops handling the dossier for a stated reason (Form 05)."""
        reason = _clean(reason, "lý do dừng giải quyết", required=True)
        return self._act(
            code, officer, "stop", at, lambda d, s, when: StoppedV1(at=when, reason=reason)
        )

    def result_ready(
        self,
        code: str,
        officer: Officer,
        *,
        outcome: str = "approved",
        reason: str = "",
        at: dt.datetime | None = None,
    ) -> StepResult:
        """The result exists: ``approved``, or ``not_eligible`` with a written reason."""
        if outcome not in ("approved", "not_eligible"):
            raise ActionError(
                "kết quả là approved (giải quyết) hoặc not_eligible (không đủ điều kiện)"
            )
        reason = _clean(reason, "lý do không đủ điều kiện", required=outcome == "not_eligible")
        return self._act(
            code,
            officer,
            "result_ready",
            at,
            lambda d, s, when: ResultReadyV1(at=when, outcome=outcome, reason=reason),
        )

    def return_result(
        self,
        code: str,
        officer: Officer,
        *,
        method: str = "desk",
        rating: str | None = None,
        comment: str = "",
        at: dt.datetime | None = None,
    ) -> StepResult:
        """Hand the result to the citizen (at the desk or by post); the satisfaction
        rating is offered, never required (a label of the scale, or its number 1…n)."""
        if method not in ("desk", "post"):
            raise ActionError("cách trả kết quả là desk (tại quầy) hoặc post (qua bưu chính)")
        label = _rating_label(rating, self._settings.get()) if rating else None
        comment = _clean(comment, "ý kiến", required=False)

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            return ReturnedV1(
                at=when, by=officer.username, by_name=officer.full_name, method=method,
                rating=label, comment=comment,
            )  # fmt: skip

        return self._act(code, officer, "return", at, build)

    def correct(
        self,
        code: str,
        officer: Officer,
        *,
        changes: Mapping[str, str | None],
        reason: str,
    ) -> StepResult:
        """Correct applicant fields mistyped at intake; the old values stay in the
        timeline. ``changes``: field name → new value (empty or None clears it)."""
        reason = _clean(reason, "lý do sửa", required=True)
        if not changes:
            raise ActionError("chưa có trường nào để sửa")
        cleaned = {name: _corrected_value(name, value) for name, value in changes.items()}

        def build(d: Dossier, state: Projection, when: dt.datetime) -> Payload:
            diffs = []
            for name, new in cleaned.items():
                old = getattr(d, name)
                old_text = old.isoformat() if isinstance(old, dt.date) else (old or None)
                if old_text != new:
                    diffs.append(FieldChange(name, old_text, new))
            if not diffs:
                raise ActionError("giá trị mới giống giá trị đang có: không có gì để sửa")
            return CorrectedV1(at=when, reason=reason, changes=tuple(diffs))

        return self._act(code, officer, "correct", None, build)

    def annul(
        self, code: str, officer: Officer, *, reason: str, target: str | None = None
    ) -> StepResult:
        """Annul one's own mistaken step (``target``: its event UUID; by default one's
        latest counted step). The step stays in the timeline, struck out, and no longer
        counts; refused when a later counted step depends on it."""
        officer.require(Permission.RECEIVE)
        reason = _clean(reason, "lý do hủy bước", required=True)
        with self._db.write() as s:
            dossier = _dossier(s, code)
            events = list(s.scalars(select(Event).where(Event.dossier_uuid == dossier.uuid)))
            _, entries = fold(events, Projection())
            applied = {e.uuid for e, ok in entries if ok}
            chosen = _annul_target(entries, applied, officer, target)
            # Without it, every other counted step must still count.
            _, after = fold([e for e in events if e.uuid != chosen.uuid], Projection())
            still = {e.uuid for e, ok in after if ok}
            if not (applied - {chosen.uuid}) <= still:
                raise ActionError(
                    "không hủy được bước này: các bước sau dựa trên nó (hãy hủy bước sau trước)",
                    code="lifecycle.annul_blocked",
                )
            now_local = local_now(self._clock).replace(microsecond=0)
            payload = StepAnnulledV1(
                at=now_local, target=chosen.uuid, target_kind=chosen.kind, reason=reason
            )
            return self._record(s, dossier, officer, payload, f"annul {chosen.kind}")

    def perform(
        self,
        code: str,
        action: str,
        officer: Officer,
        *,
        then: StepHook | None = None,
        **details: Any,
    ) -> StepResult:
        """One action by its command-line name (``handover``, ``request-supplement``,
        ``supplement-received``, ``extend``, ``withdraw``, ``stop``, ``result-ready``,
        ``not-eligible``, ``return``, ``annul``) with its details as keywords.

        ``then(session, step)``, when given, runs inside the step's own transaction once
        the step is recorded (its changes flushed, so reads in ``session`` see them): what
        it adds commits with the step, in one durable commit, or not at all.
        """
        methods: dict[str, Callable[..., StepResult]] = {
            "handover": self.handover,
            "request-supplement": self.request_supplement,
            "supplement-received": self.supplement_received,
            "extend": self.extend,
            "withdraw": self.withdraw,
            "stop": self.stop,
            "result-ready": self.result_ready,
            "not-eligible": lambda c, o, **kw: self.result_ready(
                c, o, outcome="not_eligible", **kw
            ),
            "return": self.return_result,
            "annul": self.annul,
        }
        method = methods.get(action)
        if method is None:
            raise ActionError(f"không có thao tác {action!r}; chọn: {', '.join(methods)}")
        with _then(then):
            return method(code, officer, **details)

    # ------------------------------------------------------------------ legacy

    def change_status(self, code: str, to: str, officer: Officer, note: str = "") -> str:
        """Record a bare status change (``dossier.status_changed``): what desks did before
        each action had its own kind. Kept for old scripts; new code uses the actions."""
        officer.require(Permission.RECEIVE)
        with self._db.write() as s:
            dossier = _dossier(s, code)
            if to not in TRANSITIONS.get(dossier.status, frozenset()):
                raise TransitionError(
                    f"không thể chuyển hồ sơ từ trạng thái {dossier.status} sang {to}"
                )
            payload = DossierStatusChangedV1(
                from_status=dossier.status,
                to_status=to,
                note=note.strip(),
                at=local_now(self._clock).replace(microsecond=0),
            )
            self._record(s, dossier, officer, payload, f"status -> {to}")
            return dossier.status

    # ------------------------------------------------------------------ reading

    def available_actions(self, code: str, officer: Officer | None = None) -> list[str]:
        """The actions the dossier's status allows (none for a role that only views)."""
        if officer is not None and not officer.can(Permission.RECEIVE):
            return []
        return actions_from(self.projection(code).status)

    def timeline(self, code: str) -> list[TimelineEntry]:
        with self._db.read() as s:
            return timeline_of(s, _dossier(s, code))

    def course(self, code: str) -> tuple[Projection, list[TimelineEntry]]:
        """``projection(code)`` and ``timeline(code)`` in one read."""
        with self._db.read() as s:
            dossier = _dossier(s, code)
            return stored_projection(dossier), timeline_of(s, dossier)

    def projection(self, code: str) -> Projection:
        """The dossier as its events make it, as stored: status, holder, the appointment
        now and before any extension, pauses, classification."""
        with self._db.read() as s:
            return stored_projection(_dossier(s, code))

    # ------------------------------------------------------------------ recording

    def _act(
        self,
        code: str,
        officer: Officer,
        action: str,
        at: dt.datetime | None,
        build: Callable[[Dossier, Projection, dt.datetime], Payload],
    ) -> StepResult:
        officer.require(Permission.RECEIVE)
        now_local = local_now(self._clock).replace(microsecond=0)
        with self._db.write() as s:
            dossier = _dossier(s, code)
            state, _ = current(s, dossier)
            spec = ACTIONS[action]
            if state.status not in spec.sources:
                raise TransitionError(
                    f"không thể {spec.label} khi hồ sơ đang ở trạng thái "
                    f"«{status_label(state.status)}»"
                )
            when = _honest_time(at, now_local, state.last_at)
            payload = build(dossier, state, when)
            return self._record(s, dossier, officer, payload, action)

    def _record(
        self, s: Session, dossier: Dossier, officer: Officer, payload: Payload, detail: str
    ) -> StepResult:
        profile = self._profiles.require()
        now_utc = utc_naive(self._clock)
        event = record(
            s,
            payload,
            actor=officer.username,
            agency_code=profile.agency_code,
            desk=profile.desk_number,
            occurred_at_utc=now_utc,
            dossier=dossier,
        )
        dossier.updated_at = local_now(self._clock)
        audit.record(
            s, at_utc=now_utc, username=officer.username, action="change",
            object_type="dossier", object_ref=dossier.code, detail=detail,
        )  # fmt: skip
        step = StepResult(dossier.code, event.uuid, payload.KIND, stored_projection(dossier))
        then = _THEN.get()
        if then is not None:
            s.flush()
            then(s, step)
        return step


def timeline_of(s: Session, dossier: Dossier) -> list[TimelineEntry]:
    """The dossier's steps in resolved order, as ``session`` sees them (inside a write
    transaction: with its unflushed-then-flushed changes). Nothing is written."""
    _, entries = current(s, dossier)
    out = neutralized([e for e, _ in entries])
    return [
        TimelineEntry(
            seq=e.seq,
            server_seq=e.server_seq,
            kind=e.kind,
            occurred_at_utc=e.occurred_at,
            actor=e.actor,
            origin=f"{e.origin_agency_code}#{e.origin_desk}",
            payload=dict(e.payload),
            applied=applied,
            version=e.version,
            uuid=e.uuid,
            at=_stated_at(e.payload),
            annulled=e.uuid in out,
            annulled_by=out.get(e.uuid),
        )
        for e, applied in entries
    ]


# ------------------------------------------------------------------ rules (pure)


def _dossier(s: Session, code: str) -> Dossier:
    dossier = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
    if dossier is None:
        raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()[:64]!r}")
    return dossier


def _honest_time(
    at: dt.datetime | None, now: dt.datetime, previous: dt.datetime | None
) -> dt.datetime:
    """The stated time of a step: now, or ``at`` — never in the future, never before the
    dossier's previous step."""
    if at is None:
        return now
    if at.tzinfo is not None:
        raise ActionError("thời điểm phải là giờ địa phương, không kèm múi giờ")
    when = at.replace(microsecond=0)
    if when > now:
        raise ActionError(
            f"thời điểm {when:%H:%M %d/%m/%Y} ở tương lai: chỉ ghi được việc đã xảy ra",
            code="lifecycle.at_in_future",
        )
    if previous is not None and when < previous:
        raise ActionError(
            f"thời điểm {when:%H:%M %d/%m/%Y} trước bước trước đó của hồ sơ "
            f"({previous:%H:%M %d/%m/%Y})",
            code="lifecycle.at_before_previous",
        )
    return when


def _missing_item(item: MissingItem | str) -> MissingItem:
    if isinstance(item, MissingItem):
        name, reason = item.name, item.reason
    else:
        name, _, reason = item.partition(":")
    return MissingItem(
        _clean(name, "tên giấy tờ cần bổ sung", required=True, max_len=1000),
        _clean(reason, "lý do", required=False, max_len=1000),
    )


def _shift(value: dt.datetime | None, days: int, calendar: WorkingCalendar) -> dt.datetime | None:
    if value is None or days == 0:
        return value
    return dt.datetime.combine(calendar.add_working_days(value.date(), days), value.time())


def supplement_payload(
    dossier: Dossier,
    state: Projection,
    at: dt.datetime,
    note: str,
    settings: LifecycleSettings,
    calendar: WorkingCalendar,
) -> SupplementReceivedV1:
    """The new appointment after a supplement, by the commune's pause rule:

    * ``restart``: the statutory duration counted again from ``at`` by the receipt rule
      (the day itself not counted; after office hours, from the next working day);
    * ``shift``: the appointment (and the original one) later by the working days spent
      waiting — those in (pause start, ``at``].
    """
    started = state.pauses[-1].started_at if state.pauses else at
    waited = calendar.working_days_between(started.date(), at.date())
    if dossier.duration_kind == "none" or state.original_due_at is None:
        return SupplementReceivedV1(
            at=at, due_rule="none", due_at=state.due_at, original_due_at=state.original_due_at,
            waited_working_days=waited, note=note,
        )  # fmt: skip
    if settings.pause_rule == "shift":
        return SupplementReceivedV1(
            at=at, due_rule="shift", due_at=_shift(state.due_at, waited, calendar),
            original_due_at=_shift(state.original_due_at, waited, calendar),
            waited_working_days=waited, note=note,
        )  # fmt: skip
    try:
        duration = Duration(dossier.duration_kind, dossier.duration_value)  # type: ignore[arg-type]
    except ValueError:
        raise ActionError(
            "thời hạn giải quyết của hồ sơ không đọc được: không tính lại được ngày hẹn"
        ) from None
    due = calendar.due_at(at, duration)
    return SupplementReceivedV1(
        at=at, due_rule="restart", due_at=due, original_due_at=due,
        waited_working_days=waited, note=note,
    )  # fmt: skip


def extension_payload(
    state: Projection,
    at: dt.datetime,
    new_due: dt.datetime | dt.date,
    reason: str,
    settings: LifecycleSettings,
    calendar: WorkingCalendar,
) -> ExtendedV1:
    """An extension, checked: within the commune's limit, recorded on a working day
    strictly before the current due day, to a later working day."""
    due = state.due_at
    if due is None:
        raise ActionError("hồ sơ không có ngày hẹn trả: không có gì để gia hạn")
    if state.extension_count >= settings.max_extensions:
        raise ActionError(
            f"hồ sơ đã được gia hạn {state.extension_count} lần; "
            f"xã cho phép tối đa {settings.max_extensions} lần",
            code="lifecycle.extension_limit",
        )
    if not calendar.is_working_day(at.date()) or at.date() >= due.date():
        raise ActionError(
            f"chỉ gia hạn được trong một ngày làm việc trước ngày hẹn trả {due:%d/%m/%Y}",
            code="lifecycle.extension_too_late",
        )
    if isinstance(new_due, dt.datetime):
        target = new_due.replace(microsecond=0)
    else:
        target = dt.datetime.combine(new_due, calendar.office_hours.closing)
    if target.date() <= due.date():
        raise ActionError(f"ngày hẹn mới phải sau ngày hẹn hiện tại {due:%d/%m/%Y}")
    if not calendar.is_working_day(target.date()):
        raise ActionError(f"ngày hẹn mới {target:%d/%m/%Y} không phải ngày làm việc")
    return ExtendedV1(at=at, reason=reason, due_at=target, previous_due_at=due)


def _rating_label(rating: str, settings: LifecycleSettings) -> str:
    scale = settings.rating_scale
    value = rating.strip()
    if value.isdigit() and 1 <= int(value) <= len(scale):
        return scale[int(value) - 1]
    for label in scale:
        if label.casefold() == value.casefold():
            return label
    options = ", ".join(f"{i} = {label}" for i, label in enumerate(scale, 1))
    raise ActionError(f"mức đánh giá không có trong thang của xã ({options})")


def _corrected_value(name: str, value: str | None) -> str | None:
    """A corrected field's new value, cleaned and checked like at intake."""
    if name not in CORRECTABLE_FIELDS:
        raise ActionError(
            f"không sửa được trường {name!r}; sửa được: {', '.join(CORRECTABLE_FIELDS)}"
        )
    text = " ".join((value or "").split())
    if not is_safe_text(text) or len(text) > 300:
        raise ActionError(f"giá trị mới của {name} quá dài hoặc có ký tự điều khiển")
    if name in ("applicant_name", "representative_name"):
        text = normalize_name(text)
        if name == "applicant_name" and len(text.split()) < 2:
            raise ActionError("họ và tên gồm ít nhất hai chữ")
    elif name in ("applicant_cccd", "representative_cccd") and text:
        check = check_cccd(text)
        if check.error:
            raise ActionError(check.error)
    elif name in ("applicant_phone", "representative_phone") and text:
        text = _PHONE_SEPARATORS.sub("", text)
        if text.startswith("+84"):
            text = "0" + text[3:]
        if not re.fullmatch(r"0\d{9,10}", text):
            raise ActionError("số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84)")
    elif name == "applicant_dob" and text:
        try:
            text = dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ActionError("ngày sinh viết theo dạng YYYY-MM-DD") from None
    elif name == "applicant_address" and not text:
        raise ActionError("địa chỉ không được để trống")
    if name == "applicant_name" and not text:
        raise ActionError("họ và tên không được để trống")
    return text or None


def _annul_target(
    entries: list[tuple[Event, bool]], applied: set[str], officer: Officer, target: str | None
) -> Event:
    own = [
        e for e, ok in entries if ok and e.kind in ANNULLABLE_KINDS and e.actor == officer.username
    ]
    if target is None:
        if not own:
            raise ActionError(
                "không có bước nào của anh/chị trên hồ sơ này để hủy", code="lifecycle.annul_none"
            )
        return own[-1]
    found = next((e for e, _ in entries if e.uuid == target.strip()), None)
    if found is None:
        raise ActionError("không có bước này trong hồ sơ", code="lifecycle.annul_none")
    if found.kind not in ANNULLABLE_KINDS:
        raise ActionError("không hủy được bước này (chỉ hủy được các bước sau khi tiếp nhận)")
    if found.actor != officer.username:
        raise ActionError("chỉ hủy được bước do chính mình ghi", code="lifecycle.annul_not_own")
    if found.uuid not in applied:
        raise ActionError("bước này đã bị hủy hoặc không được tính", code="lifecycle.annul_none")
    return found


def masked_change(change: Mapping[str, Any]) -> dict[str, Any]:
    """A correction's field change as lists and the command line show it (CCCD masked)."""
    if str(change.get("field", "")).endswith("_cccd"):
        return {**change, "old": mask_cccd(change.get("old")), "new": mask_cccd(change.get("new"))}
    return dict(change)


FIELD_LABELS = {
    "applicant_name": "họ tên", "applicant_cccd": "số CCCD", "applicant_dob": "ngày sinh",
    "applicant_phone": "số điện thoại", "applicant_address": "địa chỉ",
    "applicant_email": "email", "representative_name": "họ tên người được ủy quyền",
    "representative_cccd": "CCCD người được ủy quyền",
    "representative_phone": "điện thoại người được ủy quyền",
}  # fmt: skip


def _date_text(raw: object) -> str:
    try:
        return f"{dt.datetime.fromisoformat(str(raw)):%H:%M %d/%m/%Y}"
    except ValueError:
        return "—"


def step_text(kind: str, payload: Mapping[str, Any]) -> str:
    """One step of the timeline in plain Vietnamese, for a screen or a printed sheet
    (never a CCCD: a correction names the fields it changed, not their values)."""
    p = payload
    reason = str(p.get("reason") or "").strip()
    why = f": {reason}" if reason else ""
    match kind:
        case "dossier.received":
            return "Tiếp nhận hồ sơ"
        case "dossier.status_changed":
            return "Chuyển sang: " + status_label(str(p.get("to", "")))
        case "dossier.handed_over":
            note = str(p.get("note") or "").strip()
            return f"Bàn giao cho {p.get('receiver_name', '')}" + (f" ({note})" if note else "")
        case "dossier.supplement_requested":
            return "Yêu cầu bổ sung hồ sơ" + why
        case "dossier.supplement_received":
            due = p.get("due_at")
            return "Nhận hồ sơ bổ sung" + (f"; hẹn trả {_date_text(due)}" if due else "")
        case "dossier.extended":
            return f"Gia hạn, hẹn lại {_date_text(p.get('due_at'))}" + why
        case "dossier.withdrawn":
            return "Công dân rút hồ sơ" + why
        case "dossier.stopped":
            return "Dừng giải quyết" + why
        case "dossier.result_ready":
            if p.get("outcome") == "not_eligible":
                return "Không đủ điều kiện giải quyết" + why
            return "Có kết quả giải quyết"
        case "dossier.returned":
            how = RETURN_METHOD_LABELS.get(str(p.get("method")), "")
            rating = f"; đánh giá: {p['rating']}" if p.get("rating") else ""
            return f"Trả kết quả ({how.lower()}){rating}"
        case "dossier.corrected":
            fields = [FIELD_LABELS.get(str(c.get("field")), "?") for c in p.get("changes", [])]
            return f"Sửa {', '.join(fields)}" + why
        case "dossier.step_annulled":
            return "Hủy bước đã ghi nhầm" + why
    return kind
