"""``calendar.override_set`` v1: round trip and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import event_schema
from event_schema import CalendarOverrideSetV1, PayloadError

OVERRIDE: dict[str, Any] = {"day": "2026-12-31", "kind": "day_off", "reason": "QĐ 12/UBND"}


def test_an_override_round_trips_exactly() -> None:
    payload = event_schema.parse("calendar.override_set", 1, OVERRIDE)
    assert payload == CalendarOverrideSetV1(dt.date(2026, 12, 31), "day_off", "QĐ 12/UBND")
    assert payload.dump() == OVERRIDE


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", "2026-02-30", "not a valid date"),
        ("day", "2026-12-31T00:00:00", "ISO 8601"),
        ("day", 20261231, "ISO 8601"),
        ("kind", "holiday", "must be one of"),
        ("reason", "", "at least 1"),
        ("reason", "x" * 1001, "longer than 1000"),
        ("reason", "QĐ\x0012", "control character"),
        ("source", "admin", "not a field"),
    ],
)
def test_an_override_is_refused_naming_its_field(field: str, value: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        CalendarOverrideSetV1.parse({**OVERRIDE, field: value})
    assert caught.value.path == field


@pytest.mark.parametrize("field", ["day", "kind", "reason"])
def test_every_field_of_an_override_is_required(field: str) -> None:
    data = {k: v for k, v in OVERRIDE.items() if k != field}
    with pytest.raises(PayloadError, match="is required"):
        CalendarOverrideSetV1.parse(data)
