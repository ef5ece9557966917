"""The commune profile (thông tin đơn vị): who this desk is and when it is open."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from desk_app.calendar import (
    DEFAULT_OFFICE_HOURS,
    DEFAULT_SAME_DAY_CUTOFF,
    OfficeHours,
    WorkingCalendar,
    overrides_from_rows,
)
from desk_app.db.engine import Database
from desk_app.db.models import CalendarOverride, CommuneProfile, Dossier
from desk_app.dossier_code import DEFAULT_PATTERN, CodePattern
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.text import is_safe_text

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
        ):
            if field not in found and not is_safe_text(value):
                found[field] = f"{label} có ký tự điều khiển hoặc ký tự đảo chiều văn bản."
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
    )


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

    def save(self, profile: Profile, now: dt.datetime) -> None:
        """Create or update the profile; agency code and desk are fixed once dossiers exist."""
        profile.validate()
        with self._db.write() as s:
            row = s.get(CommuneProfile, 1)
            if row is not None and (
                row.agency_code != profile.agency_code or row.desk_number != profile.desk_number
            ):
                own = s.scalar(
                    select(func.count())
                    .select_from(Dossier)
                    .where(Dossier.origin_agency_code == row.agency_code)
                    .where(Dossier.origin_desk == row.desk_number)
                )
                if own:
                    raise ProfileError(
                        "không thể đổi mã cơ quan và số quầy khi quầy đã tiếp nhận hồ sơ: "
                        "mã hồ sơ đã cấp theo chúng",
                        code="profile.identity_fixed",
                    )
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
