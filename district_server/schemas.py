"""The JSON documents of the API (pydantic models), as agreed with the desk's sync client.

Validation is strict where a lax reading could store something other than what the desk
meant: unknown fields are refused (they would be silently dropped otherwise), numbers must
be JSON integers, timestamps must carry a UTC offset, and text must be storable by both
PostgreSQL and SQLite (no NUL characters, no lone surrogates).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from district_server.canonical import canonical_json

# QCVN 102 agency code, e.g. 000.20.33.H12. ASCII digits only: ``\d`` would also match
# digits of other scripts.
AGENCY_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MAX_BATCH_EVENTS = 1000
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000
MAX_TEXT_LENGTH = 200
MAX_DESK_NUMBER = 2**31 - 1  # PostgreSQL integer
MAX_SEQ = 2**53 - 1  # the largest integer every JSON parser reads exactly (fits a bigint)
MAX_EVENT_VERSION = 2**31 - 1

_AGENCY_CODE_RE = re.compile(AGENCY_CODE_PATTERN)


def is_agency_code(value: str) -> bool:
    """Whether ``value`` is a well-formed agency code."""
    return _AGENCY_CODE_RE.fullmatch(value) is not None


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


class JsonObject(dict[str, Any]):
    """A JSON object together with its canonical text, made once while validating: the
    text is what the server hashes, stores and serves, so the payload is never
    serialised again."""

    canonical: str


def _plain_json_object(value: dict[str, Any]) -> dict[str, Any]:
    # Hashing needs finite numbers. Invalid Unicode cannot get this far when the body is
    # parsed from bytes (the parser refuses lone surrogates and non-UTF-8 bytes), but a
    # payload built in Python can carry them, so the UTF-8 check stays for that case.
    try:
        text = canonical_json(value)
    except (ValueError, TypeError, RecursionError):
        raise ValueError("must be plain JSON: no NaN, Infinity or invalid Unicode") from None
    if "\\ud" in text:  # a surrogate escape: an emoji's pair, or a lone half
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be plain JSON: no NaN, Infinity or invalid Unicode") from None
    wrapped = JsonObject(value)
    wrapped.canonical = text
    return wrapped


def _utc_representable(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    return value


UuidText = Annotated[str, Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid"})]
ShortText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_TEXT_LENGTH),
    AfterValidator(_storable_text),
]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE_PATTERN, examples=["000.20.33.H12"])]
DeskNumber = Annotated[StrictInt, Field(ge=1, le=MAX_DESK_NUMBER)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc_representable)]


class ErrorResponse(BaseModel):
    """Every error: one plain English sentence; a refused event also names itself and the
    reason's stable code (``event.invalid``, ``event.code_not_this_desk``,
    ``event.district_only``, ``event.unknown_kind``)."""

    detail: str
    code: str | None = None
    event: str | None = None


class HealthResponse(BaseModel):
    """The server is up; its clock lets a desk notice its own drift."""

    status: Literal["ok"]
    server_time: datetime


class EnrollRequest(BaseModel):
    """The one-time code an administrator gave to the desk."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        max_length=64,
        description="Case and dashes do not matter, e.g. 7K2M-QX9R-4HNC-TDWA.",
    )


class EnrollResponse(BaseModel):
    """The desk's credential. The token is shown once; the server keeps only its hash."""

    token: str
    agency_code: str
    desk: int
    desk_id: str
    last_origin_seq: int = Field(
        description="The highest origin_seq this desk number already has here; a desk "
        "numbers its next events above it."
    )


class Origin(BaseModel):
    """Which desk of which commune wrote the event."""

    model_config = ConfigDict(extra="forbid")

    agency_code: AgencyCode
    desk: DeskNumber


class EventEnvelope(BaseModel):
    """One event as the desk recorded it in its append-only log."""

    model_config = ConfigDict(extra="forbid")

    uuid: UuidText = Field(description="Made by the desk; identifies the event forever.")
    dossier_uuid: UuidText | None = None
    kind: ShortText = Field(examples=["dossier.received"])
    payload: Annotated[dict[str, Any], AfterValidator(_plain_json_object)]
    occurred_at: Timestamp = Field(description="ISO 8601 with a UTC offset.")
    actor: ShortText
    origin: Origin
    origin_seq: StrictInt = Field(ge=1, le=MAX_SEQ, description="Strictly increasing per desk.")
    version: StrictInt = Field(
        default=1,
        ge=1,
        le=MAX_EVENT_VERSION,
        description="The version of the event kind's payload schema; 1 when absent.",
    )


class PushRequest(BaseModel):
    """A batch of events, stored all together or not at all."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventEnvelope] = Field(min_length=1, max_length=MAX_BATCH_EVENTS)


class PushResponse(BaseModel):
    """Every event of the batch is safely stored (now or before)."""

    acknowledged: list[str] = Field(description="The uuids of the batch, as sent, in order.")
    stored: int = Field(description="Events stored by this request.")
    duplicates: int = Field(description="Events that were already stored.")
    last_server_seq: int = Field(description="The commune's highest server_seq after the batch.")
    server_seqs: list[int] = Field(
        description="The server_seq of each acknowledged event (stored now or before), in order."
    )


class PulledEvent(BaseModel):
    """A stored event: the envelope (normalised) plus its place in the commune's log."""

    uuid: str = Field(json_schema_extra={"format": "uuid"})
    dossier_uuid: str | None
    kind: str
    payload: dict[str, Any]
    occurred_at: str = Field(json_schema_extra={"format": "date-time"})
    actor: str
    origin: Origin
    origin_seq: int
    server_seq: int
    version: int = Field(
        default=1, description="The payload schema version; left out when it is 1."
    )


class PullResponse(BaseModel):
    """One page of the caller's commune log, in server_seq order."""

    events: list[PulledEvent]
    next_cursor: int = Field(description="Pass as `after` to get the next page.")
    has_more: bool
    last_server_seq: int = Field(
        description="The commune's highest server_seq. Below a desk's cursor, the server lost "
        "events (restored from an older backup): the desk sends again what it has."
    )


class SetAsideItem(BaseModel):
    """One event of the commune's log the desk pulled and could not apply."""

    model_config = ConfigDict(extra="forbid")

    uuid: UuidText
    kind: ShortText
    version: StrictInt = Field(ge=1, le=MAX_EVENT_VERSION)
    code: ShortText = Field(examples=["sync.event_unreadable"])
    reason: Annotated[str, Field(max_length=2000), AfterValidator(_storable_text)]


class SetAsideReport(BaseModel):
    """The desk's whole current list: it replaces what the desk reported before."""

    model_config = ConfigDict(extra="forbid")

    events: list[SetAsideItem] = Field(max_length=MAX_BATCH_EVENTS)


class SetAsideAnswer(BaseModel):
    recorded: int
