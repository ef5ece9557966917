"""The clock is the edge of the world: services take one, tests pass a fixed one."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

# Every commune desk is in Vietnam: one zone, no daylight saving.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now_utc(self) -> dt.datetime: ...


class SystemClock:
    def now_utc(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and scripted imports."""

    def __init__(self, local: dt.datetime) -> None:
        self._utc = local.replace(tzinfo=LOCAL_ZONE).astimezone(dt.UTC)

    def now_utc(self) -> dt.datetime:
        return self._utc

    def advance(self, delta: dt.timedelta) -> None:
        self._utc += delta


def local_now(clock: Clock) -> dt.datetime:
    """The commune's wall-clock time, naive, as business times are stored."""
    return clock.now_utc().astimezone(LOCAL_ZONE).replace(tzinfo=None)


def utc_naive(clock: Clock) -> dt.datetime:
    return clock.now_utc().astimezone(dt.UTC).replace(tzinfo=None)
