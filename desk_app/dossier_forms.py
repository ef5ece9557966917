"""Printing a stored dossier's forms (01–06) and the tracking register (07).

The forms package prints plain data; this service builds that data from the dossier's
stored row and its timeline (hand-overs, requests to complete, extensions, stops), and
records every print or export in the audit log. Form 01 is the receipt exactly as
issued (``IntakeService.receipt``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

import event_schema
from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import DirectoryEntry, Dossier, Event, User
from desk_app.directory import DirectoryService
from desk_app.dossiers import neutralized, pauses_of
from desk_app.errors import DeskError, DossierNotFoundError, InvalidInputError, StorageError
from desk_app.forms import form02, form03, form04, form05, form06, form07
from desk_app.forms.blocks import Agency
from desk_app.forms.data import (
    Applicant,
    Classification,
    DossierFormData,
    Extension,
    HandOver,
    MissingItem,
    Pause,
    Refusal,
    RegisterData,
    RegisterRow,
    Stop,
    StopKind,
    SupplementRequest,
)
from desk_app.intake import IntakeService
from desk_app.intake_outcomes import IntakeOutcomeService
from desk_app.lifecycle import LifecycleService, StepResult, TimelineEntry, timeline_of
from desk_app.profile import Profile, ProfileService

FORMS: tuple[str, ...] = ("01", "02", "03", "04", "05", "06")
RegisterFormat = Literal["pdf", "xlsx"]

UNIT_NAME = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
# The desk as a line of running text names it (the header prints UNIT_NAME).
DESK_NAME = "Bộ phận tiếp nhận và trả kết quả"

_RENDERERS: dict[str, Callable[[DossierFormData], bytes]] = {
    "02": form02.render_form02,
    "03": form03.render_form03,
    "04": form04.render_form04,
    "05": form05.render_form05,
    "06": form06.render_form06,
}

# What a form needs that the dossier may not have, in the words of its refusal.
_MISSING: dict[str, str] = {
    "02": "chưa có yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "03": "không bị từ chối tiếp nhận (Mẫu 03)",
    "04": "chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả (Mẫu 04)",
    "05": "chưa bị rút hoặc dừng giải quyết (Mẫu 05)",
    "06": "chưa có mã hồ sơ để lập phiếu kiểm soát (Mẫu 06)",
}

# The forms a visit that received nothing can have (guided: 02, refused: 03).
_AT_INTAKE = ("02", "03")

_CLASSIFICATIONS: dict[str, Classification] = {
    "early": "early",
    "on_time": "on_time",
    "late": "late",
}
_STOPS: dict[str, StopKind] = {"withdrawn": "withdrawn", "stopped": "stopped"}
# Who received the result, as the control sheet's last row names the citizen's side.
_RETURN_UNITS = {"desk": "Nhận tại Bộ phận Một cửa", "post": "Nhận qua bưu chính"}

# The register of one range is built in one read; beyond this many rows the officer is
# asked for a shorter range instead of a file nobody can print.
REGISTER_MAX_ROWS = 20_000


class UnknownFormError(InvalidInputError):
    """A form number the desk does not print."""

    default_code = "form.unknown"


class FormNotApplicableError(InvalidInputError):
    """The dossier has nothing this form prints (Form 04 without an extension, ...)."""

    default_code = "form.not_applicable"


class RegisterRangeError(InvalidInputError):
    """The register's date range is backwards or holds too many dossiers."""

    default_code = "register.range"


@dataclass(frozen=True)
class PrintedStep:
    """A step recorded with its form (``DossierFormsService.record_step``)."""

    step: StepResult
    #: the form's PDF, or ``None`` when it could not be printed (``error`` says why)
    pdf: bytes | None
    error: str | None = None


def agency_of(profile: Profile) -> Agency:
    return Agency(profile.parent_body, UNIT_NAME, profile.place_name)


class DossierFormsService:
    """Forms 01–06 of one dossier and the register of a date range, audited."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        profiles: ProfileService,
        intake: IntakeService,
        lifecycle: LifecycleService,
        directory: DirectoryService,
        outcomes: IntakeOutcomeService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._intake = intake
        self._lifecycle = lifecycle
        self._directory = directory
        self._outcomes = outcomes

    # -- one dossier

    def form_pdf(self, code: str, form: str, officer: Officer) -> bytes:
        """Form ``form`` ("01"–"06") of the dossier ``code`` as PDF bytes, audited as a
        print. Form 01 is the receipt as issued."""
        officer.require(Permission.PRINT)
        form = form.strip().zfill(2)
        if form not in FORMS:
            raise UnknownFormError(f"không có mẫu {form!r}: chọn một trong {', '.join(FORMS)}")
        if form == "01":
            return self._intake.receipt(code, officer, action="print")
        if form in _AT_INTAKE and not self._is_dossier(code):
            # A citizen guided or refused at intake has no dossier: the visit's id names it.
            pdf = self._render(form, self.visit_data(code), code)
            self._audit(officer, "print", code.strip(), f"form {form}", "intake_outcome")
            return pdf
        data = self.form_data(code)
        pdf = self._render(form, data, code)
        self._audit(officer, "print", data.code or code.strip(), f"form {form}")
        return pdf

    def record_step(
        self, code: str, action: str, officer: Officer, *, form: str, **details: Any
    ) -> PrintedStep:
        """Record ``action`` on the dossier (``LifecycleService.perform``) and print its
        form ``form`` ("02", "04", "05") in the same transaction: the step, the form's
        data read as the step leaves the dossier, and the print's audit entry commit
        together, in one durable commit.

        The step is recorded even when its form cannot be printed (a template the
        administrator broke, a role without printing): ``PrintedStep.error`` says why,
        and no print is audited. A failure of the database itself records nothing.
        """
        form = form.strip().zfill(2)
        printed: list[bytes] = []
        errors: list[str] = []

        def print_form(s: Session, step: StepResult) -> None:
            try:
                officer.require(Permission.PRINT)
                if form not in _RENDERERS:
                    raise UnknownFormError(f"không có mẫu {form!r} để in kèm thao tác")
                data = self._form_data(s, step.code)
                pdf = self._render(form, data, step.code)
            except StorageError:
                raise
            except DeskError as exc:
                errors.append(str(exc))
                return
            self._audit(officer, "print", step.code, f"form {form}", session=s)
            printed.append(pdf)

        step = self._lifecycle.perform(code, action, officer, then=print_form, **details)
        return PrintedStep(step, printed[0] if printed else None, errors[0] if errors else None)

    def form_data(self, code: str) -> DossierFormData:
        """The dossier ``code`` as Forms 02–06 print it (not audited: callers print)."""
        with self._db.read() as s:
            return self._form_data(s, code)

    def _form_data(self, s: Session, code: str) -> DossierFormData:
        profile = self._profiles.require()
        row = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
        if row is None:
            raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
        names = _officer_names(s)
        data = _dossier_data(row, profile, names, _local_now(self._clock))
        data = replace(data, head_name=_head_name(s))
        pauses = [Pause(p.started_at, p.ended_at, p.reason) for p in pauses_of(row)]
        timeline = timeline_of(s, row)
        # An officer recording a hand-over works in their directory entry's unit, else
        # at the desk.
        units: dict[str, str] = {}
        user_units: dict[str, str] = {}
        for entry in s.scalars(select(DirectoryEntry)):
            units[entry.entry_id] = entry.unit
            if entry.username and entry.unit:
                user_units[f"user:{entry.username}"] = entry.unit
        return _with_timeline(data, timeline, units | user_units, pauses)

    @staticmethod
    def _render(form: str, data: DossierFormData, ref: str) -> bytes:
        has_part = {
            "02": bool(data.supplement_requests),
            "03": bool(data.refusals),
            "04": bool(data.extensions),
            "05": bool(data.stops),
            "06": data.code is not None,
        }
        if not has_part[form]:
            raise FormNotApplicableError(f"hồ sơ {ref.strip()} {_MISSING[form]}")
        return _RENDERERS[form](data)

    def visit_data(self, visit_id: str) -> DossierFormData:
        """A visit guided to complete (Form 02) or refused (Form 03) at intake, by the
        id ``desk-app guide`` / ``refuse`` printed; nothing was received, so no code."""
        profile = self._profiles.require()
        view = self._outcomes.get(visit_id)
        data = DossierFormData(
            agency=agency_of(profile),
            code=None,
            applicant=Applicant(view.applicant_name, view.applicant_address, view.applicant_phone),
            procedure_code=view.procedure_code,
            procedure_name=view.procedure_name,
            request_text=view.procedure_name,
            received_at=None,
            due_at=None,
            original_due_at=None,
            duration_kind="none",
            duration_value=None,
            officer_name=view.officer_name,
            issued_at=view.at,
            contact=profile.result_place or DESK_NAME,
        )
        if view.kind == "guided":
            items = tuple(MissingItem(i.name, i.reason) for i in view.items)
            request = SupplementRequest(view.at, items, view.reason, at_intake=True)
            return replace(data, supplement_requests=(request,))
        return replace(data, refusals=(Refusal(view.at, view.reason),))

    def _is_dossier(self, code: str) -> bool:
        with self._db.read() as s:
            found = s.scalar(select(Dossier.uuid).where(Dossier.code == code.strip()))
        return found is not None

    # -- the register

    def register_data(self, start: dt.date, end: dt.date) -> RegisterData:
        """The register of dossiers received from ``start`` to ``end`` (inclusive), from
        the stored dossier columns, oldest first."""
        if end < start:
            raise RegisterRangeError("ngày kết thúc ở trước ngày bắt đầu")
        profile = self._profiles.require()
        low = dt.datetime.combine(start, dt.time())
        high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        query = (
            select(Dossier)
            .where(Dossier.received_at >= low, Dossier.received_at < high)
            .order_by(Dossier.received_at, Dossier.code)
            .limit(REGISTER_MAX_ROWS + 1)
        )
        with self._db.read() as s:
            names = _officer_names(s)
            dossiers = list(s.scalars(query))
            if len(dossiers) > REGISTER_MAX_ROWS:
                raise RegisterRangeError(
                    f"khoảng ngày có hơn {REGISTER_MAX_ROWS} hồ sơ; hãy chọn khoảng ngắn hơn"
                )
            sent = _first_hand_overs(s, low, high)
            rows = tuple(_register_row(d, names, sent.get(d.uuid)) for d in dossiers)
        return RegisterData(
            agency=agency_of(profile),
            start=start,
            end=end,
            issued_at=_local_now(self._clock),
            rows=rows,
        )

    def register(
        self, start: dt.date, end: dt.date, officer: Officer, fmt: RegisterFormat
    ) -> bytes:
        """The register as PDF (audited as a print) or XLSX (audited as an export)."""
        officer.require(Permission.PRINT)
        data = self.register_data(start, end)
        if fmt == "pdf":
            content = form07.render_register_pdf(data)
        else:
            content = form07.render_register_xlsx(data)
        action: audit.AuditAction = "print" if fmt == "pdf" else "export"
        span = f"{start.isoformat()}..{end.isoformat()}"
        self._audit(officer, action, span, f"register {fmt}, {len(data.rows)} dossiers", "register")
        return content

    def _audit(
        self,
        officer: Officer,
        action: audit.AuditAction,
        ref: str,
        detail: str,
        object_type: str = "dossier",
        *,
        session: Session | None = None,
    ) -> None:
        """The entry in ``session``'s transaction, or in a transaction of its own."""
        if session is None:
            with self._db.write() as s:
                self._audit(officer, action, ref, detail, object_type, session=s)
            return
        audit.record(
            session, at_utc=utc_naive(self._clock), username=officer.username, action=action,
            object_type=object_type, object_ref=ref, detail=detail,
        )  # fmt: skip


def _local_now(clock: Clock) -> dt.datetime:
    from desk_app.clock import local_now

    return local_now(clock).replace(microsecond=0)


def _officer_names(s: Session) -> dict[str, str]:
    return {u.username: u.full_name for u in s.scalars(select(User))}


def _head_name(s: Session) -> str:
    """Who signs for the agency (Forms 04, 05): the commune chair's account when the desk
    has exactly one; otherwise the name is written by hand under the signature."""
    chairs = list(s.scalars(select(User.full_name).where(User.role == "chair", User.active)))
    return chairs[0] if len(chairs) == 1 else ""


def _contact(address: str, phone: str) -> str:
    return "; ".join(part for part in (address.strip(), phone.strip()) if part)


def _first_hand_overs(s: Session, low: dt.datetime, high: dt.datetime) -> dict[str, dt.datetime]:
    """When each dossier received in ``[low, high)`` was first handed over (counted
    hand-overs only: an annulled one is not a hand-over), by dossier UUID."""
    events = list(
        s.scalars(
            select(Event)
            .join(Dossier, Event.dossier_uuid == Dossier.uuid)
            .where(Dossier.received_at >= low, Dossier.received_at < high)
        )
    )
    out = neutralized(events)
    first: dict[str, dt.datetime] = {}
    for event in events:
        if event.kind != event_schema.HandedOverV1.KIND or event.uuid in out:
            continue
        raw = event.payload.get("at")
        if event.dossier_uuid is None or not isinstance(raw, str):
            continue
        at = dt.datetime.fromisoformat(raw)
        known = first.get(event.dossier_uuid)
        if known is None or at < known:
            first[event.dossier_uuid] = at
    return first


def _register_row(d: Dossier, names: dict[str, str], sent_at: dt.datetime | None) -> RegisterRow:
    holder = d.holder or ""
    return RegisterRow(
        code=d.code,
        procedure_name=d.procedure_name,
        sets_count=d.sets_count,
        applicant_name=d.applicant_name,
        applicant_contact=_contact(d.applicant_address, d.applicant_phone),
        handling_unit=names.get(holder, holder),
        received_at=d.received_at,
        due_at=d.due_at,
        sent_at=sent_at,
        result_at=d.result_at,
        returned_at=d.returned_at,
        classification=_CLASSIFICATIONS.get(d.classification or ""),
        stopped=_STOPS.get(d.status),
    )


def _dossier_data(
    d: Dossier, profile: Profile, names: dict[str, str], now: dt.datetime
) -> DossierFormData:
    holder = d.holder or ""
    return DossierFormData(
        agency=agency_of(profile),
        code=d.code,
        applicant=Applicant(
            d.applicant_name, d.applicant_address, d.applicant_phone, d.applicant_email
        ),
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        request_text=d.request_text or d.procedure_name,
        received_at=d.received_at,
        due_at=d.due_at,
        original_due_at=d.original_due_at or d.due_at,
        duration_kind=d.duration_kind,
        duration_value=d.duration_value,
        officer_name=d.received_by_name,
        issued_at=now,
        contact=profile.result_place or DESK_NAME,
        handling_unit=names.get(holder, holder),
        classification=_CLASSIFICATIONS.get(d.classification or ""),
    )


def _step_result(at: dt.datetime, due: dt.datetime | None) -> Classification | None:
    """A step against the appointment in force then, by calendar day (as the dossier's
    classification): before the due day early, on it on time, after it late."""
    if due is None:
        return None
    if at.date() < due.date():
        return "early"
    return "on_time" if at.date() == due.date() else "late"


def _with_timeline(
    data: DossierFormData,
    timeline: list[TimelineEntry],
    units: dict[str, str],
    pauses: list[Pause],
) -> DossierFormData:
    """``data`` with the hand-overs, pauses, requests, extensions and stops of the
    dossier's counted steps (applied, not annulled), oldest first.

    A hand-over's giver is the officer who recorded it (as the event says), in their
    directory unit or else at the desk. Each hand-over's result compares its day with
    the appointment in force before any extension (``original_due_at`` as the receipt
    or the last supplement set it).
    """
    handovers: list[HandOver] = []
    requests: list[SupplementRequest] = []
    extensions: list[Extension] = []
    stops: list[Stop] = []
    due = data.original_due_at if not timeline else None
    for entry in timeline:
        if not entry.applied or entry.annulled:
            continue
        try:
            payload = event_schema.parse(entry.kind, entry.version, entry.payload)
        except (event_schema.PayloadError, event_schema.UnknownEventError):
            continue
        match payload:
            case event_schema.DossierReceivedV1():
                due = payload.due_at
            case event_schema.SupplementReceivedV1():
                due = payload.original_due_at
            case event_schema.HandedOverV1():
                receiver_unit = units.get(payload.receiver_id, "")
                handovers.append(
                    HandOver(
                        giver=payload.giver_name or payload.giver,
                        given_at=payload.at,
                        receiver=payload.receiver_name,
                        received_at=payload.at,
                        giver_unit=units.get(f"user:{payload.giver}", DESK_NAME),
                        receiver_unit=receiver_unit,
                        result=_step_result(payload.at, due),
                        note=payload.note,
                    )
                )
            case event_schema.ReturnedV1():
                handovers.append(
                    HandOver(
                        giver=payload.by_name or payload.by,
                        given_at=payload.at,
                        receiver=data.applicant.name,
                        received_at=payload.at,
                        giver_unit=DESK_NAME,
                        receiver_unit=_RETURN_UNITS.get(payload.method, ""),
                        result=data.classification,
                        note=payload.comment,
                    )
                )
            case event_schema.SupplementRequestedV1():
                items = tuple(MissingItem(i.name, i.reason) for i in payload.items)
                requests.append(SupplementRequest(payload.at, items, payload.reason))
            case event_schema.ExtendedV1():
                extensions.append(
                    Extension(payload.at, payload.reason, payload.previous_due_at, payload.due_at)
                )
            case event_schema.WithdrawnV1():
                stops.append(Stop(payload.at, "withdrawn", payload.reason))
            case event_schema.StoppedV1():
                stops.append(Stop(payload.at, "stopped", payload.reason))
            case _:
                pass
    return replace(
        data,
        handovers=tuple(handovers),
        pauses=tuple(pauses),
        supplement_requests=tuple(requests),
        extensions=tuple(extensions),
        stops=tuple(stops),
    )
