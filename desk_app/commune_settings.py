"""Commune settings (cài đặt của xã) the lifecycle follows, the same on every desk:

* ``pause_rule`` — what a received supplement does to the appointment: ``restart``
  (the default, as the decree reads: the statutory duration counts again from the
  supplement's receipt) or ``shift`` (the dates move later by the working days spent
  waiting);
* ``max_extensions`` — how many extensions (Form 04) a dossier may get (default 1);
* ``rating_scale`` — the satisfaction scale offered at the return, labels separated by
  ``|`` (default ``Rất hài lòng|Hài lòng|Không hài lòng``);
* ``warning_days`` — the "due soon" window of the chair's backlog and the dossier view,
  in working days (default 2).

Each change is a ``commune.setting_set`` event, so it reaches every desk by sync, like
the calendar overrides; a desk applies the newest it has. Due dates already recorded
never change with a setting: each event carries the date it set and the rule used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import CommuneSetting
from desk_app.dossiers import record_shared
from desk_app.errors import InvalidInputError
from desk_app.profile import ProfileService
from desk_app.text import is_safe_text
from event_schema import SETTING_KEYS, CommuneSettingSetV1

PAUSE_RULES = ("restart", "shift")
DEFAULT_RATING_SCALE = ("Rất hài lòng", "Hài lòng", "Không hài lòng")
MAX_EXTENSIONS_LIMIT = 9


class SettingError(InvalidInputError):
    """A setting's key or value is not one the desk can use; the message says why."""

    default_code = "settings.invalid"


@dataclass(frozen=True)
class LifecycleSettings:
    """The commune's lifecycle settings, defaults filled in."""

    pause_rule: str = "restart"
    max_extensions: int = 1
    rating_scale: tuple[str, ...] = DEFAULT_RATING_SCALE
    #: the "due soon" window of the chair's backlog and the dossier view, in working days
    warning_days: int = 2

    def to_json(self) -> dict[str, object]:
        return {
            "pause_rule": self.pause_rule,
            "max_extensions": self.max_extensions,
            "rating_scale": list(self.rating_scale),
            "warning_days": self.warning_days,
        }


def parse_setting(key: str, value: str) -> object:
    """The typed value of a setting; ``SettingError`` (in Vietnamese) when it is not one."""
    value = value.strip()
    if key == "pause_rule":
        if value not in PAUSE_RULES:
            raise SettingError("quy tắc tạm dừng là restart (tính lại từ đầu) hoặc shift (lùi hẹn)")
        return value
    if key == "max_extensions":
        if not value.isdigit() or not 0 <= int(value) <= MAX_EXTENSIONS_LIMIT:
            raise SettingError(f"số lần gia hạn tối đa là số từ 0 đến {MAX_EXTENSIONS_LIMIT}")
        return int(value)
    if key == "warning_days":
        if not value.isdigit() or not 0 <= int(value) <= 30:
            raise SettingError("số ngày làm việc cảnh báo sắp đến hạn là số từ 0 đến 30")
        return int(value)
    if key == "rating_scale":
        labels = tuple(part.strip() for part in value.split("|") if part.strip())
        if not 2 <= len(labels) <= 7 or any(len(x) > 64 for x in labels):
            raise SettingError("thang đánh giá gồm 2 đến 7 mức, mỗi mức tối đa 64 ký tự")
        if not all(is_safe_text(x) for x in labels) or len(set(labels)) != len(labels):
            raise SettingError("các mức đánh giá phải khác nhau và không có ký tự điều khiển")
        return labels
    raise SettingError(f"không có cài đặt {key!r}; chọn một trong: {', '.join(SETTING_KEYS)}")


class CommuneSettingsService:
    """Reads and changes the commune settings (changes: administrators only)."""

    def __init__(self, db: Database, clock: Clock, profiles: ProfileService) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles

    def get(self) -> LifecycleSettings:
        """The settings in force; a stored value this desk cannot read counts as unset."""
        with self._db.read() as s:
            stored = {k: v for k, v in s.execute(select(CommuneSetting.key, CommuneSetting.value))}
        values: dict[str, object] = {}
        for key, raw in stored.items():
            try:
                values[key] = parse_setting(key, raw)
            except SettingError:
                continue
        return LifecycleSettings(**values)  # type: ignore[arg-type]

    def set(self, key: str, value: str, officer: Officer) -> LifecycleSettings:
        """Change one setting for the whole commune (recorded as an event, even when it
        is the value in force here: another desk may not have synced its own yet)."""
        return self.change({key: value}, officer, only_differing=False)

    def change(
        self, values: Mapping[str, str], officer: Officer, *, only_differing: bool = True
    ) -> LifecycleSettings:
        """Change several settings at once (the administration form): every value is
        checked first, then those that differ from the settings in force are recorded,
        one event each, in one transaction — all of them or none. When none differs,
        nothing is written."""
        officer.require(Permission.ADMINISTER)
        parsed = {key: parse_setting(key, value) for key, value in values.items()}
        current = self.get().to_json()
        texts = {
            key: "|".join(v) if isinstance(v, tuple) else str(v)
            for key, v in parsed.items()
            if not only_differing or (list(v) if isinstance(v, tuple) else v) != current[key]
        }
        if not texts:
            return self.get()
        profile = self._profiles.require()
        now = utc_naive(self._clock)
        with self._db.write() as s:
            for key, text_value in texts.items():
                record_shared(
                    s,
                    CommuneSettingSetV1(key=key, value=text_value),
                    actor=officer.username,
                    agency_code=profile.agency_code,
                    desk=profile.desk_number,
                    occurred_at_utc=now,
                )
                audit.record(
                    s, at_utc=now, username=officer.username, action="change",
                    object_type="setting", object_ref=key, detail=text_value[:200],
                )  # fmt: skip
        return self.get()
