"""Commune events, version 1: the commune-wide part of the desk profile, set by an
administrator on one desk and followed by every desk of the commune.

The agency code and desk number are not in it: they are each desk's identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import Reader

_HOURS = re.compile(r"\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2}){0,3}")
_HHMM = re.compile(r"\d{2}:\d{2}")


@dataclass(frozen=True)
class CommuneProfileSetV1:
    """``commune.profile_set`` v1: names, office hours (``"07:30-11:30,13:00-17:00"``),
    same-day cut-off (``"15:00"``), where results are returned, and the receipt's own
    words (``receipt_notes``: one note per line; empty means the template's)."""

    KIND: ClassVar[str] = "commune.profile_set"
    VERSION: ClassVar[int] = 1

    commune_name: str
    province: str
    office_hours: str
    same_day_cutoff: str
    result_place: str
    receipt_unit_name: str
    receipt_notes: str

    @classmethod
    def parse(cls, data: object) -> CommuneProfileSetV1:
        r = Reader(data)
        payload = cls(
            commune_name=r.text("commune_name", max_len=200, min_len=1),
            province=r.text("province", max_len=200, min_len=1),
            office_hours=r.text("office_hours", max_len=60, pattern=_HOURS),
            same_day_cutoff=r.text("same_day_cutoff", max_len=5, pattern=_HHMM),
            result_place=r.text("result_place", max_len=300, default=""),
            receipt_unit_name=r.text("receipt_unit_name", max_len=300, default=""),
            receipt_notes=r.text("receipt_notes", max_len=2000, default="", multiline=True),
        )
        r.finish()
        return payload

    def dump(self) -> dict[str, Any]:
        return {
            "commune_name": self.commune_name,
            "province": self.province,
            "office_hours": self.office_hours,
            "same_day_cutoff": self.same_day_cutoff,
            "result_place": self.result_place,
            "receipt_unit_name": self.receipt_unit_name,
            "receipt_notes": self.receipt_notes,
        }
