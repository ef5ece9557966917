"""Lifecycle events, version 1: one kind per action an officer takes on a dossier after
its receipt, the two outcomes of an intake that receives nothing (guided, refused), and
the commune's shared data the actions need (the hand-over directory, commune settings).

Every dossier action carries ``at``: the time the step happened as the officer states it
(local wall-clock time; the envelope's ``occurred_at`` is when it was recorded). Every
action that sets a due date carries the date itself and the rule that produced it, so
desks with other settings, or a calendar corrected later, agree on what was recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import PayloadError, Reader

_UUID = re.compile(r"[0-9a-fA-F-]{8,36}")
_ID_NUMBER = re.compile(r"\d{9,12}")
_USERNAME = re.compile(r"[^\x00-\x1f\x7f]{1,64}")

RECEIVER_KINDS = ("officer", "unit")
# How a due date was set after a supplement: the statutory duration counted again from
# the supplement's receipt (the decree's reading, the default), or the old dates moved
# later by the working days spent waiting; ``none`` for a procedure without appointment.
SUPPLEMENT_DUE_RULES = ("restart", "shift", "none")
OUTCOMES = ("approved", "not_eligible")
RETURN_METHODS = ("desk", "post")
# The applicant fields an officer may correct after the receipt.
CORRECTABLE_FIELDS = (
    "applicant_name", "applicant_cccd", "applicant_dob", "applicant_phone",
    "applicant_address", "applicant_email", "representative_name",
    "representative_cccd", "representative_phone",
)  # fmt: skip
SETTING_KEYS = ("pause_rule", "max_extensions", "rating_scale", "warning_days")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _reason(r: Reader, *, required: bool) -> str:
    if required:
        return r.text("reason", max_len=2000, min_len=1, multiline=True)
    return r.text("reason", max_len=2000, default="", multiline=True)


# ------------------------------------------------------------------ dossier actions


@dataclass(frozen=True)
class HandedOverV1:
    """``dossier.handed_over`` v1: the file passed from ``giver`` to a receiver of the
    commune's hand-over directory (a specialist officer or a unit), with a note."""

    KIND: ClassVar[str] = "dossier.handed_over"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    giver: str
    giver_name: str
    receiver_id: str
    receiver_kind: str
    receiver_name: str
    note: str = ""

    @classmethod
    def parse(cls, data: object) -> HandedOverV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            giver=r.text("giver", max_len=64, min_len=1),
            giver_name=r.text("giver_name", max_len=200, default=""),
            receiver_id=r.text("receiver_id", max_len=36, min_len=1),
            receiver_kind=r.choice("receiver_kind", RECEIVER_KINDS),
            receiver_name=r.text("receiver_name", max_len=200, min_len=1),
            note=r.text("note", max_len=2000, default="", multiline=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "giver": self.giver,
            "giver_name": self.giver_name,
            "receiver_id": self.receiver_id,
            "receiver_kind": self.receiver_kind,
            "receiver_name": self.receiver_name,
            "note": self.note,
        }


@dataclass(frozen=True)
class MissingItem:
    """One paper the citizen must add, and why (Form 02)."""

    name: str
    reason: str = ""

    @classmethod
    def read(cls, r: Reader) -> MissingItem:
        item = cls(
            name=r.text("name", max_len=1000, min_len=1),
            reason=r.text("reason", max_len=1000, default=""),
        )
        r.finish()
        return item

    def dump(self) -> dict[str, Any]:
        return {"name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class SupplementRequestedV1:
    """``dossier.supplement_requested`` v1: the request to complete the dossier (Form 02);
    the clock stops until the supplement is received."""

    KIND: ClassVar[str] = "dossier.supplement_requested"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    reason: str
    items: tuple[MissingItem, ...] = ()

    @classmethod
    def parse(cls, data: object) -> SupplementRequestedV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            reason=_reason(r, required=True),
            items=tuple(MissingItem.read(i) for i in r.objects("items", max_items=50)),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "reason": self.reason,
            "items": [i.dump() for i in self.items],
        }


@dataclass(frozen=True)
class SupplementReceivedV1:
    """``dossier.supplement_received`` v1: the complete supplement arrived; the clock
    runs again. Carries the new appointment and the rule that produced it: ``due_at``
    and ``original_due_at`` both (an extension made before the pause moves with it under
    ``shift``; ``restart`` sets both to the restarted date)."""

    KIND: ClassVar[str] = "dossier.supplement_received"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    due_rule: str
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    waited_working_days: int = 0
    note: str = ""

    @classmethod
    def parse(cls, data: object) -> SupplementReceivedV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            due_rule=r.choice("due_rule", SUPPLEMENT_DUE_RULES),
            due_at=r.optional_local_datetime("due_at"),
            original_due_at=r.optional_local_datetime("original_due_at"),
            waited_working_days=r.integer("waited_working_days", low=0, high=10_000, default=0),
            note=r.text("note", max_len=2000, default="", multiline=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "due_rule": self.due_rule,
            "due_at": _iso(self.due_at),
            "original_due_at": _iso(self.original_due_at),
            "waited_working_days": self.waited_working_days,
            "note": self.note,
        }


@dataclass(frozen=True)
class ExtendedV1:
    """``dossier.extended`` v1: the apology with a new appointment (Form 04). The new
    date replaces ``due_at`` only; lateness is still judged against the original."""

    KIND: ClassVar[str] = "dossier.extended"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    reason: str
    due_at: dt.datetime
    previous_due_at: dt.datetime
    due_rule: str = "extension"

    @classmethod
    def parse(cls, data: object) -> ExtendedV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            reason=_reason(r, required=True),
            due_at=r.local_datetime("due_at"),
            previous_due_at=r.local_datetime("previous_due_at"),
            due_rule=r.choice("due_rule", ("extension",), default="extension"),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "reason": self.reason,
            "due_at": self.due_at.isoformat(),
            "previous_due_at": self.previous_due_at.isoformat(),
            "due_rule": self.due_rule,
        }


@dataclass(frozen=True)
class _EndedStep:
    """A step that ends the dossier's handling before any result, with its reason."""

    at: dt.datetime
    reason: str = ""
    REASON_REQUIRED: ClassVar[bool] = False

    @classmethod
    def _read(cls, data: object) -> dict[str, Any]:
        r = Reader(data)
        values = {"at": r.local_datetime("at"), "reason": _reason(r, required=cls.REASON_REQUIRED)}
        r.finish()
        return values

    def dump(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "reason": self.reason}


@dataclass(frozen=True)
class WithdrawnV1(_EndedStep):
    """``dossier.withdrawn`` v1: the citizen withdrew the dossier (xin rút), before any
    result; the stop notice (Form 05) gives the reason."""

    KIND: ClassVar[str] = "dossier.withdrawn"
    VERSION: ClassVar[int] = 1

    @classmethod
    def parse(cls, data: object) -> WithdrawnV1:
        return cls(**cls._read(data))


@dataclass(frozen=True)
class StoppedV1(_EndedStep):
    """``dossier.stopped`` v1: the agency stopped handling the dossier (dừng giải quyết)
    for a stated reason, before any result (Form 05)."""

    KIND: ClassVar[str] = "dossier.stopped"
    VERSION: ClassVar[int] = 1
    REASON_REQUIRED: ClassVar[bool] = True

    @classmethod
    def parse(cls, data: object) -> StoppedV1:
        return cls(**cls._read(data))


@dataclass(frozen=True)
class ResultReadyV1:
    """``dossier.result_ready`` v1: the result exists — approved, or not eligible with a
    written reason. Its day decides the classification."""

    KIND: ClassVar[str] = "dossier.result_ready"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    outcome: str = "approved"
    reason: str = ""

    @classmethod
    def parse(cls, data: object) -> ResultReadyV1:
        r = Reader(data)
        at = r.local_datetime("at")
        outcome = r.choice("outcome", OUTCOMES, default="approved")
        payload = cls(at=at, outcome=outcome, reason=_reason(r, required=outcome != "approved"))
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "outcome": self.outcome, "reason": self.reason}


@dataclass(frozen=True)
class ReturnedV1:
    """``dossier.returned`` v1: the result handed to the citizen — when, by whom, how
    (at the desk or by post), and the satisfaction rating if the citizen gave one."""

    KIND: ClassVar[str] = "dossier.returned"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    by: str
    by_name: str = ""
    method: str = "desk"
    rating: str | None = None
    comment: str = ""

    @classmethod
    def parse(cls, data: object) -> ReturnedV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            by=r.text("by", max_len=64, min_len=1),
            by_name=r.text("by_name", max_len=200, default=""),
            method=r.choice("method", RETURN_METHODS, default="desk"),
            rating=r.optional_text("rating", max_len=64),
            comment=r.text("comment", max_len=2000, default="", multiline=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "by": self.by,
            "by_name": self.by_name,
            "method": self.method,
            "rating": self.rating,
            "comment": self.comment,
        }


@dataclass(frozen=True)
class FieldChange:
    """One corrected field: its value before and after (``None``: empty)."""

    field: str
    old: str | None
    new: str | None

    @classmethod
    def read(cls, r: Reader) -> FieldChange:
        change = cls(
            field=r.choice("field", CORRECTABLE_FIELDS),
            old=r.optional_text("old", max_len=300),
            new=r.optional_text("new", max_len=300),
        )
        r.finish()
        return change

    def dump(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class CorrectedV1:
    """``dossier.corrected`` v1: applicant fields mistyped at intake, corrected with a
    reason; the old values stay in the timeline."""

    KIND: ClassVar[str] = "dossier.corrected"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    reason: str
    changes: tuple[FieldChange, ...]

    @classmethod
    def parse(cls, data: object) -> CorrectedV1:
        r = Reader(data)
        at = r.local_datetime("at")
        reason = _reason(r, required=True)
        changes = tuple(FieldChange.read(c) for c in r.objects("changes", max_items=20))
        r.finish()
        if not changes:
            raise PayloadError("changes", "needs at least one field")
        return cls(at=at, reason=reason, changes=changes)

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "reason": self.reason,
            "changes": [c.dump() for c in self.changes],
        }


@dataclass(frozen=True)
class StepAnnulledV1:
    """``dossier.step_annulled`` v1: an officer annuls their own mistaken step (the event
    ``target``). The step stays in the timeline, struck out, and no longer counts."""

    KIND: ClassVar[str] = "dossier.step_annulled"
    VERSION: ClassVar[int] = 1

    at: dt.datetime
    target: str
    target_kind: str
    reason: str

    @classmethod
    def parse(cls, data: object) -> StepAnnulledV1:
        r = Reader(data)
        payload = cls(
            at=r.local_datetime("at"),
            target=r.text("target", max_len=36, min_len=8, pattern=_UUID),
            target_kind=r.text("target_kind", max_len=64, min_len=1),
            reason=_reason(r, required=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "target": self.target,
            "target_kind": self.target_kind,
            "reason": self.reason,
        }


# ------------------------------------------------------------------ intake outcomes


@dataclass(frozen=True)
class _IntakeOutcome:
    """What both intake outcomes carry: who came for what, and who answered."""

    at: dt.datetime
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_cccd: str | None
    applicant_phone: str
    applicant_address: str
    officer: str
    officer_name: str
    reason: str

    @classmethod
    def _read_common(cls, r: Reader, *, reason_required: bool) -> dict[str, Any]:
        return {
            "at": r.local_datetime("at"),
            "procedure_code": r.text("procedure_code", max_len=32, min_len=1),
            "procedure_name": r.text("procedure_name", max_len=1000, default=""),
            "applicant_name": r.text("applicant_name", max_len=200, min_len=1),
            "applicant_cccd": r.optional_text("applicant_cccd", max_len=12, pattern=_ID_NUMBER),
            "applicant_phone": r.text("applicant_phone", max_len=20, default=""),
            "applicant_address": r.text("applicant_address", max_len=300, default=""),
            "officer": r.text("officer", max_len=64, min_len=1),
            "officer_name": r.text("officer_name", max_len=200, default=""),
            "reason": _reason(r, required=reason_required),
        }

    def _dump_common(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant_name": self.applicant_name,
            "applicant_cccd": self.applicant_cccd,
            "applicant_phone": self.applicant_phone,
            "applicant_address": self.applicant_address,
            "officer": self.officer,
            "officer_name": self.officer_name,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class IntakeGuidedV1(_IntakeOutcome):
    """``intake.guided`` v1: the citizen was guided to complete the dossier (Form 02)
    with ``items`` missing; nothing was received and no clock started."""

    KIND: ClassVar[str] = "intake.guided"
    VERSION: ClassVar[int] = 1

    items: tuple[MissingItem, ...] = ()

    @classmethod
    def parse(cls, data: object) -> IntakeGuidedV1:
        r = Reader(data)
        common = cls._read_common(r, reason_required=False)
        items = tuple(MissingItem.read(i) for i in r.objects("items", max_items=50))
        r.finish()
        return cls(**common, items=items)

    def dump(self) -> dict[str, Any]:
        return {**self._dump_common(), "items": [i.dump() for i in self.items]}


@dataclass(frozen=True)
class IntakeRefusedV1(_IntakeOutcome):
    """``intake.refused`` v1: the dossier was refused at intake (Form 03) for ``reason``."""

    KIND: ClassVar[str] = "intake.refused"
    VERSION: ClassVar[int] = 1

    @classmethod
    def parse(cls, data: object) -> IntakeRefusedV1:
        r = Reader(data)
        common = cls._read_common(r, reason_required=True)
        r.finish()
        return cls(**common)

    def dump(self) -> dict[str, Any]:
        return self._dump_common()


# ------------------------------------------------------------------ commune data


@dataclass(frozen=True)
class DirectoryEntrySetV1:
    """``directory.entry_set`` v1: an entry of the hand-over directory the administrator
    keeps (an officer or a unit a dossier can be handed to), added, renamed or retired."""

    KIND: ClassVar[str] = "directory.entry_set"
    VERSION: ClassVar[int] = 1

    entry_id: str
    kind: str
    name: str
    unit: str = ""
    username: str | None = None
    active: bool = True

    @classmethod
    def parse(cls, data: object) -> DirectoryEntrySetV1:
        r = Reader(data)
        payload = cls(
            entry_id=r.text("entry_id", max_len=36, min_len=1),
            kind=r.choice("kind", RECEIVER_KINDS),
            name=r.text("name", max_len=200, min_len=1),
            unit=r.text("unit", max_len=200, default=""),
            username=r.optional_text("username", max_len=64, pattern=_USERNAME),
            active=r.flag("active", default=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "kind": self.kind,
            "name": self.name,
            "unit": self.unit,
            "username": self.username,
            "active": self.active,
        }


@dataclass(frozen=True)
class CommuneSettingSetV1:
    """``commune.setting_set`` v1: a commune-wide setting changed by an administrator
    (the value as text; each desk checks it against the key's rule before using it)."""

    KIND: ClassVar[str] = "commune.setting_set"
    VERSION: ClassVar[int] = 1

    key: str
    value: str

    @classmethod
    def parse(cls, data: object) -> CommuneSettingSetV1:
        r = Reader(data)
        payload = cls(
            key=r.choice("key", SETTING_KEYS),
            value=r.text("value", max_len=1000),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value}
