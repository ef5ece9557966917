"""The working-day calendar (lịch ngày làm việc) and due-date arithmetic.

Rules, as the desk applies them:

* A working day is Monday–Friday, minus Vietnamese public holidays (with their observed
  days and the swaps the ``holidays`` package knows), plus official make-up Saturdays;
  an administrator's per-day override wins over both.
* A dossier received outside working days or office hours is deemed received at the
  opening of the next working day.
* ``working_days N``: the receipt day itself is not counted; the result is due at the
  close of office on the N-th working day after the (deemed) receipt day.
* ``same_day``: received on a working day before the cut-off (default 15:00) → due at
  the close of that day; after the cut-off → the close of the next working day.
* ``working_hours N``: N hours of office time counted from the (deemed) receipt time.
* ``calendar_days N``: N calendar days; a due day that is not a working day moves to
  the next working day.
* ``none``: no appointment ("Không có ngày hẹn trả cụ thể").

Everything here is pure: no clock, no database. ``WorkingCalendar`` takes the overrides
and hours as values, so the same code serves the GUI, the CLI and the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import holidays

from desk_app.errors import InvalidInputError

DurationKind = Literal["working_days", "same_day", "working_hours", "calendar_days", "none"]
DURATION_KINDS: tuple[DurationKind, ...] = (
    "working_days",
    "same_day",
    "working_hours",
    "calendar_days",
    "none",
)
OverrideKind = Literal["day_off", "working_day"]


class OfficeHoursError(InvalidInputError):
    """Office hours or a time of day that cannot be used; the message says why."""

    default_code = "calendar.office_hours_invalid"


@dataclass(frozen=True)
class Duration:
    """A statutory duration (thời hạn giải quyết)."""

    kind: DurationKind
    value: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in DURATION_KINDS:
            raise ValueError(f"unknown duration kind {self.kind!r}")
        needs_value = self.kind in ("working_days", "working_hours", "calendar_days")
        if needs_value and (self.value is None or self.value < 0):
            raise ValueError(f"a {self.kind} duration needs a count of zero or more")
        if not needs_value and self.value is not None:
            raise ValueError(f"a {self.kind} duration takes no count")


@dataclass(frozen=True)
class OfficeHours:
    """Office periods of a working day, e.g. 07:30–11:30 and 13:00–17:00."""

    periods: tuple[tuple[dt.time, dt.time], ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise OfficeHoursError("giờ làm việc cần ít nhất một buổi")
        previous_end: dt.time | None = None
        for start, end in self.periods:
            if start >= end:
                raise OfficeHoursError(
                    f"buổi làm việc {start:%H:%M}–{end:%H:%M} kết thúc trước khi bắt đầu"
                )
            if previous_end is not None and start < previous_end:
                raise OfficeHoursError("các buổi làm việc phải theo thứ tự và không chồng nhau")
            previous_end = end

    @property
    def opening(self) -> dt.time:
        return self.periods[0][0]

    @property
    def closing(self) -> dt.time:
        return self.periods[-1][1]

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse ``"07:30-11:30,13:00-17:00"``."""
        periods = []
        for part in text.split(","):
            m = re.fullmatch(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*", part)
            if not m:
                raise OfficeHoursError(f"giờ làm việc {text!r}: cần dạng HH:MM-HH:MM[,HH:MM-HH:MM]")
            periods.append((parse_hhmm(m.group(1)), parse_hhmm(m.group(2))))
        return cls(tuple(periods))

    def to_json(self) -> list[list[str]]:
        return [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in self.periods]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[str]]) -> OfficeHours:
        return cls(tuple((parse_hhmm(a), parse_hhmm(b)) for a, b in data))

    def __str__(self) -> str:
        return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.periods)


def parse_hhmm(text: str) -> dt.time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise OfficeHoursError(f"{text!r} không phải giờ dạng HH:MM")
    return dt.time(int(m.group(1)), int(m.group(2)))


DEFAULT_OFFICE_HOURS = OfficeHours(
    ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(17, 0)))
)
DEFAULT_SAME_DAY_CUTOFF = dt.time(15, 0)

# Years outside this range are refused: a typo such as 20260 must not build a calendar
# for ten thousand years.
MIN_YEAR, MAX_YEAR = 1990, 2100


class CalendarRangeError(InvalidInputError):
    """A date (or a deadline counted from it) falls outside the years the calendar
    knows holidays for. Also a ``ValueError``, as it always was."""

    default_code = "calendar.out_of_range"


class _DayTable(NamedTuple):
    lo: int
    hi: int
    ordinals: list[int]  # sorted ordinals of every working day in years lo..hi
    working: frozenset[int]


class WorkingCalendar:
    """Working days and due dates for one commune desk."""

    def __init__(
        self,
        overrides: Mapping[dt.date, OverrideKind] | None = None,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        same_day_cutoff: dt.time = DEFAULT_SAME_DAY_CUTOFF,
    ) -> None:
        self.overrides: dict[dt.date, OverrideKind] = dict(overrides or {})
        self.office_hours = office_hours
        self.same_day_cutoff = same_day_cutoff
        self._holidays = holidays.country_holidays("VN", language="vi")
        # Built lazily, replaced whole (one assignment), never changed in place: one
        # calendar can serve several threads.
        self._table: _DayTable | None = None

    # ------------------------------------------------------------ working days

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday's name on ``day``, if any."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def _base_working(self, day: dt.date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == "working_day"
        return bool(self._holidays.is_working_day(day))

    def _cover(self, year: int) -> _DayTable:
        """The day table, extended if needed to cover ``year``."""
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarRangeError(
                f"năm {year} nằm ngoài lịch làm việc của phần mềm ({MIN_YEAR}–{MAX_YEAR}): "
                "không tính được ngày làm việc, ngày hẹn cho năm đó"
            )
        table = self._table
        if table is not None and table.lo <= year <= table.hi:
            return table
        lo, hi = (table.lo, table.hi) if table is not None else (year, year)
        # One year of margin on each side: deadlines cross the new year.
        lo, hi = max(MIN_YEAR, min(lo, year - 1)), min(MAX_YEAR, max(hi, year + 1))
        first, last = dt.date(lo, 1, 1).toordinal(), dt.date(hi, 12, 31).toordinal()
        ordinals = [o for o in range(first, last + 1) if self._base_working(dt.date.fromordinal(o))]
        table = _DayTable(lo, hi, ordinals, frozenset(ordinals))
        self._table = table
        return table

    def is_working_day(self, day: dt.date) -> bool:
        return day.toordinal() in self._cover(day.year).working

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day strictly after ``day`` (``day`` when count is 0)."""
        if count < 0:
            raise ValueError("a working-day count cannot be negative")
        if count == 0:
            return day
        table = self._cover(day.year)
        i = bisect_right(table.ordinals, day.toordinal()) + count - 1
        while i >= len(table.ordinals):
            table = self._cover(table.hi + 1)
            i = bisect_right(table.ordinals, day.toordinal()) + count - 1
        return dt.date.fromordinal(table.ordinals[i])

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many days of a deadline ``end`` consumes."""
        if end <= start:
            return 0
        self._cover(start.year)
        table = self._cover(end.year)
        return bisect_right(table.ordinals, end.toordinal()) - bisect_right(
            table.ordinals, start.toordinal()
        )

    def working_days_in(self, year: int) -> list[dt.date]:
        table = self._cover(year)
        first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        return [dt.date.fromordinal(o) for o in table.ordinals if first <= o <= last]

    # ------------------------------------------------------------ receipt and due

    def in_office_hours(self, moment: dt.datetime) -> bool:
        t = moment.time()
        return self.is_working_day(moment.date()) and any(
            a <= t < b for a, b in self.office_hours.periods
        )

    def effective_receipt(self, received: dt.datetime) -> dt.datetime:
        """When the clock starts: ``received``, or the next opening when outside hours.

        Before opening on a working day counts from that day's opening; during the lunch
        break it counts as that day (the desk was reachable that day).
        """
        day, t = received.date(), received.time()
        if self.is_working_day(day) and t < self.office_hours.closing:
            return max(received, dt.datetime.combine(day, self.office_hours.opening))
        return dt.datetime.combine(self.next_working_day(day), self.office_hours.opening)

    def due_at(self, received: dt.datetime, duration: Duration) -> dt.datetime | None:
        """The appointment (ngày hẹn trả) for a dossier received at ``received``."""
        closing = self.office_hours.closing
        start = self.effective_receipt(received)
        match duration.kind:
            case "none":
                return None
            case "working_days":
                assert duration.value is not None
                return dt.datetime.combine(
                    self.add_working_days(start.date(), duration.value), closing
                )
            case "same_day":
                if start.time() < self.same_day_cutoff:
                    return dt.datetime.combine(start.date(), closing)
                return dt.datetime.combine(self.next_working_day(start.date()), closing)
            case "working_hours":
                assert duration.value is not None
                return self._add_office_minutes(start, duration.value * 60)
            case "calendar_days":
                assert duration.value is not None
                day = start.date() + dt.timedelta(days=duration.value)
                if not self.is_working_day(day):
                    day = self.next_working_day(day)
                return dt.datetime.combine(day, closing)
        raise AssertionError(duration.kind)  # pragma: no cover - exhaustive match

    def _add_office_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        moment = start
        remaining = dt.timedelta(minutes=minutes)
        while True:
            day = moment.date()
            if self.is_working_day(day):
                for a, b in self.office_hours.periods:
                    period_start = dt.datetime.combine(day, a)
                    period_end = dt.datetime.combine(day, b)
                    if moment >= period_end:
                        continue
                    moment = max(moment, period_start)
                    available = period_end - moment
                    if remaining <= available:
                        return moment + remaining
                    remaining -= available
                    moment = period_end
            moment = dt.datetime.combine(self.next_working_day(day), self.office_hours.opening)


def overrides_from_rows(rows: Iterable[tuple[dt.date, str]]) -> dict[dt.date, OverrideKind]:
    result: dict[dt.date, OverrideKind] = {}
    for day, kind in rows:
        if kind not in ("day_off", "working_day"):
            raise ValueError(f"unknown calendar override kind {kind!r}")
        result[day] = "day_off" if kind == "day_off" else "working_day"
    return result
