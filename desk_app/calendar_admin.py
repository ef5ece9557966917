"""Administrator's calendar overrides: official swaps the holidays package does not know.

Each override is recorded as an event, so the other desks of the commune get it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desk_app.calendar import OverrideKind, WorkingCalendar
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import CalendarOverride
from desk_app.dossiers import record
from desk_app.errors import InvalidInputError
from desk_app.profile import ProfileService
from desk_app.text import is_safe_text
from event_schema import CalendarOverrideClearedV1, CalendarOverrideSetV1


class OverrideError(InvalidInputError):
    """The override makes no sense (e.g. a day off on a Sunday); the message says why."""

    default_code = "calendar.override_invalid"


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    working: bool
    source: str  # "holiday" | "weekend_workday" | "override"
    reason: str


class CalendarAdmin:
    def __init__(self, db: Database, profiles: ProfileService, clock: Clock) -> None:
        self._db = db
        self._profiles = profiles
        self._clock = clock

    def add_override(self, day: dt.date, kind: OverrideKind, reason: str, actor: str) -> None:
        """Declare ``day`` an extra day off or a make-up working day."""
        reason = reason.strip()
        if not reason:
            raise OverrideError("cần ghi lý do (văn bản công bố thay đổi)")
        if not is_safe_text(reason):
            raise OverrideError("lý do có ký tự điều khiển hoặc ký tự đảo chiều văn bản")
        calendar = self._profiles.calendar()
        if kind == "day_off" and not calendar.is_working_day(day):
            raise OverrideError(f"ngày {day:%d/%m/%Y} vốn đã không phải ngày làm việc")
        if kind == "working_day" and calendar.is_working_day(day):
            raise OverrideError(f"ngày {day:%d/%m/%Y} vốn đã là ngày làm việc")
        profile = self._profiles.require()
        now = utc_naive(self._clock)
        with self._db.write() as s:
            existing = s.get(CalendarOverride, day)
            if existing is not None:
                s.delete(existing)
                s.flush()
            s.add(
                CalendarOverride(
                    day=day, kind=kind, reason=reason, created_by=actor, created_at=now
                )
            )
            record(
                s,
                CalendarOverrideSetV1(day=day, kind=kind, reason=reason),
                actor=actor,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now,
            )

    def clear_override(self, day: dt.date, actor: str) -> None:
        """Withdraw the override of ``day``: it is again what the official calendar says.
        Due dates already recorded stay as they were recorded."""
        profile = self._profiles.require()
        now = utc_naive(self._clock)
        with self._db.write() as s:
            existing = s.get(CalendarOverride, day)
            if existing is None:
                raise OverrideError(f"ngày {day:%d/%m/%Y} không có ngoại lệ nào để bỏ")
            s.delete(existing)
            record(
                s,
                CalendarOverrideClearedV1(day=day),
                actor=actor,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now,
            )

    def year(self, year: int) -> list[CalendarDay]:
        """Every day of ``year`` that departs from the Monday–Friday rule, with why."""
        calendar: WorkingCalendar = self._profiles.calendar()
        with self._db.read() as s:
            overrides = {
                o.day: o
                for o in s.scalars(
                    select(CalendarOverride).where(
                        CalendarOverride.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
                    )
                )
            }
        result = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            working = calendar.is_working_day(day)
            weekday_rule = day.weekday() < 5
            if day in overrides:
                result.append(CalendarDay(day, working, "override", overrides[day].reason))
            elif working != weekday_rule:
                name = calendar.holiday_name(day) or ""
                source = "holiday" if not working else "weekend_workday"
                result.append(CalendarDay(day, working, source, name or "Ngày làm việc bù"))
            day += dt.timedelta(days=1)
        return result
