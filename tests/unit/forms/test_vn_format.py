"""Vietnamese wording of dates, durations and document kinds."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk_app.forms.vn_format import (
    document_kind_label,
    format_duration,
    format_vn_date,
    format_vn_date_line,
    format_vn_datetime,
)


def test_datetime_in_receipt_wording() -> None:
    assert format_vn_datetime(datetime(2026, 11, 21, 14, 5)) == (
        "14 giờ 05 phút, ngày 21 tháng 11 năm 2026"
    )


def test_datetime_pads_hours_minutes_and_small_days() -> None:
    assert format_vn_datetime(datetime(2026, 3, 5, 8, 0)) == (
        "08 giờ 00 phút, ngày 05 tháng 3 năm 2026"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        # From March on the month takes no leading zero (Nghị định 30/2020).
        (date(2026, 3, 10), "ngày 10 tháng 3 năm 2026"),
        (date(2026, 12, 1), "ngày 01 tháng 12 năm 2026"),
    ],
)
def test_date_leading_zeros_follow_the_administrative_rule(day: date, expected: str) -> None:
    assert format_vn_date(day) == expected


def test_date_line_with_place() -> None:
    assert format_vn_date_line("Tân Phú", date(2026, 11, 21)) == (
        "Tân Phú, ngày 21 tháng 11 năm 2026"
    )


def test_date_line_accepts_a_datetime_and_trims_the_place() -> None:
    assert format_vn_date_line("  Tân Phú ", datetime(2026, 11, 21, 9, 30)) == (
        "Tân Phú, ngày 21 tháng 11 năm 2026"
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [("original", "Bản chính"), ("copy", "Bản sao"), ("certified_copy", "Bản sao chứng thực")],
)
def test_document_kind_labels(kind: str, label: str) -> None:
    assert document_kind_label(kind) == label


def test_unknown_document_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown document kind 'scan'"):
        document_kind_label("scan")


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("working_days", 3, "03 ngày làm việc"),
        ("working_days", 20, "20 ngày làm việc"),
        ("same_day", None, "Trong ngày"),
        ("working_hours", 8, "08 giờ làm việc"),
        ("calendar_days", 30, "30 ngày"),
        ("none", None, "Không quy định"),
    ],
)
def test_duration_text(kind: str, value: int | None, text: str) -> None:
    assert format_duration(kind, value) == text


def test_counted_duration_needs_a_value() -> None:
    with pytest.raises(ValueError, match="working_days"):
        format_duration("working_days", None)


def test_unknown_duration_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown duration kind 'weeks'"):
        format_duration("weeks", 2)
