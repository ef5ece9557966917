"""Intake that receives nothing (tiếp nhận không thành): the citizen is **guided** to
complete the dossier (Form 02 at the desk: what to add and why; nothing received, no
clock) or the dossier is **refused** (Form 03, with the specific reason).

Neither is a dossier: no code, no register line, no appointment. Each is an
``intake.guided`` / ``intake.refused`` event that syncs, kept in ``intake_outcomes``
on every desk, so reports count them apart from received dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.catalogue import CatalogueService
from desk_app.cccd import check_cccd, mask_cccd
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import IntakeOutcome
from desk_app.dossiers import record_shared
from desk_app.errors import InvalidInputError, NotFoundError
from desk_app.profile import ProfileService
from desk_app.text import is_safe_text, normalize_name
from event_schema import IntakeGuidedV1, IntakeRefusedV1, MissingItem


class IntakeOutcomeError(InvalidInputError):
    """A guided or refused visit cannot be recorded as given; the message says why."""

    default_code = "intake_outcome.invalid"


@dataclass(frozen=True)
class Visitor:
    """Who came, for what (what Forms 02 and 03 name)."""

    procedure_code: str
    applicant_name: str
    applicant_cccd: str = ""
    applicant_phone: str = ""
    applicant_address: str = ""


@dataclass(frozen=True)
class OutcomeView:
    uuid: str
    kind: str  # "guided" | "refused"
    at: dt.datetime
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_cccd: str | None
    applicant_phone: str
    applicant_address: str
    reason: str
    items: tuple[MissingItem, ...]
    officer: str
    officer_name: str

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "kind": self.kind,
            "at": self.at.isoformat(timespec="seconds"),
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant": {"name": self.applicant_name, "cccd": mask_cccd(self.applicant_cccd)},
            "reason": self.reason,
            "items": [i.dump() for i in self.items],
            "officer": self.officer,
        }


def _view(row: IntakeOutcome) -> OutcomeView:
    return OutcomeView(
        uuid=row.uuid, kind=row.kind, at=row.at, procedure_code=row.procedure_code,
        procedure_name=row.procedure_name, applicant_name=row.applicant_name,
        applicant_cccd=row.applicant_cccd, applicant_phone=row.applicant_phone,
        applicant_address=row.applicant_address, reason=row.reason,
        items=tuple(MissingItem(i["name"], i.get("reason", "")) for i in row.items),
        officer=row.officer, officer_name=row.officer_name,
    )  # fmt: skip


def _text(value: str, what: str, *, required: bool, max_len: int) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise IntakeOutcomeError(f"cần ghi {what}")
    if len(text) > max_len or not is_safe_text(text):
        raise IntakeOutcomeError(f"{what} quá dài hoặc có ký tự điều khiển")
    return text


class IntakeOutcomeService:
    """Records guided and refused visits and lists them."""

    def __init__(
        self, db: Database, clock: Clock, profiles: ProfileService, catalogue: CatalogueService
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._catalogue = catalogue

    def guide(
        self,
        visitor: Visitor,
        officer: Officer,
        *,
        items: Sequence[MissingItem],
        note: str = "",
    ) -> OutcomeView:
        """The citizen is guided to complete the dossier (Form 02): ``items`` missing."""
        if not items:
            raise IntakeOutcomeError("ghi ít nhất một giấy tờ còn thiếu")
        cleaned = tuple(
            MissingItem(
                _text(i.name, "tên giấy tờ còn thiếu", required=True, max_len=1000),
                _text(i.reason, "lý do", required=False, max_len=1000),
            )
            for i in items
        )
        reason = _text(note, "ghi chú", required=False, max_len=2000)
        return self._save("guided", visitor, officer, reason, cleaned)

    def refuse(self, visitor: Visitor, officer: Officer, *, reason: str) -> OutcomeView:
        """The dossier is refused at intake (Form 03) for ``reason``."""
        reason = _text(reason, "lý do từ chối", required=True, max_len=2000)
        return self._save("refused", visitor, officer, reason, ())

    def get(self, uuid: str) -> OutcomeView:
        with self._db.read() as s:
            row = s.get(IntakeOutcome, uuid.strip())
            if row is None:
                raise NotFoundError(
                    "không có lượt hướng dẫn/từ chối này", code="intake_outcome.not_found"
                )
            return _view(row)

    def list(
        self, start: dt.date | None = None, end: dt.date | None = None, kind: str | None = None
    ) -> list[OutcomeView]:
        """Guided and refused visits between ``start`` and ``end`` (inclusive), oldest first."""
        q = select(IntakeOutcome).order_by(IntakeOutcome.at, IntakeOutcome.uuid)
        if start is not None:
            q = q.where(IntakeOutcome.at >= dt.datetime.combine(start, dt.time()))
        if end is not None:
            q = q.where(
                IntakeOutcome.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
            )
        if kind is not None:
            q = q.where(IntakeOutcome.kind == kind)
        with self._db.read() as s:
            return [_view(r) for r in s.scalars(q)]

    def _save(
        self,
        kind: str,
        visitor: Visitor,
        officer: Officer,
        reason: str,
        items: tuple[MissingItem, ...],
    ) -> OutcomeView:
        officer.require(Permission.RECEIVE)
        profile = self._profiles.require()
        now_local = local_now(self._clock).replace(microsecond=0)
        now_utc = utc_naive(self._clock)
        procedure = self._catalogue.find(visitor.procedure_code, now_local.date())
        if procedure is None:
            raise IntakeOutcomeError(
                f"không có thủ tục mã {visitor.procedure_code.strip()[:32]!r} trong danh mục"
            )
        name = normalize_name(
            _text(visitor.applicant_name, "họ và tên", required=True, max_len=100)
        )
        cccd = visitor.applicant_cccd.strip()
        if cccd and check_cccd(cccd).error:
            raise IntakeOutcomeError(str(check_cccd(cccd).error))
        common: dict[str, Any] = {
            "at": now_local,
            "procedure_code": procedure.code,
            "procedure_name": procedure.name,
            "applicant_name": name,
            "applicant_cccd": cccd or None,
            "applicant_phone": "".join(c for c in visitor.applicant_phone if c.isdigit())[:20],
            "applicant_address": _text(
                visitor.applicant_address, "địa chỉ", required=False, max_len=300
            ),
            "officer": officer.username,
            "officer_name": officer.full_name,
            "reason": reason,
        }
        payload: IntakeGuidedV1 | IntakeRefusedV1 = (
            IntakeGuidedV1(**common, items=items) if kind == "guided" else IntakeRefusedV1(**common)
        )
        with self._db.write() as s:
            event = record_shared(
                s,
                payload,
                actor=officer.username,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now_utc,
            )
            audit.record(
                s, at_utc=now_utc, username=officer.username, action="create",
                object_type=f"intake_{kind}", object_ref=event.uuid,
                detail=f"{procedure.code}; CCCD {mask_cccd(cccd or None)}",
            )  # fmt: skip
            s.flush()
            row = s.get(IntakeOutcome, event.uuid)
            assert row is not None
            return _view(row)
