"""What Forms 02–07 print: plain values, no database objects.

A stored dossier and its timeline become one :class:`DossierFormData` (see
``desk_app.dossier_forms`` for the glue); each form takes what it needs from it — Form 02
the missing items, Form 03 the refusal, Form 04 the extension, Form 05 the stop, Form 06
the hand-overs — and refuses data that lacks its part with a ``ValueError``. The register
(Form 07) takes one :class:`RegisterRow` per dossier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from desk_app.forms.blocks import Agency

Classification = Literal["early", "on_time", "late"]
StopKind = Literal["withdrawn", "stopped"]


@dataclass(frozen=True)
class Applicant:
    """The citizen (or organisation) the form is addressed to."""

    name: str
    address: str = ""
    phone: str = ""
    email: str | None = None


@dataclass(frozen=True)
class HandOver:
    """One hand-over of the file (bàn giao hồ sơ) between two people or units.

    ``received_at`` is the time the receiver took it (None: not yet signed for; the
    control sheet leaves the line to fill by hand). ``result`` is the step's result
    against the due date, when one is known.
    """

    giver: str
    given_at: dt.datetime
    receiver: str
    received_at: dt.datetime | None = None
    giver_unit: str = ""
    receiver_unit: str = ""
    result: Classification | None = None
    note: str = ""


@dataclass(frozen=True)
class Pause:
    """A stop of the clock while waiting for a supplement (chờ bổ sung)."""

    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str


@dataclass(frozen=True)
class MissingItem:
    """One thing to add or correct (Form 02): what, and why."""

    name: str
    reason: str = ""


@dataclass(frozen=True)
class SupplementRequest:
    """A request to complete the dossier (Form 02).

    ``at_intake``: the citizen was guided to complete before anything was received (no
    clock runs); otherwise the dossier waits for the supplement during processing.
    """

    at: dt.datetime
    items: tuple[MissingItem, ...]
    reason: str = ""
    at_intake: bool = False


@dataclass(frozen=True)
class Refusal:
    """The refusal to receive (Form 03) with its specific reason."""

    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Extension:
    """An apology and a new appointment (Form 04)."""

    at: dt.datetime
    reason: str
    previous_due_at: dt.datetime | None
    new_due_at: dt.datetime


@dataclass(frozen=True)
class Stop:
    """Withdrawal at the citizen's request or a stop by the agency (Form 05)."""

    at: dt.datetime
    kind: StopKind
    reason: str


@dataclass(frozen=True)
class DossierFormData:
    """One dossier as Forms 02–06 print it.

    ``code`` is None for a citizen guided or refused at intake before any code was
    issued. ``officer_name`` signs the desk's forms; ``head_name`` (may be empty) the
    agency's (Form 04, Form 05). The latest entry of each list is the one a form prints.
    """

    agency: Agency
    code: str | None
    applicant: Applicant
    procedure_code: str
    procedure_name: str
    request_text: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    duration_kind: str
    duration_value: int | None
    officer_name: str
    issued_at: dt.datetime
    head_name: str = ""
    contact: str = ""
    handling_unit: str = ""
    classification: Classification | None = None
    handovers: tuple[HandOver, ...] = ()
    pauses: tuple[Pause, ...] = ()
    supplement_requests: tuple[SupplementRequest, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    extensions: tuple[Extension, ...] = ()
    stops: tuple[Stop, ...] = ()


@dataclass(frozen=True)
class RegisterRow:
    """One dossier's line in the tracking register (sổ theo dõi hồ sơ).

    The note column prints the classification or the stop (in the template's words)
    before ``note``.
    """

    code: str
    procedure_name: str
    sets_count: int
    applicant_name: str
    applicant_contact: str
    handling_unit: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    sent_at: dt.datetime | None = None
    result_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    classification: Classification | None = None
    stopped: StopKind | None = None
    note: str = ""


@dataclass(frozen=True)
class RegisterData:
    """The register of one date range (inclusive), in the order the rows are given."""

    agency: Agency
    start: dt.date
    end: dt.date
    issued_at: dt.datetime
    rows: tuple[RegisterRow, ...]
