"""Dossier events, version 1: what ``dossier.received`` and ``dossier.status_changed``
carry today.

Version 1 of ``dossier.received`` is the dossier's snapshot as the desk took it at
intake. Demo data writes a shorter snapshot (``"demo": true`` and a few fields), and so
every field but the code and the receipt time has the default the desks have always
applied when it is missing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import Reader

# Every status a dossier can have (the transitions between them are the desk's rule).
STATUSES = (
    "received", "in_progress", "waiting_supplement", "extended", "stopped", "withdrawn",
    "result_ready", "returned", "refused",
)  # fmt: skip
CHANNELS = ("in_person", "postal", "online")
DOCUMENT_KINDS = ("original", "copy", "certified_copy")
DURATION_KINDS = ("working_days", "same_day", "working_hours", "calendar_days", "none")

_ID_NUMBER = re.compile(r"\d{9,12}")
_PHONE = re.compile(r"[0-9+]{0,20}")
_PIN = re.compile(r"[0-9A-Za-z]{0,12}")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class DocumentLine:
    """One document of the dossier's checklist (thành phần hồ sơ)."""

    name: str
    kind: str
    count: int

    @classmethod
    def read(cls, r: Reader) -> DocumentLine:
        line = cls(
            # Catalogue checklists are not held to the intake form's 300 characters.
            name=r.text("name", max_len=1000, min_len=1),
            kind=r.choice("kind", DOCUMENT_KINDS),
            count=r.integer("count", low=1, high=99),
        )
        r.finish()
        return line

    def dump(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "count": self.count}


@dataclass(frozen=True)
class DossierReceivedV1:
    """``dossier.received`` v1: the dossier as received (tiếp nhận), for every desk."""

    KIND: ClassVar[str] = "dossier.received"
    VERSION: ClassVar[int] = 1

    code: str
    received_at: dt.datetime
    code_seq: int | None = None
    lookup_pin: str = ""
    procedure_code: str = ""
    procedure_name: str = ""
    status: str = "received"
    channel: str = "in_person"
    applicant_name: str = ""
    applicant_cccd: str | None = None
    applicant_dob: dt.date | None = None
    applicant_phone: str = ""
    applicant_address: str = ""
    applicant_email: str | None = None
    representative_name: str | None = None
    representative_cccd: str | None = None
    representative_phone: str | None = None
    request_text: str = ""
    documents: tuple[DocumentLine, ...] = ()
    sets_count: int = 1
    notes: str = ""
    duration_kind: str = "none"
    duration_value: int | None = None
    due_at: dt.datetime | None = None
    received_by: str | None = None
    received_by_name: str | None = None
    register_line: int | None = None
    demo: bool = False

    @classmethod
    def parse(cls, data: object) -> DossierReceivedV1:
        r = Reader(data)
        payload = cls(
            code=r.text("code", max_len=64, min_len=1),
            code_seq=r.optional_integer("code_seq", low=1, high=999_999),
            lookup_pin=r.text("lookup_pin", max_len=12, default="", pattern=_PIN),
            procedure_code=r.text("procedure_code", max_len=32, default=""),
            procedure_name=r.text("procedure_name", max_len=1000, default=""),
            status=r.choice("status", STATUSES, default="received"),
            channel=r.choice("channel", CHANNELS, default="in_person"),
            applicant_name=r.text("applicant_name", max_len=200, default=""),
            applicant_cccd=r.optional_text("applicant_cccd", max_len=12, pattern=_ID_NUMBER),
            applicant_dob=r.optional_date("applicant_dob"),
            applicant_phone=r.text("applicant_phone", max_len=20, default="", pattern=_PHONE),
            applicant_address=r.text("applicant_address", max_len=300, default=""),
            applicant_email=r.optional_text("applicant_email", max_len=200),
            representative_name=r.optional_text("representative_name", max_len=200),
            representative_cccd=r.optional_text(
                "representative_cccd", max_len=12, pattern=_ID_NUMBER
            ),
            representative_phone=r.optional_text(
                "representative_phone", max_len=20, pattern=_PHONE
            ),
            request_text=r.text("request_text", max_len=1000, default=""),
            documents=tuple(DocumentLine.read(d) for d in r.objects("documents", max_items=50)),
            sets_count=r.integer("sets_count", low=1, high=20, default=1),
            notes=r.text("notes", max_len=2000, default="", multiline=True),
            duration_kind=r.choice("duration_kind", DURATION_KINDS, default="none"),
            duration_value=r.optional_integer("duration_value", low=0, high=10_000),
            received_at=r.local_datetime("received_at"),
            due_at=r.optional_local_datetime("due_at"),
            received_by=r.optional_text("received_by", max_len=64),
            received_by_name=r.optional_text("received_by_name", max_len=200),
            register_line=r.optional_integer("register_line", low=1, high=10_000_000),
            demo=r.flag("demo", default=False),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "code_seq": self.code_seq,
            "lookup_pin": self.lookup_pin,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "status": self.status,
            "channel": self.channel,
            "applicant_name": self.applicant_name,
            "applicant_cccd": self.applicant_cccd,
            "applicant_dob": self.applicant_dob.isoformat() if self.applicant_dob else None,
            "applicant_phone": self.applicant_phone,
            "applicant_address": self.applicant_address,
            "applicant_email": self.applicant_email,
            "representative_name": self.representative_name,
            "representative_cccd": self.representative_cccd,
            "representative_phone": self.representative_phone,
            "request_text": self.request_text,
            "documents": [d.dump() for d in self.documents],
            "sets_count": self.sets_count,
            "notes": self.notes,
            "duration_kind": self.duration_kind,
            "duration_value": self.duration_value,
            "received_at": self.received_at.isoformat(),
            "due_at": _iso(self.due_at),
            "received_by": self.received_by,
            "received_by_name": self.received_by_name,
            "register_line": self.register_line,
        }
        if self.demo:
            data["demo"] = True
        return data


@dataclass(frozen=True)
class DossierStatusChangedV1:
    """``dossier.status_changed`` v1: an officer moved the dossier to another status."""

    KIND: ClassVar[str] = "dossier.status_changed"
    VERSION: ClassVar[int] = 1

    from_status: str
    to_status: str
    at: dt.datetime
    note: str = ""

    @classmethod
    def parse(cls, data: object) -> DossierStatusChangedV1:
        r = Reader(data)
        payload = cls(
            from_status=r.choice("from", STATUSES),
            to_status=r.choice("to", STATUSES),
            note=r.text("note", max_len=2000, default="", multiline=True),
            at=r.local_datetime("at"),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "from": self.from_status,
            "to": self.to_status,
            "note": self.note,
            "at": self.at.isoformat(),
        }
