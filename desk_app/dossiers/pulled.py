"""Applying an event pulled from the commune's feed: what it does beyond the dossier's
projection (a dossier received at another desk gets its row; a calendar override is
set; a restored desk continues its own code and register sequences).

The caller stores the event first — stored events never change — and re-projects the
dossiers it touched afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

import event_schema
from desk_app.catalogue import CatalogueError, catalogue_digest, parse_catalogue, store_version
from desk_app.db.models import (
    CalendarOverride,
    CatalogueVersion,
    CommuneProfile,
    CommuneSetting,
    DirectoryEntry,
    Dossier,
    DossierCodeCounter,
    Event,
    IntakeOutcome,
    Procedure,
    PulledSetAside,
    RegisterCounter,
    SyncState,
)
from desk_app.dossiers.store import record
from desk_app.errors import OperationalError
from desk_app.text import fold
from event_schema import (
    CalendarOverrideClearedV1,
    CalendarOverrideSetV1,
    CatalogueVersionLoadedV1,
    CommuneProfileSetV1,
    CommuneSettingSetV1,
    DirectoryEntrySetV1,
    DossierReceivedV1,
    EventRetractedV1,
    IntakeGuidedV1,
    IntakeRefusedV1,
)

P = TypeVar("P")
Effect = Callable[[Session, P, Event, bool], None]

_EFFECTS: dict[type[Any], Effect[Any]] = {}


class SetAsideError(OperationalError):
    """A pulled event this desk cannot apply. It stays in the log, changes nothing, is
    set aside with this reason (``PulledSetAside``) and tried again every round."""

    default_code = "sync.event_set_aside"

    def __init__(self, event: Event, why: str) -> None:
        super().__init__(
            f"sự kiện {event.uuid} ({event.kind} v{event.version}) được để riêng, chưa áp "
            f"dụng: {why}"
        )
        self.event_uuid = event.uuid
        self.why = why


class UnreadableEventError(SetAsideError):
    """A pulled event of a kind and version this desk knows does not have the shape its
    schema promises."""

    default_code = "sync.event_unreadable"

    def __init__(self, event: Event, error: event_schema.PayloadError) -> None:
        super().__init__(event, f"nội dung không đúng mẫu ({error})")
        self.path = error.path


class NewerEventError(SetAsideError):
    """A pulled event of a kind or version newer than this program: applied once the
    desk is upgraded."""

    default_code = "sync.event_newer"

    def __init__(self, event: Event) -> None:
        super().__init__(event, "loại sự kiện mới hơn phần mềm của quầy; cần cập nhật phần mềm")


class CodeNotOriginDeskError(SetAsideError):
    """A pulled ``dossier.received`` whose code is not its sending desk's to issue (an
    old server let it through): taking it would block another desk's intake."""

    default_code = "sync.code_not_origin_desk"


class CodeTakenError(SetAsideError):
    """A pulled ``dossier.received`` whose code another dossier here already has."""

    default_code = "sync.code_taken"


class CatalogueRefusedError(SetAsideError):
    """A pulled ``catalogue.version_loaded`` whose list the desk's catalogue loader
    refuses (a procedure without its duration, a document of an unknown kind…)."""

    default_code = "sync.catalogue_refused"


def effect(payload_type: type[P]) -> Callable[[Effect[P]], Effect[P]]:
    """Register what a pulled event of one payload type does besides projecting."""

    def register(apply: Effect[P]) -> Effect[P]:
        _EFFECTS[payload_type] = apply
        return apply

    return register


def apply_pulled(s: Session, event: Event, own: bool) -> None:
    """Apply a pulled event (``own``: recorded by this desk, maybe on a machine it
    replaces). What cannot be applied raises a ``SetAsideError`` before anything
    changes: a kind or version from a newer program (``NewerEventError``), a payload
    without its shape (``UnreadableEventError``), a dossier code that is not its desk's
    or is taken here already."""
    if not event_schema.is_known(event.kind, event.version):
        raise NewerEventError(event)
    try:
        payload = event_schema.parse(event.kind, event.version, event.payload)
    except event_schema.PayloadError as exc:
        raise UnreadableEventError(event, exc) from exc
    apply = _EFFECTS.get(type(payload))
    if apply is not None:
        apply(s, payload, event, own)


def record_shared(
    s: Session, payload: event_schema.Payload, *, actor: str, agency_code: str, desk: int,
    occurred_at_utc: dt.datetime,
) -> Event:  # fmt: skip
    """Record an event of the commune's shared data (not about one dossier) and apply
    it here at once, exactly as other desks will when they pull it."""
    event = record(
        s, payload, actor=actor, agency_code=agency_code, desk=desk,
        occurred_at_utc=occurred_at_utc,
    )  # fmt: skip
    apply_effect(s, payload, event)
    return event


def apply_effect(s: Session, payload: object, event: Event) -> None:
    """What an event recorded at this desk does beyond the projection, exactly as when
    another desk's is pulled: the commune's shared data (directory, settings, intake
    outcomes) is written by one function either way."""
    apply = _EFFECTS.get(type(payload))
    if apply is not None:
        apply(s, payload, event, True)


@effect(DossierReceivedV1)
def _dossier_received(s: Session, p: DossierReceivedV1, event: Event, own: bool) -> None:
    if not event.dossier_uuid or s.get(Dossier, event.dossier_uuid) is not None:
        return
    problem = event_schema.code_problem(
        p.code, event.origin_agency_code, event.origin_desk, p.code_seq
    )
    if problem is not None:
        raise CodeNotOriginDeskError(event, f"mã hồ sơ không thuộc quầy gửi ({problem})")
    if s.scalar(select(Dossier.uuid).where(Dossier.code == p.code)):
        raise CodeTakenError(event, f"mã hồ sơ {p.code} đã có ở quầy này (hồ sơ khác)")
    received = p.received_at
    s.add(
        Dossier(
            uuid=event.dossier_uuid,
            code=p.code,
            lookup_pin=p.lookup_pin,
            procedure_id=_procedure_id(s, p.procedure_code, received.date()),
            procedure_code=p.procedure_code,
            procedure_name=p.procedure_name,
            status=p.status,
            channel=p.channel,
            applicant_name=p.applicant_name,
            applicant_name_folded=fold(p.applicant_name),
            applicant_cccd=p.applicant_cccd,
            applicant_dob=p.applicant_dob,
            applicant_phone=p.applicant_phone,
            applicant_address=p.applicant_address,
            applicant_email=p.applicant_email,
            representative_name=p.representative_name,
            representative_cccd=p.representative_cccd,
            representative_phone=p.representative_phone,
            request_text=p.request_text,
            documents=[d.dump() for d in p.documents],
            sets_count=p.sets_count,
            notes=p.notes,
            duration_kind=p.duration_kind,
            duration_value=p.duration_value,
            received_at=received,
            due_at=p.due_at,
            received_by=p.received_by or event.actor,
            received_by_name=p.received_by_name or event.actor,
            origin_agency_code=event.origin_agency_code,
            origin_desk=event.origin_desk,
            register_line=p.register_line,
            returned_at=None,
            updated_at=received,
            holder=p.received_by or event.actor,
            original_due_at=p.due_at,
        )
    )
    if own:
        _advance_counters(s, received, event.origin_desk, p.code_seq, p.register_line)


@effect(CalendarOverrideSetV1)
def _calendar_override_set(s: Session, p: CalendarOverrideSetV1, event: Event, own: bool) -> None:
    s.flush()  # see _advance_counters: one page may set the same day twice
    row = s.get(CalendarOverride, p.day)
    if row is None:
        row = CalendarOverride(day=p.day)
        s.add(row)
    row.kind = p.kind
    row.reason = p.reason
    row.created_by = event.actor
    row.created_at = event.occurred_at


@effect(CalendarOverrideClearedV1)
def _calendar_override_cleared(
    s: Session, p: CalendarOverrideClearedV1, event: Event, own: bool
) -> None:
    s.flush()  # the same page may set the day, then clear it
    row = s.get(CalendarOverride, p.day)
    if row is not None:
        s.delete(row)


@effect(CommuneProfileSetV1)
def _commune_profile_set(s: Session, p: CommuneProfileSetV1, event: Event, own: bool) -> None:
    """Another desk's administrator changed the commune's names, hours or receipt words:
    this desk follows; its own agency code and desk number stay as they are."""
    row = s.get(CommuneProfile, 1)
    if row is None:
        return  # not set up yet: the set-up asks for the profile
    row.commune_name = p.commune_name
    row.province = p.province
    row.office_hours = [part.split("-") for part in p.office_hours.split(",")]
    hour, minute = p.same_day_cutoff.split(":")
    row.same_day_cutoff = dt.time(int(hour), int(minute))
    row.result_place = p.result_place
    row.receipt_unit_name = p.receipt_unit_name
    row.receipt_notes = [line for line in p.receipt_notes.split("\n") if line]


@effect(CatalogueVersionLoadedV1)
def _catalogue_loaded(s: Session, p: CatalogueVersionLoadedV1, event: Event, own: bool) -> None:
    """An administrator loaded a catalogue version on a desk of the commune: it is in force
    here from the same date. Dossiers keep the procedure row they were received under; the
    same version loaded already (our own, come back) changes nothing."""
    raw = json.dumps(p.data, ensure_ascii=False).encode()
    try:
        data = parse_catalogue(raw, p.source_name)  # the checks an imported file passes
    except CatalogueError as exc:
        raise CatalogueRefusedError(event, f"danh mục không đọc được ({exc})") from exc
    store_version(s, data, catalogue_digest(data), event.occurred_at)


def _procedure_id(s: Session, code: str, day: dt.date) -> int | None:
    return s.scalar(
        select(Procedure.id)
        .join(CatalogueVersion)
        .where(Procedure.code == code, CatalogueVersion.effective_from <= day)
        .order_by(CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc())
        .limit(1)
    )


def _advance_counters(
    s: Session, received: dt.datetime, desk: int, code_seq: int | None, register_line: int | None
) -> None:
    """A desk restored from the server continues its code and register sequences."""
    # Pages are applied without autoflush; get() sees only flushed rows, and a page may
    # restore several dossiers of one day. Restores are rare: flush here.
    s.flush()
    if code_seq is not None:
        counter = s.get(DossierCodeCounter, (received.date(), desk))
        if counter is None:
            s.add(DossierCodeCounter(day=received.date(), desk_number=desk, last_seq=code_seq))
        elif counter.last_seq < code_seq:
            counter.last_seq = code_seq
    if register_line is not None:
        line = s.get(RegisterCounter, (received.year, desk))
        if line is None:
            s.add(RegisterCounter(year=received.year, desk_number=desk, last_line=register_line))
        elif line.last_line < register_line:
            line.last_line = register_line


@effect(EventRetractedV1)
def _event_retracted(s: Session, p: EventRetractedV1, event: Event, own: bool) -> None:
    # The projection ignores the target (kinds.neutralizes); a target set aside here is
    # settled: the operator has dealt with it.
    s.flush()
    row = s.get(PulledSetAside, p.event)
    if row is not None:
        s.delete(row)
        _mark_unreported(s)


def _mark_unreported(s: Session) -> None:
    state = s.get(SyncState, 1)
    if state is not None:
        state.set_aside_unreported = True


def set_aside(s: Session, event: Event, error: SetAsideError, now_utc: dt.datetime) -> None:
    """Keep ``event`` aside with the reason ``error`` gives (or update the reason)."""
    s.flush()
    row = s.get(PulledSetAside, event.uuid)
    if row is None:
        s.add(
            PulledSetAside(
                event_uuid=event.uuid, code=error.code, reason=error.why[:2000],
                set_aside_at=now_utc,
            )
        )  # fmt: skip
        _mark_unreported(s)
    elif row.code != error.code or row.reason != error.why[:2000]:
        row.code = error.code
        row.reason = error.why[:2000]
        _mark_unreported(s)


def is_retracted(s: Session, event_uuid: str) -> bool:
    return (
        s.scalar(
            select(Event.seq)
            .where(
                Event.kind == EventRetractedV1.KIND,
                Event.payload["event"].as_string() == event_uuid,
            )
            .limit(1)
        )
        is not None
    )


def retry_set_aside(s: Session, now_utc: dt.datetime) -> tuple[int, set[str]]:
    """Apply again every event set aside (a desk upgraded since reads newer versions; a
    code freed may now be taken); returns how many were applied and the dossiers they
    touched. Retracted ones are dropped from the list."""
    applied = 0
    touched: set[str] = set()
    rows = list(s.scalars(select(PulledSetAside)))
    for row in rows:
        event = s.scalar(select(Event).where(Event.uuid == row.event_uuid))
        if event is None or is_retracted(s, row.event_uuid):
            s.delete(row)
            _mark_unreported(s)
            continue
        try:
            apply_pulled(s, event, event.is_local)
        except SetAsideError as exc:
            set_aside(s, event, exc, now_utc)
            continue
        s.delete(row)
        _mark_unreported(s)
        applied += 1
        if event.dossier_uuid:
            touched.add(event.dossier_uuid)
    return applied, touched


@effect(CommuneSettingSetV1)
def _setting_set(s: Session, p: CommuneSettingSetV1, event: Event, own: bool) -> None:
    s.flush()  # one page may set the same key twice
    row = s.get(CommuneSetting, p.key)
    if row is None:
        row = CommuneSetting(key=p.key)
        s.add(row)
    row.value = p.value
    row.updated_by = event.actor
    row.updated_at = event.occurred_at


@effect(DirectoryEntrySetV1)
def _directory_entry_set(s: Session, p: DirectoryEntrySetV1, event: Event, own: bool) -> None:
    s.flush()
    row = s.get(DirectoryEntry, p.entry_id)
    if row is None:
        row = DirectoryEntry(entry_id=p.entry_id)
        s.add(row)
    row.kind = p.kind
    row.name = p.name
    row.name_folded = fold(p.name)
    row.unit = p.unit
    row.username = p.username
    row.active = p.active
    row.updated_by = event.actor
    row.updated_at = event.occurred_at


def _intake_outcome(
    s: Session, kind: str, p: IntakeGuidedV1 | IntakeRefusedV1, event: Event
) -> None:
    s.flush()
    if s.get(IntakeOutcome, event.uuid) is not None:
        return  # our own, come back from the server
    s.add(
        IntakeOutcome(
            uuid=event.uuid,
            kind=kind,
            at=p.at,
            procedure_code=p.procedure_code,
            procedure_name=p.procedure_name,
            applicant_name=p.applicant_name,
            applicant_name_folded=fold(p.applicant_name),
            applicant_cccd=p.applicant_cccd,
            applicant_phone=p.applicant_phone,
            applicant_address=p.applicant_address,
            reason=p.reason,
            items=[i.dump() for i in p.items] if isinstance(p, IntakeGuidedV1) else [],
            officer=p.officer,
            officer_name=p.officer_name,
            origin_agency_code=event.origin_agency_code,
            origin_desk=event.origin_desk,
        )
    )


@effect(IntakeGuidedV1)
def _intake_guided(s: Session, p: IntakeGuidedV1, event: Event, own: bool) -> None:
    _intake_outcome(s, "guided", p, event)


@effect(IntakeRefusedV1)
def _intake_refused(s: Session, p: IntakeRefusedV1, event: Event, own: bool) -> None:
    _intake_outcome(s, "refused", p, event)
