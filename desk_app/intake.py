"""Receiving a dossier (tiếp nhận hồ sơ): validation, the code, the record and the receipt.

``IntakeService.receive`` does everything in ONE database transaction: the next code of
the day, the register line, the dossier row, its ``dossier.received`` event, the receipt
PDF as issued, and the audit entry. A crash anywhere leaves the whole dossier or none of
it — never a code without a dossier, or a dossier without its event.

Validation (``validate``) is pure and returns every fault at once with a field path
(``applicant.cccd``) and a Vietnamese message, so the intake screen can show each beside
its field and the JSON import can name the field at fault.

The checklist (thành phần hồ sơ): each document the procedure lists is required unless
its wording makes it conditional ("Trường hợp…", "… trong trường hợp …", "(nếu có)");
``checklist`` says which. A request that lists its received documents and leaves out a
required one is not received: ``validate`` names what is missing, and the desk issues
Form 02 (request to complete) or Form 03 (refusal) instead of a receipt. A request that
lists no documents at all (``documents=None``, as the JSON import has always allowed)
counts every document of the procedure as received.

The same CCCD with the same procedure received in the last ``DUPLICATE_WINDOW_DAYS``
days is a warning naming the earlier dossier (``recent_same``), never a block.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.calendar import WorkingCalendar
from desk_app.catalogue import CatalogueService, ProcedureInfo
from desk_app.cccd import check_cccd, mask_cccd
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import Dossier, DossierCodeCounter, IntakeDraft, RegisterCounter
from desk_app.db.models import Receipt as ReceiptRow
from desk_app.dossier_code import CodePattern
from desk_app.dossiers import record
from desk_app.errors import DossierNotFoundError, InvalidInputError
from desk_app.forms.form01 import ReceiptData, ReceiptDocument, render_receipt_pdf
from desk_app.ids import lookup_pin, uuid7
from desk_app.intake_hold import require_intake_open
from desk_app.profile import Profile, ProfileService
from desk_app.text import UNSAFE_TEXT_MESSAGE, fold, is_safe_text, normalize_name
from desk_app.vocabulary import DESK_CHANNELS, DOCUMENT_KINDS
from event_schema import DocumentLine, DossierReceivedV1

_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)+$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")
#: how far back an earlier dossier of the same citizen and procedure is pointed out
DUPLICATE_WINDOW_DAYS = 30
# Catalogue wordings that make a document conditional (folded: no marks, đ → d).
_CONDITIONAL_STARTS = ("truong hop", "trong truong hop", "neu ", "doi voi truong hop")
_CONDITIONAL_INSIDE = (" trong truong hop ", "(neu co", "neu co)", "dien tu tuong tac")
# Statuses of requests that were never received (nothing to be duplicated).
_NOT_RECEIVED = ("refused", "guided")


def _text_fields(request: IntakeRequest) -> list[tuple[str, str]]:
    """Every free-text field with its path; line breaks count as control except in notes."""
    a, r = request.applicant, request.representative
    fields = [
        ("applicant.name", a.name), ("applicant.cccd", a.cccd), ("applicant.phone", a.phone),
        ("applicant.address", a.address), ("applicant.email", a.email or ""),
        ("procedure_code", request.procedure_code),
    ]  # fmt: skip
    if r is not None:
        fields += [("representative.name", r.name), ("representative.cccd", r.cccd),
                   ("representative.phone", r.phone)]  # fmt: skip
    fields += [(f"documents[{i}].name", d.name) for i, d in enumerate(request.documents or ())]
    checked = [(p, _LINE_BREAKS.sub("\x01", v)) for p, v in fields]
    return [*checked, ("notes", request.notes)]


# ------------------------------------------------------------------ input


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    cccd: str
    date_of_birth: dt.date | None = None
    phone: str = ""
    address: str = ""
    email: str | None = None


@dataclass(frozen=True)
class RepresentativeInput:
    name: str
    cccd: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DocumentInput:
    name: str
    kind: str
    count: int = 1


@dataclass(frozen=True)
class IntakeRequest:
    """What the officer entered. ``documents=None`` means the procedure's own checklist."""

    procedure_code: str
    applicant: ApplicantInput
    representative: RepresentativeInput | None = None
    channel: str = "in_person"
    documents: tuple[DocumentInput, ...] | None = None
    sets_count: int = 1
    notes: str = ""
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(frozen=True)
class FieldWarning:
    field: str
    message: str


class IntakeValidationError(InvalidInputError):
    """Every fault of a request at once, each with its field path (``errors``)."""

    default_code = "intake.invalid"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        # Which request of a batch (``receive_all``), when there is one.
        self.index: int | None = None
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class Validation:
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_field(self, name: str) -> str | None:
        return next((e.message for e in self.errors if e.field == name), None)


def normalize_phone(text: str) -> str:
    """``+84 912.345.678`` → ``0912345678``."""
    digits = _PHONE_SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _check_phone(value: str, path: str, errors: list[FieldError], required: bool) -> None:
    phone = normalize_phone(value)
    if not phone:
        if required:
            errors.append(FieldError(path, "Nhập số điện thoại để báo khi có kết quả."))
        return
    if not re.fullmatch(r"0\d{9,10}", phone):
        errors.append(FieldError(path, "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84)."))


def _check_name(value: str, path: str, errors: list[FieldError]) -> None:
    name = unicodedata.normalize("NFC", " ".join(value.split()))
    if not name:
        errors.append(FieldError(path, "Nhập họ và tên."))
    elif len(name) > 100:
        errors.append(FieldError(path, "Họ và tên quá dài (tối đa 100 ký tự)."))
    elif not _NAME_RE.match(name):
        errors.append(FieldError(path, "Họ và tên gồm ít nhất hai chữ, không có chữ số."))


def validate(
    request: IntakeRequest,
    procedure: ProcedureInfo | None,
    now_local: dt.datetime,
) -> Validation:
    """Every fault of ``request`` at once; ``procedure`` is the catalogue entry it names."""
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    if not request.procedure_code.strip():
        errors.append(FieldError("procedure_code", "Chọn thủ tục hành chính."))
    elif procedure is None:
        errors.append(
            FieldError(
                "procedure_code",
                f"Không có thủ tục mã {request.procedure_code.strip()!r} "
                "trong danh mục đang áp dụng.",
            )
        )

    a = request.applicant
    _check_name(a.name, "applicant.name", errors)
    dob = a.date_of_birth
    if dob is not None:
        if dob > now_local.date():
            errors.append(FieldError("applicant.date_of_birth", "Ngày sinh không thể sau hôm nay."))
            dob = None
        elif dob.year < 1900:
            errors.append(FieldError("applicant.date_of_birth", "Ngày sinh không hợp lệ."))
            dob = None
    if not a.cccd.strip():
        errors.append(FieldError("applicant.cccd", "Nhập số CCCD của người nộp hồ sơ."))
    else:
        check = check_cccd(a.cccd, dob)
        if check.error:
            errors.append(FieldError("applicant.cccd", check.error))
        warnings.extend(FieldWarning("applicant.cccd", w) for w in check.warnings)
    _check_phone(a.phone, "applicant.phone", errors, required=False)
    if not " ".join(a.address.split()):
        errors.append(FieldError("applicant.address", "Nhập địa chỉ của người nộp hồ sơ."))
    elif len(a.address) > 300:
        errors.append(FieldError("applicant.address", "Địa chỉ quá dài (tối đa 300 ký tự)."))
    if a.email and a.email.strip() and not _EMAIL_RE.match(a.email.strip()):
        errors.append(FieldError("applicant.email", "Địa chỉ email không đúng dạng ten@mien.vn."))

    r = request.representative
    if r is not None:
        _check_name(r.name, "representative.name", errors)
        if r.cccd.strip():
            check = check_cccd(r.cccd)
            if check.error:
                errors.append(FieldError("representative.cccd", check.error))
        _check_phone(r.phone, "representative.phone", errors, required=False)

    if request.channel not in DESK_CHANNELS:
        errors.append(
            FieldError("channel", "Hình thức nộp là trực tiếp, qua bưu chính hoặc trực tuyến.")
        )
    if not 1 <= request.sets_count <= 20:
        errors.append(FieldError("sets_count", "Số bộ hồ sơ từ 1 đến 20."))
    if len(request.notes) > 2000:
        errors.append(FieldError("notes", "Ghi chú quá dài (tối đa 2000 ký tự)."))
    documents = request.documents
    if documents is not None:
        if not documents and (procedure is None or not missing_required(procedure, ())):
            errors.append(FieldError("documents", "Hồ sơ phải có ít nhất một giấy tờ."))
        for i, d in enumerate(documents):
            if not d.name.strip():
                errors.append(FieldError(f"documents[{i}].name", "Nhập tên giấy tờ."))
            elif len(d.name.strip()) > 300:
                errors.append(
                    FieldError(f"documents[{i}].name", "Tên giấy tờ quá dài (tối đa 300 ký tự).")
                )
            if d.kind not in DOCUMENT_KINDS:
                errors.append(
                    FieldError(
                        f"documents[{i}].kind",
                        "Loại giấy tờ: bản chính, bản sao hoặc bản sao chứng thực.",
                    )
                )
            if not 1 <= d.count <= 99:
                errors.append(FieldError(f"documents[{i}].count", "Số lượng từ 1 đến 99."))
    if len(documents or ()) > 50:
        errors.append(FieldError("documents", "Tối đa 50 loại giấy tờ trong một hồ sơ."))
    line_faults = any(e.field.startswith("documents[") for e in errors)
    if documents is not None and procedure is not None and not line_faults:
        # judged once every line reads right: a nameless line names nothing
        missing = missing_required(procedure, documents)
        if missing:
            errors.append(FieldError("documents", missing_message(missing)))
    for path, value in _text_fields(request):
        # Tab and line breaks pass here; _text_fields has made them controls outside notes.
        if not is_safe_text(value, multiline=True):
            errors.append(FieldError(path, UNSAFE_TEXT_MESSAGE))
    if request.applicant.email and len(request.applicant.email.strip()) > 200:
        errors.append(FieldError("applicant.email", "Địa chỉ email quá dài (tối đa 200 ký tự)."))
    received_at = request.received_at
    if received_at is not None and received_at.tzinfo is not None:
        errors.append(FieldError("received_at", "Thời điểm tiếp nhận phải là giờ địa phương."))
    elif received_at is not None and received_at > now_local + dt.timedelta(minutes=5):
        errors.append(FieldError("received_at", "Thời điểm tiếp nhận không thể ở tương lai."))
    return Validation(tuple(errors), tuple(warnings))


# ------------------------------------------------------------------ checklist


@dataclass(frozen=True)
class ChecklistItem:
    """One document of the procedure's list, and whether the desk must have it."""

    name: str
    kind: str
    count: int
    required: bool


def is_conditional(name: str) -> bool:
    """Whether the catalogue's wording makes a document needed only in some cases."""
    folded = fold(name)
    return folded.startswith(_CONDITIONAL_STARTS) or any(
        part in f" {folded} " for part in _CONDITIONAL_INSIDE
    )


def checklist(procedure: ProcedureInfo) -> tuple[ChecklistItem, ...]:
    """The procedure's documents in catalogue order, each marked required or not."""
    return tuple(
        ChecklistItem(d.name, d.kind, d.count, not is_conditional(d.name))
        for d in procedure.documents
    )


def _matches(listed: str, item: str) -> bool:
    """A listed document names a checklist item: the same words, or the item's start
    (the catalogue's names run long and some are cut short with "…")."""
    a, b = fold(listed), fold(item)
    if not a:
        return False
    if a == b:
        return True
    cut = b.rstrip("…").rstrip(". ")
    return (len(a) >= 8 and b.startswith(a)) or (b.endswith("…") and a.startswith(cut))


def missing_required(
    procedure: ProcedureInfo, received: Sequence[DocumentInput] | None
) -> tuple[ChecklistItem, ...]:
    """The required documents not among ``received`` (``None``: all were received)."""
    if received is None:
        return ()
    return tuple(
        item
        for item in checklist(procedure)
        if item.required and not any(_matches(d.name, item.name) for d in received)
    )


def short_name(name: str, limit: int = 60) -> str:
    """A long catalogue name cut at a word for one-line messages."""
    text = " ".join(name.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:(") + "…"


def missing_message(missing: Sequence[ChecklistItem]) -> str:
    """One line naming what is missing (the intake screen and the JSON import say it)."""
    names = "; ".join(short_name(m.name) for m in missing)
    return (
        f"Còn thiếu {len(missing)} giấy tờ bắt buộc: {names} — không cấp giấy tiếp nhận: "
        "hướng dẫn bổ sung (Mẫu 02) hoặc từ chối tiếp nhận (Mẫu 03)."
    )


@dataclass(frozen=True)
class EarlierDossier:
    """A dossier of the same citizen and procedure received shortly before."""

    code: str
    received_at: dt.datetime
    status: str

    def warning(self) -> FieldWarning:
        return FieldWarning(
            "applicant.cccd",
            f"Đã có hồ sơ cùng thủ tục ngày {self.received_at:%d/%m/%Y}: {self.code}. Nộp trùng?",
        )


# ------------------------------------------------------------------ output


@dataclass(frozen=True)
class DossierView:
    """A stored dossier as screens, the CLI and the receipt need it (full CCCD inside:
    only for the dossier screen and the receipt; lists use ``cccd_masked``)."""

    uuid: str
    code: str
    lookup_pin: str
    status: str
    procedure_code: str
    procedure_name: str
    procedure_id: int | None
    channel: str
    applicant_name: str
    applicant_cccd: str | None
    applicant_dob: dt.date | None
    applicant_phone: str
    applicant_address: str
    applicant_email: str | None
    representative_name: str | None
    documents: tuple[DocumentInput, ...]
    sets_count: int
    notes: str
    duration_kind: str
    duration_value: int | None
    received_at: dt.datetime
    due_at: dt.datetime | None
    received_by: str
    received_by_name: str
    register_line: int | None
    returned_at: dt.datetime | None

    @property
    def cccd_masked(self) -> str:
        return mask_cccd(self.applicant_cccd)

    def to_json(self, *, full_cccd: bool = False) -> dict[str, Any]:
        return {
            "code": self.code,
            "uuid": self.uuid,
            "status": self.status,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "channel": self.channel,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "due_at": self.due_at.isoformat(timespec="seconds") if self.due_at else None,
            "applicant": {
                "name": self.applicant_name,
                "cccd": self.applicant_cccd if full_cccd else self.cccd_masked,
                "date_of_birth": self.applicant_dob.isoformat() if self.applicant_dob else None,
                "phone": self.applicant_phone,
                "address": self.applicant_address,
                "email": self.applicant_email,
            },
            "representative": {"name": self.representative_name}
            if self.representative_name
            else None,
            "documents": [
                {"name": d.name, "kind": d.kind, "count": d.count} for d in self.documents
            ],
            "sets_count": self.sets_count,
            "received_by": self.received_by_name,
            "register_line": self.register_line,
            "lookup_pin": self.lookup_pin,
        }


def _view(d: Dossier) -> DossierView:
    return DossierView(
        uuid=d.uuid, code=d.code, lookup_pin=d.lookup_pin, status=d.status,
        procedure_code=d.procedure_code, procedure_name=d.procedure_name,
        procedure_id=d.procedure_id, channel=d.channel, applicant_name=d.applicant_name,
        applicant_cccd=d.applicant_cccd, applicant_dob=d.applicant_dob,
        applicant_phone=d.applicant_phone, applicant_address=d.applicant_address,
        applicant_email=d.applicant_email, representative_name=d.representative_name,
        documents=tuple(DocumentInput(x["name"], x["kind"], int(x["count"])) for x in d.documents),
        sets_count=d.sets_count, notes=d.notes, duration_kind=d.duration_kind,
        duration_value=d.duration_value, received_at=d.received_at, due_at=d.due_at,
        received_by=d.received_by, received_by_name=d.received_by_name,
        register_line=d.register_line, returned_at=d.returned_at,
    )  # fmt: skip


@dataclass(frozen=True)
class IntakeResult:
    dossier: DossierView
    receipt_pdf: bytes
    warnings: tuple[FieldWarning, ...] = field(default=())


# ------------------------------------------------------------------ service


@dataclass(frozen=True)
class _Prepared:
    """A request validated, with its procedure, receipt time and due date."""

    request: IntakeRequest
    profile: Profile
    procedure: ProcedureInfo
    received: dt.datetime
    due: dt.datetime | None
    documents: tuple[DocumentInput, ...]
    warnings: tuple[FieldWarning, ...]


class IntakeService:
    """Receives dossiers and serves them back (show, list, receipts)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        profiles: ProfileService,
        catalogue: CatalogueService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._catalogue = catalogue

    # -- preview, for the live due date on the intake screen

    def procedures(self, day: dt.date | None = None) -> list[ProcedureInfo]:
        return self._catalogue.in_force(day or local_now(self._clock).date())

    def preview_due(
        self, procedure: ProcedureInfo, received_at: dt.datetime | None = None
    ) -> dt.datetime | None:
        calendar = self._profiles.calendar()
        return calendar.due_at(received_at or local_now(self._clock), procedure.duration)

    def check(self, request: IntakeRequest) -> Validation:
        now = local_now(self._clock)
        day = (request.received_at or now).date()
        return validate(request, self._catalogue.find(request.procedure_code, day), now)

    # -- receive

    def receive(self, request: IntakeRequest, officer: Officer) -> IntakeResult:
        """Validate and store the dossier with its event and its receipt, atomically."""
        officer.require(Permission.RECEIVE)
        profile = self._profiles.require()
        prepared = self._prepare(request, profile, self._profiles.calendar())
        with self._db.write() as s:
            return self._store(s, prepared, officer, issue_receipt=True)

    def receive_all(
        self,
        requests: Sequence[IntakeRequest],
        officer: Officer,
        after_each: Callable[[Session, int, IntakeResult], None] | None = None,
    ) -> list[IntakeResult]:
        """Receive every request in one transaction — all of them or none (a bulk
        import). Each is validated first (``IntakeValidationError`` names the first
        request at fault in ``index``); ``after_each(session, i, result)`` runs inside the
        transaction. No receipt is stored: it is rendered when first printed, as for
        dossiers received at another desk."""
        officer.require(Permission.RECEIVE)
        profile = self._profiles.require()
        calendar = self._profiles.calendar()
        prepared = []
        for i, request in enumerate(requests):
            try:
                prepared.append(self._prepare(request, profile, calendar))
            except IntakeValidationError as exc:
                exc.index = i
                raise
        results = []
        with self._db.write() as s:
            for i, item in enumerate(prepared):
                result = self._store(s, item, officer, issue_receipt=False)
                if after_each is not None:
                    after_each(s, i, result)
                results.append(result)
        return results

    def _prepare(
        self, request: IntakeRequest, profile: Profile, calendar: WorkingCalendar
    ) -> _Prepared:
        now_local = local_now(self._clock)
        received = (request.received_at or now_local).replace(microsecond=0)
        procedure = self._catalogue.find(request.procedure_code, received.date())
        result = validate(request, procedure, now_local)
        if not result.ok:
            raise IntakeValidationError(result.errors)
        assert procedure is not None
        due = calendar.due_at(received, procedure.duration)
        documents = (
            request.documents
            if request.documents is not None
            else tuple(DocumentInput(d.name, d.kind, d.count) for d in procedure.documents)
        )
        return _Prepared(request, profile, procedure, received, due, documents, result.warnings)

    def _store(
        self, s: Session, p: _Prepared, officer: Officer, *, issue_receipt: bool
    ) -> IntakeResult:
        request, profile, procedure, received, due, documents = (
            p.request,
            p.profile,
            p.procedure,
            p.received,
            p.due,
            p.documents,
        )
        now_utc = utc_naive(self._clock)
        pattern = CodePattern(profile.dossier_code_pattern)
        a = request.applicant
        rep = request.representative
        require_intake_open(s)  # a desk restored from a backup waits for its history
        seq = _next_counter(s, DossierCodeCounter, received.date(), profile.desk_number)
        code = pattern.format(profile.agency_code, received.date(), profile.desk_number, seq)
        line = _next_register_line(s, received.year, profile.desk_number)
        name = normalize_name(a.name)
        dossier = Dossier(
            uuid=uuid7(),
            code=code,
            lookup_pin=lookup_pin(),
            procedure_id=procedure.id,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            status="received",
            channel=request.channel,
            applicant_name=name,
            applicant_name_folded=fold(name),
            applicant_cccd=a.cccd.strip(),
            applicant_dob=a.date_of_birth,
            applicant_phone=normalize_phone(a.phone),
            applicant_address=" ".join(a.address.split()),
            applicant_email=(a.email or "").strip() or None,
            representative_name=normalize_name(rep.name) if rep else None,
            representative_cccd=(rep.cccd.strip() or None) if rep else None,
            representative_phone=(normalize_phone(rep.phone) or None) if rep else None,
            request_text=procedure.name,
            documents=[
                {"name": d.name.strip(), "kind": d.kind, "count": d.count} for d in documents
            ],
            sets_count=request.sets_count,
            notes=request.notes.strip(),
            duration_kind=procedure.duration.kind,
            duration_value=procedure.duration.value,
            received_at=received,
            due_at=due,
            received_by=officer.username,
            received_by_name=officer.full_name,
            origin_agency_code=profile.agency_code,
            origin_desk=profile.desk_number,
            register_line=line,
            returned_at=None,
            updated_at=received,
        )
        earlier = _recent_same(s, dossier.applicant_cccd, procedure.code, received)
        s.add(dossier)
        record(
            s,
            received_payload(dossier, code_seq=seq),
            actor=officer.username,
            agency_code=profile.agency_code,
            desk=profile.desk_number,
            occurred_at_utc=now_utc,
            dossier=dossier,
        )
        view = _view(dossier)
        pdf = b""
        if issue_receipt:
            pdf = render_receipt_pdf(receipt_data(view, profile, procedure.fee_text))
            _store_receipt(s, dossier.uuid, officer, now_utc, pdf)
        audit.record(
            s, at_utc=now_utc, username=officer.username, action="create",
            object_type="dossier", object_ref=code,
            detail=f"{procedure.code}; CCCD {mask_cccd(a.cccd.strip())}",
        )  # fmt: skip
        # e.g. the same citizen and procedure a few days ago: said, never a block
        return IntakeResult(view, pdf, p.warnings + tuple(e.warning() for e in earlier))

    def recent_same(
        self, cccd: str, procedure_code: str, at: dt.datetime | None = None
    ) -> list[EarlierDossier]:
        """Dossiers of this CCCD and procedure received in the ``DUPLICATE_WINDOW_DAYS``
        days before ``at`` (now by default), newest first: a warning, never a block."""
        moment = at or local_now(self._clock)
        with self._db.read() as s:
            return _recent_same(s, cccd.strip(), procedure_code.strip(), moment)

    # -- drafts: a half-filled form kept for its officer (logout, closing the window)

    def save_draft(self, officer: Officer, payload: dict[str, Any]) -> None:
        """Keep ``payload`` (the form as the screen gives it) as ``officer``'s one draft."""
        officer.require(Permission.RECEIVE)
        now_utc = utc_naive(self._clock)
        with self._db.write() as s:
            row = s.get(IntakeDraft, officer.username)
            if row is None:
                s.add(IntakeDraft(username=officer.username, payload=payload, saved_at=now_utc))
            else:
                row.payload, row.saved_at = payload, now_utc

    def take_draft(self, officer: Officer) -> dict[str, Any] | None:
        """``officer``'s kept draft, removed from storage (the form now holds it)."""
        with self._db.write() as s:
            row = s.get(IntakeDraft, officer.username)
            if row is None:
                return None
            payload = dict(row.payload)
            s.delete(row)
        return payload

    # -- read

    def get(self, code: str, officer: Officer) -> DossierView:
        """One dossier by code (audited as a view of personal data)."""
        view = self.find(code, officer)
        self.record_view(view.code, officer)
        return view

    def find(self, code: str, officer: Officer) -> DossierView:
        """One dossier by code, NOT audited: for a screen that shows it first and then
        records the view with ``record_view`` at once (its durable commit is not what the
        officer waits for). Anything else uses ``get``."""
        officer.require(Permission.VIEW)
        with self._db.read() as s:
            row = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if row is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            return _view(row)

    def record_view(self, code: str, officer: Officer) -> bool:
        """The audit entry of a view of the dossier ``code`` (see ``find``); False when
        the disk could not take it (``Database.write_audit`` told the loss)."""
        officer.require(Permission.VIEW)
        return self._audit(officer, "view", code)

    def list_received(
        self,
        officer: Officer,
        start: dt.date | None = None,
        end: dt.date | None = None,
        limit: int | None = None,
    ) -> list[DossierView]:
        """Dossiers received between ``start`` and ``end`` (inclusive), oldest first."""
        officer.require(Permission.VIEW)
        q = select(Dossier).order_by(Dossier.received_at, Dossier.code)
        if start is not None:
            q = q.where(Dossier.received_at >= dt.datetime.combine(start, dt.time()))
        if end is not None:
            q = q.where(
                Dossier.received_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
            )
        if limit is not None:
            q = q.limit(limit)
        with self._db.read() as s:
            rows = [_view(d) for d in s.scalars(q)]
        span = f"{start.isoformat() if start else '…'}..{end.isoformat() if end else '…'}"
        self._audit(officer, "view", span, f"list of {len(rows)} dossiers", "dossier_list")
        return rows

    def receipt(self, code: str, officer: Officer, *, action: str = "print") -> bytes:
        """The receipt exactly as issued (re-rendered only for dossiers that have none,
        such as demo data or dossiers received at another desk)."""
        officer.require(Permission.PRINT)
        profile = self._profiles.require()
        with self._db.read() as s:
            row = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if row is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            view = _view(row)
            pdf = s.scalar(
                select(ReceiptRow.pdf)
                .where(ReceiptRow.dossier_uuid == row.uuid)
                .order_by(ReceiptRow.id.desc())
                .limit(1)
            )
        if pdf is None:
            pdf = render_receipt_pdf(receipt_data(view, profile, self._fee(view)))
        self._audit(officer, "print" if action == "print" else "export", view.code, "receipt")
        return pdf

    def reissue_receipt(self, code: str, officer: Officer) -> bytes:
        """Form 01 again from the dossier as it is now (after a correction of the
        applicant's fields), stored as the newest receipt issued and audited as a print."""
        officer.require(Permission.PRINT)
        profile = self._profiles.require()
        now_utc = utc_naive(self._clock)
        with self._db.write() as s:
            row = s.scalar(select(Dossier).where(Dossier.code == code.strip()))
            if row is None:
                raise DossierNotFoundError(f"không có hồ sơ mã {code.strip()!r}")
            view = _view(row)
            pdf = render_receipt_pdf(receipt_data(view, profile, self._fee(view)))
            _store_receipt(s, row.uuid, officer, now_utc, pdf)
            audit.record(
                s, at_utc=now_utc, username=officer.username, action="print",
                object_type="dossier", object_ref=view.code, detail="receipt reissued",
            )  # fmt: skip
        return pdf

    def _fee(self, view: DossierView) -> str:
        """The fee line of the procedure the dossier was received under."""
        if view.procedure_id is None:
            return ""
        proc = self._catalogue.get(view.procedure_id)
        return proc.fee_text if proc else ""

    def _audit(
        self,
        officer: Officer,
        action: audit.AuditAction,
        ref: str,
        detail: str = "",
        object_type: str = "dossier",
    ) -> bool:
        # A read goes ahead where its entry cannot be written (read-only or full disk);
        # the loss is told to the person (Database.on_audit_lost).
        return self._db.write_audit(
            lambda s: audit.record(
                s, at_utc=utc_naive(self._clock), username=officer.username, action=action,
                object_type=object_type, object_ref=ref, detail=detail,
            )
        )  # fmt: skip


def _store_receipt(s: Any, uuid: str, officer: Officer, now_utc: dt.datetime, pdf: bytes) -> None:
    """Keep ``pdf`` as issued (the newest receipt of the dossier is the one reprinted)."""
    s.add(
        ReceiptRow(
            dossier_uuid=uuid,
            issued_at=now_utc,
            issued_by=officer.username,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=pdf,
        )
    )


def _recent_same(
    s: Any, cccd: str | None, procedure_code: str, at: dt.datetime
) -> list[EarlierDossier]:
    if not cccd or not procedure_code:
        return []
    since = at - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    rows = s.execute(
        select(Dossier.code, Dossier.received_at, Dossier.status)
        .where(
            Dossier.applicant_cccd == cccd,
            Dossier.procedure_code == procedure_code,
            Dossier.received_at >= since,
            Dossier.received_at <= at,
            Dossier.status.not_in(_NOT_RECEIVED),
        )
        .order_by(Dossier.received_at.desc())
        .limit(5)
    )
    return [EarlierDossier(code, received, status) for code, received, status in rows]


def _next_counter(s: Any, model: type[DossierCodeCounter], day: dt.date, desk: int) -> int:
    row = s.get(model, (day, desk))
    if row is None:
        row = model(day=day, desk_number=desk, last_seq=0)
        s.add(row)
    row.last_seq += 1
    return int(row.last_seq)


def _next_register_line(s: Any, year: int, desk: int) -> int:
    row = s.get(RegisterCounter, (year, desk))
    if row is None:
        row = RegisterCounter(year=year, desk_number=desk, last_line=0)
        s.add(row)
    row.last_line += 1
    return int(row.last_line)


def received_payload(d: Dossier, code_seq: int | None = None) -> DossierReceivedV1:
    """The dossier as the ``dossier.received`` event carries it to other desks.

    ``code_seq`` lets a desk restored from the server continue its own code sequence.
    """
    return DossierReceivedV1(
        code=d.code,
        code_seq=code_seq,
        lookup_pin=d.lookup_pin,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        status=d.status,
        channel=d.channel,
        applicant_name=d.applicant_name,
        applicant_cccd=d.applicant_cccd,
        applicant_dob=d.applicant_dob,
        applicant_phone=d.applicant_phone,
        applicant_address=d.applicant_address,
        applicant_email=d.applicant_email,
        representative_name=d.representative_name,
        representative_cccd=d.representative_cccd,
        representative_phone=d.representative_phone,
        request_text=d.request_text,
        documents=tuple(DocumentLine(x["name"], x["kind"], int(x["count"])) for x in d.documents),
        sets_count=d.sets_count,
        notes=d.notes,
        duration_kind=d.duration_kind,
        duration_value=d.duration_value,
        received_at=d.received_at,
        due_at=d.due_at,
        received_by=d.received_by,
        received_by_name=d.received_by_name,
        register_line=d.register_line,
    )


def dossier_snapshot(d: Dossier, code_seq: int | None = None) -> dict[str, Any]:
    """The ``dossier.received`` payload as stored and sent (JSON)."""
    return received_payload(d, code_seq).dump()


def receipt_data(view: DossierView, profile: Profile, fee_text: str) -> ReceiptData:
    return ReceiptData(
        code=view.code,
        lookup_pin=view.lookup_pin,
        parent_body=profile.parent_body,
        unit_name=profile.receipt_unit_name or "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        place_name=profile.place_name,
        applicant_name=view.applicant_name,
        applicant_address=view.applicant_address,
        applicant_phone=view.applicant_phone,
        applicant_email=view.applicant_email,
        applicant_cccd=view.applicant_cccd or "",
        representative_name=view.representative_name,
        procedure_code=view.procedure_code,
        procedure_name=view.procedure_name,
        request_text=view.notes or "giải quyết theo thành phần hồ sơ dưới đây",
        documents=tuple(ReceiptDocument(d.name, d.kind, d.count) for d in view.documents),
        sets_count=view.sets_count,
        duration_kind=view.duration_kind,
        duration_value=view.duration_value,
        received_at=view.received_at,
        due_at=view.due_at,
        result_place=profile.result_place or f"Bộ phận Một cửa, {profile.parent_body}",
        register_book=f"Sổ theo dõi hồ sơ năm {view.received_at.year}",
        register_line=view.register_line,
        officer_name=view.received_by_name,
        fee_text=fee_text,
        channel=view.channel,
        notes=profile.receipt_notes,
    )


__all__ = [
    "DUPLICATE_WINDOW_DAYS",
    "ApplicantInput",
    "ChecklistItem",
    "DocumentInput",
    "DossierNotFoundError",
    "DossierView",
    "EarlierDossier",
    "FieldError",
    "IntakeRequest",
    "IntakeResult",
    "IntakeService",
    "IntakeValidationError",
    "RepresentativeInput",
    "Validation",
    "checklist",
    "is_conditional",
    "missing_message",
    "missing_required",
    "replace",
    "short_name",
    "validate",
]  # fmt: skip
