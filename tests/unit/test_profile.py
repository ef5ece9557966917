"""The commune profile: validation, storage, the calendar built from it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desk_app.calendar import Duration, OfficeHours
from desk_app.clock import utc_naive
from desk_app.context import DeskContext
from desk_app.demo import seed_demo
from desk_app.dossier_code import CodePatternError
from desk_app.profile import NotInitializedError, Profile, ProfileError

NOW = dt.datetime(2026, 11, 23, 2, 0)
TAN_PHU = Profile(
    commune_name="Xã Tân Phú", province="Đồng Nai", agency_code="000.20.33.H12", desk_number=1
)


def test_a_fresh_database_has_no_profile(desk_ctx: DeskContext) -> None:
    assert desk_ctx.profiles.get() is None
    with pytest.raises(NotInitializedError, match="desk-app init"):
        desk_ctx.profiles.require()


def test_saved_profile_reads_back(profiled_ctx: DeskContext) -> None:
    assert profiled_ctx.profiles.require() == TAN_PHU


def test_profile_fields_strip_and_update(desk_ctx: DeskContext) -> None:
    custom = dataclasses.replace(
        TAN_PHU,
        commune_name="  Phường Bến Nghé ",
        office_hours=OfficeHours.parse("07:00-11:00,13:30-17:30"),
        same_day_cutoff=dt.time(16, 0),
        result_place="Quầy số 2",
    )
    desk_ctx.profiles.save(custom, NOW)
    saved = desk_ctx.profiles.require()
    assert saved.commune_name == "Phường Bến Nghé"
    assert saved.office_hours == custom.office_hours
    assert saved.same_day_cutoff == dt.time(16, 0)
    assert saved.result_place == "Quầy số 2"


@pytest.mark.parametrize(
    ("name", "parent_body", "place"),
    [
        ("Xã Tân Phú", "UBND XÃ TÂN PHÚ", "Tân Phú"),
        ("Phường Bến Nghé", "UBND PHƯỜNG BẾN NGHÉ", "Bến Nghé"),
        ("Đặc khu Phú Quốc", "UBND ĐẶC KHU PHÚ QUỐC", "Phú Quốc"),
        ("Tân Phú", "UBND XÃ TÂN PHÚ", "Tân Phú"),
    ],
)
def test_parent_body_and_place_name(name: str, parent_body: str, place: str) -> None:
    profile = dataclasses.replace(TAN_PHU, commune_name=name)
    assert profile.parent_body == parent_body
    assert profile.place_name == place


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"commune_name": "  "}, ProfileError, "tên xã"),
        ({"province": ""}, ProfileError, "tên tỉnh"),
        ({"agency_code": "000.20.33.h12"}, ProfileError, "000.00.00.H00"),
        ({"agency_code": "H12"}, ProfileError, "000.00.00.H00"),
        ({"desk_number": 0}, ProfileError, "Số quầy"),
        ({"desk_number": 100}, ProfileError, "Số quầy"),
        ({"desk_number": 10}, CodePatternError, "số quầy 10"),
        ({"same_day_cutoff": dt.time(18, 0)}, ProfileError, "Giờ chốt"),
        ({"idle_lock_minutes": 0}, ProfileError, "Khóa màn hình"),
        ({"dossier_code_pattern": "{agency}-{seq}"}, CodePatternError, "desk"),
    ],
)
def test_invalid_profiles_are_refused_and_not_saved(
    desk_ctx: DeskContext, changes: dict[str, object], error: type[Exception], message: str
) -> None:
    profile = dataclasses.replace(TAN_PHU, **changes)  # type: ignore[arg-type]
    with pytest.raises(error, match=message):
        desk_ctx.profiles.save(profile, NOW)
    assert desk_ctx.profiles.get() is None


def test_desk_10_is_fine_with_a_two_digit_desk_field(desk_ctx: DeskContext) -> None:
    profile = dataclasses.replace(
        TAN_PHU, desk_number=10, dossier_code_pattern="{agency}-{yymmdd}-{desk:02d}{seq:03d}"
    )
    desk_ctx.profiles.save(profile, NOW)
    assert desk_ctx.profiles.require().desk_number == 10


def test_calendar_uses_the_profile_hours_and_cutoff(desk_ctx: DeskContext) -> None:
    desk_ctx.profiles.save(
        dataclasses.replace(
            TAN_PHU,
            office_hours=OfficeHours.parse("07:00-11:00,13:30-17:30"),
            same_day_cutoff=dt.time(16, 0),
        ),
        NOW,
    )
    calendar = desk_ctx.profiles.calendar()
    received = dt.datetime(2026, 11, 23, 15, 30)
    assert calendar.due_at(received, Duration("same_day")) == dt.datetime(2026, 11, 23, 17, 30)


def test_agency_and_desk_are_fixed_once_dossiers_exist(profiled_ctx: DeskContext) -> None:
    # Another desk number before any dossier: allowed.
    profiled_ctx.profiles.save(dataclasses.replace(TAN_PHU, desk_number=2), NOW)
    profiled_ctx.profiles.save(TAN_PHU, NOW)

    seed_demo(profiled_ctx, 3, workers=0)
    with pytest.raises(ProfileError, match="không thể đổi"):
        profiled_ctx.profiles.save(dataclasses.replace(TAN_PHU, desk_number=2), NOW)
    with pytest.raises(ProfileError, match="không thể đổi"):
        profiled_ctx.profiles.save(dataclasses.replace(TAN_PHU, agency_code="000.20.33.H13"), NOW)
    # Other fields may still change.
    profiled_ctx.profiles.save(dataclasses.replace(TAN_PHU, result_place="Quầy 1"), NOW)
    assert profiled_ctx.profiles.require().result_place == "Quầy 1"
    assert profiled_ctx.profiles.require().desk_number == 1


def test_profile_saved_time_comes_from_the_clock(profiled_ctx: DeskContext) -> None:
    from sqlalchemy import select

    from desk_app.db.models import CommuneProfile

    with profiled_ctx.db.read() as s:
        row = s.scalars(select(CommuneProfile)).one()
    assert row.created_at == utc_naive(profiled_ctx.clock)
    assert row.created_at == dt.datetime(2026, 11, 23, 2, 0)  # 09:00 in Vietnam


def test_problems_name_every_faulty_field_at_once_in_vietnamese() -> None:
    assert TAN_PHU.problems() == {}
    wrong = dataclasses.replace(
        TAN_PHU,
        commune_name=" ",
        agency_code="H12",
        same_day_cutoff=dt.time(18, 0),
        idle_lock_minutes=0,
    )
    assert wrong.problems() == {
        "commune_name": "Nhập tên xã, phường.",
        "agency_code": "Mã đơn vị phải có dạng 000.00.00.H00.",
        "same_day_cutoff": "Giờ chốt phải nằm trong giờ làm việc.",
        "idle_lock_minutes": "Khóa màn hình sau 1 đến 240 phút.",
    }
    with pytest.raises(ProfileError, match="tên xã"):  # the first, for the CLI
        wrong.validate()
