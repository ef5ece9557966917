"""``dossier.received`` and ``dossier.status_changed`` v1: the shape today's desks write
round-trips exactly, and every way a payload can be wrong is refused with its field."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

import event_schema
from event_schema import DocumentLine, DossierReceivedV1, DossierStatusChangedV1, PayloadError

# Exactly what IntakeService.receive stored in version 1 (every field present).
SNAPSHOT: dict[str, Any] = {
    "code": "000.20.33.H12-261123-1001", "code_seq": 1, "lookup_pin": "A1B2C3",
    "procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh",
    "status": "received", "channel": "in_person",
    "applicant_name": "Trần Thị Hồng Nhung", "applicant_cccd": "079301001234",
    "applicant_dob": "2001-04-05", "applicant_phone": "0912345678",
    "applicant_address": "Ấp 3, xã Tân Phú", "applicant_email": "nhung@example.vn",
    "representative_name": "Đỗ Văn Đạt", "representative_cccd": None,
    "representative_phone": "0987000111", "request_text": "Đăng ký khai sinh",
    "documents": [
        {"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1},
        {"name": "Giấy chứng sinh", "kind": "certified_copy", "count": 2},
    ],
    "sets_count": 1, "notes": "Dòng một\nDòng hai\tcó tab", "duration_kind": "same_day",
    "duration_value": None, "received_at": "2026-11-23T09:00:00",
    "due_at": "2026-11-23T17:00:00", "received_by": "lan.nt",
    "received_by_name": "Nguyễn Thị Lan", "register_line": 7,
}  # fmt: skip

# What demo data writes: a short snapshot flagged as demo.
DEMO: dict[str, Any] = {
    "demo": True, "code": "000.20.33.H12-260105-1001", "procedure_code": "1.001193",
    "applicant_name": "Lê Văn An", "received_at": "2026-01-05 08:12:44.000000",
    "due_at": None, "status": "returned",
}  # fmt: skip

CHANGE: dict[str, Any] = {
    "from": "received", "to": "in_progress", "note": "Chuyển bộ phận tư pháp",
    "at": "2026-11-23T10:15:00",
}  # fmt: skip


def with_(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``base`` with the field at ``path`` (``documents.0.count``) set, or removed when
    ``value`` is ``...``."""
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    here: Any = data
    for part in parents:
        here = here[int(part)] if part.isdigit() else here[part]
    if value is ...:
        del here[int(last) if last.isdigit() else last]
    else:
        here[int(last) if last.isdigit() else last] = value
    return data


def test_the_intake_snapshot_round_trips_exactly() -> None:
    payload = event_schema.parse("dossier.received", 1, SNAPSHOT)
    assert isinstance(payload, DossierReceivedV1)
    assert payload.received_at == dt.datetime(2026, 11, 23, 9, 0)
    assert payload.applicant_dob == dt.date(2001, 4, 5)
    assert payload.documents[1] == DocumentLine("Giấy chứng sinh", "certified_copy", 2)
    assert event_schema.dump(payload) == SNAPSHOT
    assert DossierReceivedV1.parse(payload.dump()) == payload


def test_the_demo_snapshot_reads_with_the_defaults_desks_always_applied() -> None:
    payload = DossierReceivedV1.parse(DEMO)
    assert payload.demo is True
    assert (payload.channel, payload.sets_count, payload.documents) == ("in_person", 1, ())
    assert (payload.received_by, payload.due_at, payload.duration_kind) == (None, None, "none")
    assert payload.received_at == dt.datetime(2026, 1, 5, 8, 12, 44)
    dumped = payload.dump()
    assert dumped["demo"] is True
    assert DossierReceivedV1.parse(dumped) == payload
    assert "demo" not in DossierReceivedV1.parse(SNAPSHOT).dump()


def test_a_status_change_round_trips_exactly() -> None:
    payload = event_schema.parse("dossier.status_changed", 1, CHANGE)
    assert payload == DossierStatusChangedV1(
        "received", "in_progress", dt.datetime(2026, 11, 23, 10, 15), "Chuyển bộ phận tư pháp"
    )
    assert payload.dump() == CHANGE


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("code", ..., "is required"),
        ("code", "", "at least 1"),
        ("code", "000.20.33.H12\t261123", "control character"),
        ("code", 1001, "must be a string"),
        ("code", "x" * 65, "longer than 64"),
        ("received_at", ..., "is required"),
        ("received_at", "23/11/2026 09:00", "not a valid date and time"),
        ("received_at", "2026-11-31T09:00:00", "not a valid date and time"),
        ("received_at", "2026-11-23T02:00:00+00:00", "without a UTC offset"),
        ("received_at", "2026-11-23", "ISO 8601"),
        ("received_at", "2026-11-23T", "ISO 8601"),
        ("received_at", "2026-11-23X09:00:00", "ISO 8601"),
        ("due_at", "2026-13-01T17:00:00", "not a valid"),
        ("applicant_dob", "2001-02-30", "not a valid date"),
        ("applicant_dob", "05/04/2001", "not a valid date"),
        ("applicant_dob", "2001-4-5", "ISO 8601"),
        ("status", "archived", "must be one of"),
        ("channel", "email", "must be one of"),
        ("duration_kind", "weeks", "must be one of"),
        ("applicant_name", "Trần\x00Nhung", "control character"),
        ("applicant_name", "Trần\nNhung", "control character"),
        ("applicant_name", None, "must be a string"),
        ("applicant_address", "x" * 301, "longer than 300"),
        ("procedure_name", "x" * 1001, "longer than 1000"),
        ("applicant_cccd", "07930100123A", "expected form"),
        ("applicant_phone", "0912 345 678", "expected form"),
        ("notes", "x" * 2001, "longer than 2000"),
        ("notes", "bell\x07", "control character"),
        ("sets_count", 0, "between 1 and 20"),
        ("sets_count", True, "whole number"),
        ("sets_count", 1.0, "whole number"),
        ("register_line", "7", "whole number"),
        ("documents", {"name": "x"}, "must be a list"),
        ("documents", [{"name": "Tờ khai", "kind": "original", "count": 1}] * 51, "more than 50"),
        ("demo", "yes", "true or false"),
        ("extra", 1, "not a field"),
    ],
)
def test_a_received_snapshot_is_refused_naming_its_field(
    path: str, value: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        DossierReceivedV1.parse(with_(SNAPSHOT, path, value))
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("documents.1.kind", "photocopy", "must be one of"),
        ("documents.1.count", 100, "between 1 and 99"),
        ("documents.1.name", "", "at least 1"),
        ("documents.1.name", ..., "is required"),
        ("documents.1.pages", 3, "not a field"),
    ],
)
def test_a_bad_document_line_is_named_by_its_index(path: str, value: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        DossierReceivedV1.parse(with_(SNAPSHOT, path, value))
    field = path.split(".")[-1]
    assert caught.value.path == f"documents[1].{field}"


def test_a_payload_must_be_an_object() -> None:
    for data in ([], "x", None, 3):
        with pytest.raises(PayloadError, match="must be a JSON object"):
            DossierReceivedV1.parse(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("from", ..., "is required"),
        ("to", "archived", "must be one of"),
        ("to", None, "must be one of"),
        ("at", "2026-11-23T03:15:00Z", "without a UTC offset"),
        ("at", "yesterday", "ISO 8601"),
        ("note", "x" * 2001, "longer than 2000"),
        ("note", "a\x1bb", "control character"),
        ("by", "lan.nt", "not a field"),
    ],
)
def test_a_status_change_is_refused_naming_its_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        DossierStatusChangedV1.parse(with_(CHANGE, path, value))
    assert caught.value.path == path


def test_a_note_may_span_lines() -> None:
    payload = DossierStatusChangedV1.parse(with_(CHANGE, "note", "Thiếu bản sao\r\nGọi lại"))
    assert payload.note == "Thiếu bản sao\r\nGọi lại"
