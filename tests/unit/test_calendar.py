"""The working-day calendar against the schedules the government actually published.

Expected dates are computed by hand from the rule in ``desk_app/calendar.py``'s
docstring (receipt day not counted; due at closing of the N-th working day).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk_app.calendar import (
    DEFAULT_OFFICE_HOURS,
    CalendarRangeError,
    Duration,
    OfficeHours,
    WorkingCalendar,
    overrides_from_rows,
)
from desk_app.calendar_admin import OverrideError
from desk_app.context import DeskContext
from desk_app.db.models import CalendarOverride, Event

D = dt.date
T = dt.datetime
CLOSE = dt.time(17, 0)

# One calendar for the pure tests: building it is the slow part (holidays package).
CAL = WorkingCalendar()


def wd(n: int) -> Duration:
    return Duration("working_days", n)


SAME_DAY = Duration("same_day")


# ------------------------------------------------------------------ published schedules


@pytest.mark.parametrize("day", [16, 17, 18, 19, 20])
def test_tet_2026_monday_to_friday_are_days_off(day: int) -> None:
    assert D(2026, 2, day).weekday() < 5
    assert not CAL.is_working_day(D(2026, 2, day))


def test_tet_2026_is_framed_by_working_days() -> None:
    assert CAL.is_working_day(D(2026, 2, 13))  # Friday before
    assert CAL.is_working_day(D(2026, 2, 23))  # Monday after


def test_two_working_days_across_tet_2026() -> None:
    # Fri 13/2 10:00; 16–20/2 Tết, 21–22/2 weekend: Mon 23/2 is day 1, Tue 24/2 day 2.
    assert CAL.due_at(T(2026, 2, 13, 10, 0), wd(2)) == T(2026, 2, 24, 17, 0)


def test_2025_swap_friday_2_may_off_saturday_26_april_worked() -> None:
    assert not CAL.is_working_day(D(2025, 5, 2))
    assert D(2025, 4, 26).weekday() == 5
    assert CAL.is_working_day(D(2025, 4, 26))
    assert not CAL.is_working_day(D(2025, 4, 30))
    assert not CAL.is_working_day(D(2025, 5, 1))


def test_three_working_days_from_friday_25_april_2025_counts_the_saturday() -> None:
    # Fri 25/4 09:00: Sat 26/4 (worked) = 1, Sun 27 off, Mon 28/4 = 2, Tue 29/4 = 3.
    assert CAL.due_at(T(2025, 4, 25, 9, 0), wd(3)) == T(2025, 4, 29, 17, 0)


def test_five_working_days_from_friday_25_april_2025_jump_the_long_weekend() -> None:
    # 26, 28, 29/4 = 1..3; 30/4, 1/5, 2/5 off, 3–4/5 weekend; Mon 5/5 = 4, Tue 6/5 = 5.
    assert CAL.due_at(T(2025, 4, 25, 9, 0), wd(5)) == T(2025, 5, 6, 17, 0)


def test_hung_kings_2026_falls_on_sunday_and_monday_is_observed() -> None:
    # 10/3 lunar year Bính Ngọ = Sunday 26/4/2026.
    assert D(2026, 4, 26).weekday() == 6
    assert CAL.holiday_name(D(2026, 4, 26)) is not None
    assert not CAL.is_working_day(D(2026, 4, 27))
    assert D(2026, 4, 27).weekday() == 0


def test_vietnamese_culture_day_is_a_day_off_from_2026() -> None:
    assert D(2026, 11, 24).weekday() == 1
    assert not CAL.is_working_day(D(2026, 11, 24))
    assert "Văn hóa" in (CAL.holiday_name(D(2026, 11, 24)) or "")


def test_24_november_2025_was_still_a_working_day() -> None:
    # The holiday was created for 2026 onwards; Monday 24/11/2025 was an ordinary day.
    assert D(2025, 11, 24).weekday() == 0
    assert CAL.is_working_day(D(2025, 11, 24))


@pytest.mark.parametrize("day", [D(2025, 9, 1), D(2025, 9, 2)])
def test_national_day_2025_two_days_off(day: dt.date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


def test_new_year_2026_is_off_and_the_day_after_is_worked() -> None:
    assert not CAL.is_working_day(D(2026, 1, 1))
    assert CAL.is_working_day(D(2026, 1, 2))


# ------------------------------------------------------------------ receipt and cut-off


def test_same_day_before_cutoff_is_due_that_evening() -> None:
    assert CAL.due_at(T(2026, 11, 23, 14, 59), SAME_DAY) == T(2026, 11, 23, 17, 0)


def test_same_day_at_cutoff_is_due_next_working_day_skipping_culture_day() -> None:
    assert CAL.due_at(T(2026, 11, 23, 15, 0), SAME_DAY) == T(2026, 11, 25, 17, 0)


def test_receipt_on_saturday_counts_from_monday_opening() -> None:
    saturday = T(2026, 11, 21, 10, 0)
    assert CAL.effective_receipt(saturday) == T(2026, 11, 23, 7, 30)
    assert CAL.due_at(saturday, SAME_DAY) == T(2026, 11, 23, 17, 0)
    # Mon 23 is the (deemed) receipt day and not counted; 24 is a holiday.
    assert CAL.due_at(saturday, wd(1)) == T(2026, 11, 25, 17, 0)


def test_receipt_after_closing_counts_from_next_working_day() -> None:
    evening = T(2026, 11, 23, 17, 30)
    assert CAL.effective_receipt(evening) == T(2026, 11, 25, 7, 30)
    assert CAL.due_at(evening, SAME_DAY) == T(2026, 11, 25, 17, 0)
    assert CAL.due_at(evening, wd(1)) == T(2026, 11, 26, 17, 0)


def test_receipt_at_closing_time_is_after_hours() -> None:
    assert CAL.effective_receipt(T(2026, 11, 23, 17, 0)) == T(2026, 11, 25, 7, 30)


def test_receipt_before_opening_counts_from_opening_that_day() -> None:
    early = T(2026, 11, 23, 6, 45)
    assert CAL.effective_receipt(early) == T(2026, 11, 23, 7, 30)
    assert CAL.due_at(early, SAME_DAY) == T(2026, 11, 23, 17, 0)
    assert CAL.due_at(early, Duration("working_hours", 1)) == T(2026, 11, 23, 8, 30)


def test_receipt_in_the_lunch_break_belongs_to_that_day() -> None:
    lunch = T(2026, 11, 23, 12, 0)
    assert CAL.effective_receipt(lunch) == lunch
    assert CAL.due_at(lunch, Duration("working_hours", 1)) == T(2026, 11, 23, 14, 0)


# ------------------------------------------------------------------ other duration kinds


def test_eight_working_hours_from_monday_16h() -> None:
    # Mon 16:00–17:00 = 1 h; Tue 24/11 holiday; Wed 07:30–11:30 = 4 h (5);
    # 13:00–16:00 = 3 h (8).
    assert CAL.due_at(T(2026, 11, 23, 16, 0), Duration("working_hours", 8)) == T(
        2026, 11, 25, 16, 0
    )


def test_working_hours_span_the_lunch_break() -> None:
    # 10:00–11:30 = 1.5 h, then 13:00–15:30 = 2.5 h.
    assert CAL.due_at(T(2026, 11, 23, 10, 0), Duration("working_hours", 4)) == T(
        2026, 11, 23, 15, 30
    )


def test_working_hours_ending_exactly_at_closing() -> None:
    assert CAL.due_at(T(2026, 11, 23, 16, 0), Duration("working_hours", 1)) == T(
        2026, 11, 23, 17, 0
    )


def test_calendar_days_on_a_working_day() -> None:
    # Hòa giải tranh chấp đất đai: 30 days from Mon 23/11/2026 = Wed 23/12/2026.
    assert CAL.due_at(T(2026, 11, 23, 9, 0), Duration("calendar_days", 30)) == T(
        2026, 12, 23, 17, 0
    )


def test_calendar_days_landing_on_a_weekend_move_to_monday() -> None:
    assert CAL.due_at(T(2026, 11, 23, 9, 0), Duration("calendar_days", 5)) == T(2026, 11, 30, 17, 0)


def test_calendar_days_landing_on_new_year_move_to_next_working_day() -> None:
    # Thu 31/12/2026 + 1 = Fri 1/1/2027 (holiday) -> Mon 4/1/2027.
    assert CAL.due_at(T(2026, 12, 31, 9, 0), Duration("calendar_days", 1)) == T(2027, 1, 4, 17, 0)


def test_none_has_no_appointment() -> None:
    assert CAL.due_at(T(2026, 11, 23, 9, 0), Duration("none")) is None


def test_zero_working_days_is_due_on_the_deemed_receipt_day() -> None:
    assert CAL.due_at(T(2026, 11, 21, 9, 0), wd(0)) == T(2026, 11, 23, 17, 0)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("working_days", None),
        ("working_days", -1),
        ("calendar_days", None),
        ("same_day", 1),
        ("none", 0),
        ("weeks", 2),
    ],
)
def test_nonsense_durations_are_refused(kind: str, value: int | None) -> None:
    with pytest.raises(ValueError, match="duration"):
        Duration(kind, value)  # type: ignore[arg-type]


def test_years_outside_the_supported_range_are_refused() -> None:
    with pytest.raises(ValueError, match="ngoài lịch") as caught:
        WorkingCalendar().is_working_day(D(2200, 1, 1))
    assert isinstance(caught.value, CalendarRangeError) and caught.value.exit_status == 2


def test_a_deadline_past_the_supported_range_is_bad_input_not_a_crash() -> None:
    # Received in range, due beyond 2100: the day table would need 2101.
    with pytest.raises(CalendarRangeError, match="2101"):
        WorkingCalendar().due_at(dt.datetime(2100, 12, 20, 9, 0), Duration("working_days", 30))


def test_office_hours_parse_and_validate() -> None:
    hours = OfficeHours.parse("07:00-11:00, 13:30-17:30")
    assert hours.opening == dt.time(7, 0)
    assert hours.closing == dt.time(17, 30)
    assert OfficeHours.from_json(hours.to_json()) == hours
    with pytest.raises(ValueError, match="HH:MM"):
        OfficeHours.parse("7h30-11h30")
    with pytest.raises(ValueError, match="kết thúc trước"):
        OfficeHours.parse("11:30-07:30")
    with pytest.raises(ValueError, match="chồng nhau"):
        OfficeHours.parse("07:30-12:00,11:00-17:00")


def test_custom_office_hours_and_cutoff_move_the_due_time() -> None:
    cal = WorkingCalendar(
        office_hours=OfficeHours.parse("07:00-11:00,13:30-17:30"),
        same_day_cutoff=dt.time(16, 0),
    )
    assert cal.due_at(T(2026, 11, 23, 15, 30), SAME_DAY) == T(2026, 11, 23, 17, 30)
    assert cal.due_at(T(2026, 11, 23, 16, 0), SAME_DAY) == T(2026, 11, 25, 17, 30)


def test_overrides_from_rows_refuses_unknown_kinds() -> None:
    assert overrides_from_rows([(D(2026, 1, 2), "day_off")]) == {D(2026, 1, 2): "day_off"}
    with pytest.raises(ValueError, match="holiday"):
        overrides_from_rows([(D(2026, 1, 2), "holiday")])


def test_pure_overrides_win_over_the_package() -> None:
    cal = WorkingCalendar({D(2026, 11, 25): "day_off", D(2026, 11, 28): "working_day"})
    assert not cal.is_working_day(D(2026, 11, 25))
    assert cal.is_working_day(D(2026, 11, 28))
    assert cal.due_at(T(2026, 11, 23, 9, 0), wd(1)) == T(2026, 11, 26, 17, 0)


# ------------------------------------------------------------------ administrator overrides


def _count(ctx: DeskContext, model: type[CalendarOverride] | type[Event]) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_extra_day_off_moves_due_dates(profiled_ctx: DeskContext) -> None:
    received = T(2026, 11, 23, 9, 0)
    assert profiled_ctx.profiles.calendar().due_at(received, wd(1)) == T(2026, 11, 25, 17, 0)

    profiled_ctx.calendar_admin.add_override(
        D(2026, 11, 25), "day_off", "Quyết định số 12/QĐ-UBND", actor="admin"
    )

    calendar = profiled_ctx.profiles.calendar()
    assert not calendar.is_working_day(D(2026, 11, 25))
    assert calendar.due_at(received, wd(1)) == T(2026, 11, 26, 17, 0)


def test_make_up_saturday_counts(profiled_ctx: DeskContext) -> None:
    received = T(2026, 12, 3, 9, 0)  # Thursday
    assert profiled_ctx.profiles.calendar().due_at(received, wd(2)) == T(2026, 12, 7, 17, 0)

    profiled_ctx.calendar_admin.add_override(
        D(2026, 12, 5), "working_day", "Làm bù theo Thông báo 05/TB-VPCP", actor="admin"
    )

    calendar = profiled_ctx.profiles.calendar()
    assert calendar.is_working_day(D(2026, 12, 5))
    assert calendar.due_at(received, wd(2)) == T(2026, 12, 5, 17, 0)


def test_override_is_recorded_as_an_event_and_listed(profiled_ctx: DeskContext) -> None:
    profiled_ctx.calendar_admin.add_override(
        D(2026, 12, 5), "working_day", "  Làm bù  ", actor="admin"
    )
    with profiled_ctx.db.read() as s:
        event = s.scalars(select(Event)).one()
    assert event.kind == "calendar.override_set"
    assert event.payload == {"day": "2026-12-05", "kind": "working_day", "reason": "Làm bù"}
    assert (event.origin_agency_code, event.origin_desk, event.origin_seq) == (
        "000.20.33.H12",
        1,
        1,
    )

    listed = {d.day: d for d in profiled_ctx.calendar_admin.year(2026)}
    assert listed[D(2026, 12, 5)].source == "override"
    assert listed[D(2026, 12, 5)].working
    assert listed[D(2026, 12, 5)].reason == "Làm bù"
    assert listed[D(2026, 11, 24)].source == "holiday"
    assert not listed[D(2026, 11, 24)].working
    assert D(2026, 11, 23) not in listed  # an ordinary Monday


def test_an_override_can_be_replaced(profiled_ctx: DeskContext) -> None:
    admin = profiled_ctx.calendar_admin
    admin.add_override(D(2026, 12, 5), "working_day", "Làm bù", actor="admin")
    admin.add_override(D(2026, 12, 5), "day_off", "Hủy làm bù", actor="admin")
    assert not profiled_ctx.profiles.calendar().is_working_day(D(2026, 12, 5))
    assert _count(profiled_ctx, CalendarOverride) == 1
    assert _count(profiled_ctx, Event) == 2


@pytest.mark.parametrize(
    ("day", "kind", "reason", "message"),
    [
        (D(2026, 11, 22), "day_off", "Nghỉ", "vốn đã không phải ngày làm việc"),  # a Sunday
        (D(2026, 11, 24), "day_off", "Nghỉ", "không phải ngày làm việc"),  # a holiday already
        (D(2026, 11, 23), "working_day", "Làm bù", "vốn đã là ngày làm việc"),  # a Monday
        (D(2026, 11, 25), "day_off", "   ", "lý do"),
    ],
)
def test_nonsense_overrides_are_refused_and_write_nothing(
    profiled_ctx: DeskContext, day: dt.date, kind: str, reason: str, message: str
) -> None:
    before = profiled_ctx.calendar_admin.year(2026)
    with pytest.raises(OverrideError, match=message):
        profiled_ctx.calendar_admin.add_override(day, kind, reason, actor="admin")  # type: ignore[arg-type]
    assert _count(profiled_ctx, CalendarOverride) == 0
    assert _count(profiled_ctx, Event) == 0
    assert profiled_ctx.calendar_admin.year(2026) == before


# ------------------------------------------------------------------ properties

RECEIVED = st.datetimes(min_value=T(2025, 1, 1), max_value=T(2027, 12, 31, 23, 59))


def _reference_add(start: dt.date, n: int) -> dt.date:
    """Day-by-day walk: the obvious, slow definition of "the N-th working day after"."""
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if CAL.is_working_day(day):
            n -= 1
    return day


@settings(max_examples=300, deadline=None)
@given(received=RECEIVED, n=st.integers(0, 30))
def test_working_days_due_is_a_working_day_at_closing_n_days_later(
    received: dt.datetime, n: int
) -> None:
    due = CAL.due_at(received, wd(n))
    assert due is not None
    assert due.time() == DEFAULT_OFFICE_HOURS.closing
    assert CAL.is_working_day(due.date())
    start = CAL.effective_receipt(received)
    assert start >= received
    assert CAL.is_working_day(start.date())
    assert CAL.working_days_between(start.date(), due.date()) == n
    assert due.date() == _reference_add(start.date(), n)
    if n > 0:
        earlier = CAL.due_at(received, wd(n - 1))
        assert earlier is not None and earlier < due


@settings(max_examples=300, deadline=None)
@given(received=RECEIVED, n=st.integers(1, 30))
def test_holidays_never_inflate_a_deadline_beyond_the_days_off_in_between(
    received: dt.datetime, n: int
) -> None:
    """Peers turned a 2-day deadline into 6: the span is N plus the days off, no more."""
    due = CAL.due_at(received, wd(n))
    assert due is not None
    start = CAL.effective_receipt(received).date()
    span = (due.date() - start).days
    days_off = sum(not CAL.is_working_day(start + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert span <= n + days_off
    # and no shorter either: every day in between is either counted or a day off
    assert span == n + days_off
    # the due day itself is counted, never a day off
    assert CAL.is_working_day(due.date())


@settings(max_examples=200, deadline=None)
@given(received=RECEIVED)
def test_same_day_is_due_on_the_deemed_receipt_day_or_the_next(received: dt.datetime) -> None:
    due = CAL.due_at(received, SAME_DAY)
    assert due is not None
    start = CAL.effective_receipt(received)
    assert CAL.working_days_between(start.date(), due.date()) == (
        0 if start.time() < dt.time(15, 0) else 1
    )
    assert due.time() == CLOSE


def test_an_override_can_be_cleared_back_to_the_official_calendar(
    profiled_ctx: DeskContext,
) -> None:
    admin = profiled_ctx.calendar_admin
    received = T(2026, 11, 23, 9, 0)
    admin.add_override(D(2026, 11, 25), "day_off", "QĐ 12/QĐ-UBND", actor="admin")
    assert profiled_ctx.profiles.calendar().due_at(received, wd(1)) == T(2026, 11, 26, 17, 0)

    admin.clear_override(D(2026, 11, 25), actor="admin2")

    calendar = profiled_ctx.profiles.calendar()
    assert calendar.is_working_day(D(2026, 11, 25))
    assert calendar.due_at(received, wd(1)) == T(2026, 11, 25, 17, 0)
    assert D(2026, 11, 25) not in {d.day for d in admin.year(2026)}
    assert _count(profiled_ctx, CalendarOverride) == 0
    with profiled_ctx.db.read() as s:
        event = s.scalars(select(Event).order_by(Event.seq.desc())).first()
    assert event is not None
    assert (event.kind, event.payload, event.actor) == (
        "calendar.override_cleared",
        {"day": "2026-11-25"},
        "admin2",
    )


def test_clearing_a_day_without_override_is_refused_and_writes_nothing(
    profiled_ctx: DeskContext,
) -> None:
    with pytest.raises(OverrideError, match="không có ngoại lệ"):
        profiled_ctx.calendar_admin.clear_override(D(2026, 11, 24), actor="admin")  # a holiday
    assert _count(profiled_ctx, Event) == 0
    assert not profiled_ctx.profiles.calendar().is_working_day(D(2026, 11, 24))
