"""Vietnamese wording of dates, durations and document kinds on printed forms.

Dates follow the rule for administrative documents (Nghị định 30/2020/NĐ-CP): a day below
10 and the months 1 and 2 take a leading zero ("ngày 05 tháng 02", but "tháng 3"), so that
nobody can add a digit to a printed date by hand.
"""

from __future__ import annotations

from datetime import date, datetime

_KIND_LABELS: dict[str, str] = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao chứng thực",
}

# Duration kinds that need a number, with the unit printed after it.
_COUNTED_DURATIONS: dict[str, str] = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}

_FIXED_DURATIONS: dict[str, str] = {
    "same_day": "Trong ngày",
    "none": "Không quy định",
}

DOCUMENT_KINDS: frozenset[str] = frozenset(_KIND_LABELS)
DURATION_KINDS: frozenset[str] = frozenset(_COUNTED_DURATIONS) | frozenset(_FIXED_DURATIONS)


def _day_text(day: int) -> str:
    return f"{day:02d}"


def _month_text(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def format_vn_date(d: date) -> str:
    """``ngày 21 tháng 11 năm 2026`` for a date (or the date part of a datetime)."""
    return f"ngày {_day_text(d.day)} tháng {_month_text(d.month)} năm {d.year}"


def format_vn_datetime(dt: datetime) -> str:
    """``14 giờ 05 phút, ngày 21 tháng 11 năm 2026``: the time form used on receipts."""
    return f"{dt.hour:02d} giờ {dt.minute:02d} phút, {format_vn_date(dt)}"


def format_vn_date_line(place: str, d: date) -> str:
    """The place-and-date line under the national motto: ``Tân Phú, ngày 21 tháng 11 năm 2026``."""
    return f"{place.strip()}, {format_vn_date(d)}"


def document_kind_label(kind: str) -> str:
    """The printed label of a document kind (``original`` -> ``Bản chính``)."""
    try:
        return _KIND_LABELS[kind]
    except KeyError:
        known = ", ".join(sorted(_KIND_LABELS))
        raise ValueError(f"unknown document kind {kind!r} (expected one of: {known})") from None


def format_duration(kind: str, value: int | None) -> str:
    """The statutory duration in words: ``03 ngày làm việc``, ``Trong ngày``, ``30 ngày``.

    Kinds counted in days or hours need a non-negative ``value``; ``same_day`` and ``none``
    ignore it.
    """
    if kind in _FIXED_DURATIONS:
        return _FIXED_DURATIONS[kind]
    unit = _COUNTED_DURATIONS.get(kind)
    if unit is None:
        known = ", ".join(sorted(DURATION_KINDS))
        raise ValueError(f"unknown duration kind {kind!r} (expected one of: {known})")
    if value is None or value < 0:
        raise ValueError(f"duration kind {kind!r} needs a non-negative value, got {value!r}")
    return f"{value:02d} {unit}"


def format_short_date(d: date) -> str:
    """``21/11/2026``: dates in table cells, where the long form does not fit."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def format_short_datetime(dt: datetime) -> str:
    """``14:05 21/11/2026``: times in table cells (control sheet, register)."""
    return f"{dt.hour:02d}:{dt.minute:02d} {format_short_date(dt)}"
