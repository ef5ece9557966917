"""The administrator's profile changes: audited, the commune-wide part recorded as a
``commune.profile_set`` event another desk follows, and the identity fixed once used."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from desk_app.calendar import OfficeHours
from desk_app.clock import FixedClock, utc_naive
from desk_app.context import DeskContext
from desk_app.db.models import Event
from desk_app.dossiers import apply_pulled
from desk_app.profile import ProfileError
from tests.unit.intake_fixtures import (
    ADMIN,
    NOW,
    PROFILE,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]


def test_a_change_is_audited_and_recorded_as_a_commune_event(desk: DeskContext) -> None:
    changed = dataclasses.replace(
        desk.profiles.require(),
        commune_name="Xã Tân Phú Mới",
        office_hours=OfficeHours.parse("07:00-11:00,13:30-17:00"),
        receipt_notes=("Mang theo CCCD khi nhận kết quả.",),
    )
    assert desk.profiles.save(changed, utc_naive(desk.clock), actor=ADMIN.username)
    events = rows(desk, "SELECT kind, payload, actor FROM events")
    assert [(e[0], e[2]) for e in events] == [("commune.profile_set", ADMIN.username)]
    assert '"office_hours":"07:00-11:00,13:30-17:00"' in events[0][1]
    assert rows(desk, "SELECT username FROM audit_log WHERE action = 'profile_changed'") == [
        (ADMIN.username,)
    ]
    # Saving the same values again records no second event.
    assert not desk.profiles.save(changed, utc_naive(desk.clock), actor=ADMIN.username)


def test_another_desk_follows_the_event_but_keeps_its_identity(
    desk: DeskContext, tmp_path: Path
) -> None:
    other = DeskContext.open(tmp_path / "desk2", FixedClock(NOW))
    try:
        other.profiles.save(dataclasses.replace(PROFILE, desk_number=2), utc_naive(other.clock))
        changed = dataclasses.replace(desk.profiles.require(), result_place="Quầy số 1, UBND xã")
        desk.profiles.save(changed, utc_naive(desk.clock), actor=ADMIN.username)
        (uuid, payload) = rows(desk, "SELECT uuid, payload FROM events")[0]
        import json

        with other.db.write() as s:
            event = Event(
                uuid=uuid, dossier_uuid=None, kind="commune.profile_set", version=1,
                payload=json.loads(payload), occurred_at=utc_naive(desk.clock),
                actor=ADMIN.username, origin_agency_code=PROFILE.agency_code, origin_desk=1,
                origin_seq=1, is_local=False, server_seq=1,
            )  # fmt: skip
            s.add(event)
            s.flush()
            apply_pulled(s, event, own=False)
        followed = other.profiles.require()
        assert followed.result_place == "Quầy số 1, UBND xã"
        assert followed.desk_number == 2
        assert followed.office_hours == PROFILE.office_hours
    finally:
        other.close()


def test_identity_is_fixed_once_a_code_is_issued(desk: DeskContext) -> None:
    assert desk.profiles.identity_fixed_reason() is None
    from tests.unit.intake_fixtures import OFFICER

    desk.intake.receive(request(), OFFICER)
    reason = desk.profiles.identity_fixed_reason()
    assert reason is not None and "mã hồ sơ" in reason
    with pytest.raises(ProfileError) as caught:
        desk.profiles.save(
            dataclasses.replace(desk.profiles.require(), desk_number=3),
            utc_naive(desk.clock),
            actor=ADMIN.username,
        )
    assert caught.value.code == "profile.identity_fixed"


def test_receipt_texts_print_on_the_receipt(desk: DeskContext, tmp_path: Path) -> None:
    import subprocess

    changed = dataclasses.replace(
        desk.profiles.require(),
        receipt_unit_name="BỘ PHẬN MỘT CỬA XÃ TÂN PHÚ",
        receipt_notes=("Gọi 0251 3800 000 nếu cần hỏi {thêm}.",),
    )
    desk.profiles.save(changed, utc_naive(desk.clock), actor=ADMIN.username)
    from tests.unit.intake_fixtures import OFFICER

    result = desk.intake.receive(request(), OFFICER)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(result.receipt_pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "BỘ PHẬN MỘT CỬA XÃ TÂN PHÚ" in text
    assert "{thêm}" in text
    assert "Tra cứu tình trạng hồ sơ" not in text  # the template's note replaced
    assert dt.date(2026, 11, 23) == NOW.date()
