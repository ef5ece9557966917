"""The commune profile (thông tin đơn vị): who this desk is and when it is open."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.calendar import (
    DEFAULT_OFFICE_HOURS,
    DEFAULT_SAME_DAY_CUTOFF,
    OfficeHours,
    WorkingCalendar,
    overrides_from_rows,
)
from desk_app.db.engine import Database
from desk_app.db.models import (
    CalendarOverride,
    CommuneProfile,
    Dossier,
    DossierCodeCounter,
    SyncState,
)
from desk_app.dossier_code import DEFAULT_PATTERN, CodePattern
from desk_app.dossiers import record
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.text import is_safe_text
from event_schema import CommuneProfileSetV1

AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


class ProfileError(InvalidInputError):
    """A profile value is wrong; the message names it."""

    default_code = "profile.invalid"


class NotInitializedError(OperationalError):
    """The desk has no commune profile yet: run ``desk-app init`` or the first-run wizard."""

    default_code = "desk.not_initialized"


@dataclass(frozen=True)
class Profile:
    commune_name: str
    province: str
    agency_code: str
    desk_number: int
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS
    same_day_cutoff: dt.time = DEFAULT_SAME_DAY_CUTOFF
    dossier_code_pattern: str = DEFAULT_PATTERN
    idle_lock_minutes: int = 10
    result_place: str = ""
    #: the receipt's receiving-unit line and its notes; empty means the template's words
    receipt_unit_name: str = ""
    receipt_notes: tuple[str, ...] = ()

    def problems(self) -> dict[str, str]:
        """Every fault at once, by field name, in Vietnamese (for a form to show beside
        each field). The dossier code pattern is checked by ``validate`` only."""
        found: dict[str, str] = {}
        if not self.commune_name.strip():
            found["commune_name"] = "Nhập tên xã, phường."
        if not self.province.strip():
            found["province"] = "Nhập tên tỉnh, thành phố."
        if not self.agency_code.strip():
            found["agency_code"] = "Nhập mã đơn vị."
        elif not AGENCY_CODE_RE.match(self.agency_code):
            found["agency_code"] = "Mã đơn vị phải có dạng 000.00.00.H00."
        for field, label, value in (
            ("commune_name", "Tên xã, phường", self.commune_name),
            ("province", "Tên tỉnh, thành phố", self.province),
            ("result_place", "Nơi trả kết quả", self.result_place),
            ("receipt_unit_name", "Tên bộ phận trên giấy hẹn", self.receipt_unit_name),
            ("receipt_notes", "Lưu ý trên giấy hẹn", "".join(self.receipt_notes)),
        ):
            if field not in found and not is_safe_text(value):
                found[field] = f"{label} có ký tự điều khiển hoặc ký tự đảo chiều văn bản."
        if len(self.receipt_notes) > 6 or any(len(n) > 300 for n in self.receipt_notes):
            found["receipt_notes"] = "Lưu ý trên giấy hẹn: tối đa 6 dòng, mỗi dòng 300 ký tự."
        if not 1 <= self.desk_number <= 99:
            found["desk_number"] = "Số quầy từ 1 đến 99."
        if not (self.office_hours.opening <= self.same_day_cutoff <= self.office_hours.closing):
            found["same_day_cutoff"] = "Giờ chốt phải nằm trong giờ làm việc."
        if not 1 <= self.idle_lock_minutes <= 240:
            found["idle_lock_minutes"] = "Khóa màn hình sau 1 đến 240 phút."
        return found

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise ProfileError(next(iter(problems.values())))
        CodePattern(self.dossier_code_pattern).check_desk(self.desk_number)

    @property
    def parent_body(self) -> str:
        """The header line of every form, e.g. "UBND XÃ TÂN PHÚ"."""
        name = self.commune_name.strip()
        lower = name.lower()
        if lower.startswith(("xã ", "phường ", "thị trấn ", "đặc khu ")):
            return f"UBND {name.upper()}"
        return f"UBND XÃ {name.upper()}"

    @property
    def place_name(self) -> str:
        """The place in the date line: the commune name without "Xã"/"Phường"."""
        name = self.commune_name.strip()
        for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu "):
            if name.lower().startswith(prefix.lower()):
                return name[len(prefix) :]
        return name


def _to_profile(row: CommuneProfile) -> Profile:
    return Profile(
        commune_name=row.commune_name,
        province=row.province,
        agency_code=row.agency_code,
        desk_number=row.desk_number,
        office_hours=OfficeHours.from_json(row.office_hours),
        same_day_cutoff=row.same_day_cutoff,
        dossier_code_pattern=row.dossier_code_pattern,
        idle_lock_minutes=row.idle_lock_minutes,
        result_place=row.result_place,
        receipt_unit_name=row.receipt_unit_name or "",
        receipt_notes=tuple(str(n) for n in row.receipt_notes or ()),
    )


def commune_payload(profile: Profile) -> CommuneProfileSetV1:
    """The commune-wide part of ``profile``, as the event every desk of it follows."""
    return CommuneProfileSetV1(
        commune_name=profile.commune_name.strip(),
        province=profile.province.strip(),
        office_hours=",".join(f"{a}-{b}" for a, b in profile.office_hours.to_json()),
        same_day_cutoff=f"{profile.same_day_cutoff:%H:%M}",
        result_place=profile.result_place,
        receipt_unit_name=profile.receipt_unit_name,
        receipt_notes="\n".join(profile.receipt_notes),
    )


def _identity_fixed(s: Session, row: CommuneProfile) -> str | None:
    if s.get(SyncState, 1) is not None:
        return "quầy đã đăng ký với máy chủ huyện (mã và số quầy nằm trong chứng nhận của quầy)"
    issued = s.scalar(
        select(func.count())
        .select_from(Dossier)
        .where(Dossier.origin_agency_code == row.agency_code)
        .where(Dossier.origin_desk == row.desk_number)
    )
    if issued or s.scalar(select(func.count()).select_from(DossierCodeCounter)):
        return "quầy đã cấp mã hồ sơ (mã và số quầy nằm trong mỗi mã hồ sơ)"
    return None


class ProfileService:
    """Reads and writes the commune profile; builds the calendar the desk uses."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # The last calendar built, with what it was built from: building one reads the
        # holidays of three years (~2 ms), and every save and due-date preview needs one.
        self._calendar: tuple[object, WorkingCalendar] | None = None

    def get(self) -> Profile | None:
        with self._db.read() as s:
            row = s.get(CommuneProfile, 1)
            return _to_profile(row) if row else None

    def require(self) -> Profile:
        profile = self.get()
        if profile is None:
            raise NotInitializedError(
                "quầy chưa được thiết lập: chạy `desk-app init` hoặc mở ứng dụng một lần"
            )
        return profile

    def identity_fixed_reason(self) -> str | None:
        """Why the agency code and desk number can no longer change, or None while they
        can: they are in every dossier code issued here and in the desk's credential."""
        with self._db.read() as s:
            row = s.get(CommuneProfile, 1)
            return _identity_fixed(s, row) if row is not None else None

    def save(self, profile: Profile, now: dt.datetime, *, actor: str | None = None) -> bool:
        """Create or update the profile; agency code and desk are fixed once a dossier code
        has been issued or the desk is enrolled.

        With ``actor`` (an administrator's change, not the set-up) the change is audited
        and, when the commune-wide part changed, recorded as a ``commune.profile_set``
        event for every desk of the commune. Returns whether that event was recorded.
        """
        profile.validate()
        with self._db.write() as s:
            row = s.get(CommuneProfile, 1)
            if row is not None and (
                row.agency_code != profile.agency_code or row.desk_number != profile.desk_number
            ):
                reason = _identity_fixed(s, row)
                if reason:
                    raise ProfileError(
                        f"không thể đổi mã cơ quan và số quầy: {reason}",
                        code="profile.identity_fixed",
                    )
            before = commune_payload(_to_profile(row)) if row is not None else None
            if row is None:
                row = CommuneProfile(id=1, created_at=now)
                s.add(row)
            row.commune_name = profile.commune_name.strip()
            row.province = profile.province.strip()
            row.agency_code = profile.agency_code
            row.desk_number = profile.desk_number
            row.office_hours = profile.office_hours.to_json()
            row.same_day_cutoff = profile.same_day_cutoff
            row.dossier_code_pattern = profile.dossier_code_pattern
            row.idle_lock_minutes = profile.idle_lock_minutes
            row.result_place = profile.result_place
            row.receipt_unit_name = profile.receipt_unit_name
            row.receipt_notes = list(profile.receipt_notes)
            if actor is None:
                return False
            audit.record(
                s, at_utc=now, username=actor, action="profile_changed",
                object_type="profile", object_ref=profile.agency_code,
                detail=f"desk={profile.desk_number}",
            )  # fmt: skip
            after = commune_payload(profile)
            if before is None or after == before:
                return False
            record(
                s, after, actor=actor, agency_code=profile.agency_code,
                desk=profile.desk_number, occurred_at_utc=now,
            )  # fmt: skip
            return True

    def calendar(self) -> WorkingCalendar:
        """The calendar with this desk's hours and the administrator's overrides."""
        profile = self.get()
        with self._db.read() as s:
            rows = s.execute(select(CalendarOverride.day, CalendarOverride.kind)).all()
        overrides = overrides_from_rows((r[0], r[1]) for r in rows)
        hours = profile.office_hours if profile else DEFAULT_OFFICE_HOURS
        cutoff = profile.same_day_cutoff if profile else DEFAULT_SAME_DAY_CUTOFF
        # Still read each time, so overrides added by another desk (sync) or another
        # process count at once; only the build is skipped when nothing changed.
        key = (tuple(sorted(overrides.items())), hours, cutoff)
        cached = self._calendar
        if cached is not None and cached[0] == key:
            return cached[1]
        calendar = WorkingCalendar(overrides, hours, cutoff)
        self._calendar = (key, calendar)
        return calendar
