"""What an administrator changes for the commune reaches the other desks through a real
district server: the commune profile (names, hours, result place, receipt words) and
the calendar overrides. Each desk keeps its own agency code and desk number, which are
fixed once it is enrolled."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from desk_app.calendar import OfficeHours
from desk_app.clock import utc_naive
from tests.sync.conftest import Desk, SharedServer, new_agency, settle


def test_profile_and_calendar_reach_every_desk(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    agency = new_agency()
    one, two = make_desk(agency, 1), make_desk(agency, 2)
    for desk in (one, two):
        desk.enroll(shared_server.db_url, shared_server.url)
    reason = one.ctx.profiles.identity_fixed_reason()
    assert reason is not None and "máy chủ huyện" in reason

    changed = dataclasses.replace(
        one.ctx.profiles.require(),
        result_place="Quầy 1, Trụ sở UBND xã Tân Phú",
        office_hours=OfficeHours.parse("07:00-11:00,13:30-17:00"),
        same_day_cutoff=dt.time(14, 30),
        receipt_notes=("Mang theo giấy hẹn khi nhận kết quả.", "Điện thoại: 0251 3800 000"),
    )
    assert one.ctx.profiles.save(changed, utc_naive(one.ctx.clock), actor=one.officer.username)
    day = dt.date(2026, 12, 31)
    one.ctx.calendar_admin.add_override(day, "day_off", "Quyết định 99/QĐ-UBND", "lan.nt")
    settle([one, two])

    followed = two.ctx.profiles.require()
    assert followed.result_place == "Quầy 1, Trụ sở UBND xã Tân Phú"
    assert followed.office_hours == changed.office_hours
    assert followed.same_day_cutoff == dt.time(14, 30)
    assert followed.receipt_notes == changed.receipt_notes
    assert (followed.agency_code, followed.desk_number) == (agency, 2)
    assert not two.ctx.profiles.calendar().is_working_day(day)


def test_a_cleared_override_is_cleared_on_every_desk(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    one, two = enrolled_pair(shared_server, make_desk)
    day = dt.date(2026, 12, 30)  # a Wednesday
    one.ctx.calendar_admin.add_override(day, "day_off", "Quyết định 98/QĐ-UBND", "lan.nt")
    settle([one, two])
    assert not two.ctx.profiles.calendar().is_working_day(day)

    one.ctx.calendar_admin.clear_override(day, "lan.nt")
    settle([one, two])
    for desk in (one, two):
        assert desk.ctx.profiles.calendar().is_working_day(day)
        assert all(d.day != day for d in desk.ctx.calendar_admin.year(2026))


def enrolled_pair(server: SharedServer, make_desk: Callable[..., Desk]) -> tuple[Desk, Desk]:
    """Desks 1 and 2 of a new agency, both enrolled on ``server``."""
    agency = new_agency()
    pair = make_desk(agency, 1), make_desk(agency, 2)
    for desk in pair:
        desk.enroll(server.db_url, server.url)
    return pair
