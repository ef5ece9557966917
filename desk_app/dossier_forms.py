"""Printing a stored dossier's forms (01–06) and the tracking register (07).

The forms package prints plain data; this service builds that data from the dossier's
stored row and its timeline (hand-overs, requests to complete, extensions, stops), and
records every print or export in the audit log. Form 01 is the receipt exactly as
issued (``IntakeService.receipt``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from sqlalchemy import select

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import Dossier, User
from desk_app.errors import DossierNotFoundError, InvalidInputError
from desk_app.forms import form02, form03, form04, form05, form06, form07
from desk_app.forms.blocks import Agency
from desk_app.forms.data import (
    Applicant,
    Classification,
    DossierFormData,
    RegisterData,
    RegisterRow,
    StopKind,
)
from desk_app.intake import IntakeService
from desk_app.lifecycle import LifecycleService, TimelineEntry
from desk_app.profile import Profile, ProfileService

FORMS: tuple[str, ...] = ("01", "02", "03", "04", "05", "06")
RegisterFormat = Literal["pdf", "xlsx"]

UNIT_NAME = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"

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

_CLASSIFICATIONS: dict[str, Classification] = {
    "early": "early",
    "on_time": "on_time",
    "late": "late",
}
_STOPS: dict[str, StopKind] = {"withdrawn": "withdrawn", "stopped": "stopped"}

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
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._intake = intake
        self._lifecycle = lifecycle

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
        data = self.form_data(code)
        try:
            pdf = _RENDERERS[form](data)
        except ValueError as exc:
            raise FormNotApplicableError(
                f"hồ sơ {data.code or code.strip()} {_MISSING[form]}"
            ) from exc
        self._audit(officer, "print", data.code or code.strip(), f"form {form}")
        return pdf

    def form_data(self, code: str) -> DossierFormData:
        """The dossier ``code`` as Forms 02–06 print it (not audited: callers print)."""
        profile = self._profiles.require()
        with self._db.read() as s:
            row = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if row is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            names = _officer_names(s)
            data = _dossier_data(row, profile, names, _local_now(self._clock))
        timeline = self._lifecycle.timeline(data.code or code)
        return _with_timeline(data, timeline, names)

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
            rows = tuple(_register_row(d, names) for d in dossiers)
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
    ) -> None:
        with self._db.write() as s:
            audit.record(
                s, at_utc=utc_naive(self._clock), username=officer.username, action=action,
                object_type=object_type, object_ref=ref, detail=detail,
            )  # fmt: skip


def _local_now(clock: Clock) -> dt.datetime:
    from desk_app.clock import local_now

    return local_now(clock).replace(microsecond=0)


def _officer_names(s: object) -> dict[str, str]:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    return {u.username: u.full_name for u in s.scalars(select(User))}


def _contact(address: str, phone: str) -> str:
    return "; ".join(part for part in (address.strip(), phone.strip()) if part)


def _register_row(d: Dossier, names: dict[str, str]) -> RegisterRow:
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
        contact=profile.result_place or f"Bộ phận Một cửa, {profile.parent_body}",
        handling_unit=names.get(holder, holder),
        classification=_CLASSIFICATIONS.get(d.classification or ""),
    )


def _with_timeline(
    data: DossierFormData, timeline: list[TimelineEntry], names: dict[str, str]
) -> DossierFormData:
    """``data`` with the hand-overs, pauses, requests, extensions and stops of the
    dossier's applied events."""
    return data
