"""Dossier codes (mã hồ sơ): ``<agency>-<yymmdd>-<desk><seq>``, e.g. ``000.20.33.H12-261121-1001``.

Several desks of one commune issue codes while offline, so the sequence is kept per
desk and per day, and the desk number is part of the code in a fixed width. With
fixed widths the code is a one-to-one function of (agency, day, desk, sequence): two
desks with different numbers can never produce the same code, with no coordination.
A desk that runs out of its daily sequence (999 by default) is told so instead of
wrapping round.

The pattern is configurable (a province may prescribe another form) but must contain
``{agency}``, a date field, ``{desk:Nd}`` and ``{seq:0Md}``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property

from desk_app.errors import InvalidInputError, OperationalError

DEFAULT_PATTERN = "{agency}-{yymmdd}-{desk:1d}{seq:03d}"

_FIELD = re.compile(r"\{(\w+)(?::([^}]*))?\}")
_WIDTH = re.compile(r"0?([1-9]\d*)d")


class CodePatternError(InvalidInputError):
    """The dossier-code pattern is unusable; the message says why."""

    default_code = "dossier_code.pattern_invalid"


class SequenceExhaustedError(OperationalError):
    """This desk has issued every code its pattern allows for the day."""

    default_code = "dossier_code.exhausted"


@dataclass(frozen=True)
class CodePattern:
    pattern: str
    _template: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = {m.group(1): m.group(2) for m in _FIELD.finditer(self.pattern)}
        unknown = set(fields) - {"agency", "yymmdd", "yyyymmdd", "desk", "seq"}
        if unknown:
            raise CodePatternError(f"mẫu mã hồ sơ có trường lạ: {sorted(unknown)}")
        for required in ("agency", "desk", "seq"):
            if required not in fields:
                raise CodePatternError(f"mẫu mã hồ sơ phải có {{{required}}}")
        if "yymmdd" not in fields and "yyyymmdd" not in fields:
            raise CodePatternError("mẫu mã hồ sơ phải có {yymmdd} hoặc {yyyymmdd}")
        for name in ("desk", "seq"):
            spec = fields[name] or ""
            if not _WIDTH.fullmatch(spec):
                raise CodePatternError(
                    f"{{{name}}} cần độ rộng cố định (width), ví dụ {{{name}:03d}}, "
                    "để mã không trùng"
                )
        # Zero padding for both numeric fields, whatever the spec's leading zero.
        template = _FIELD.sub(
            lambda m: (
                f"{{{m.group(1)}:0{self._width(m.group(1))}d}}"
                if m.group(1) in ("desk", "seq")
                else m.group(0)
            ),
            self.pattern,
        )
        object.__setattr__(self, "_template", template)

    def _width(self, name: str) -> int:
        for m in _FIELD.finditer(self.pattern):
            if m.group(1) == name:
                w = _WIDTH.fullmatch(m.group(2) or "")
                assert w is not None
                return int(w.group(1))
        raise AssertionError(name)

    @cached_property
    def max_seq(self) -> int:
        return int("9" * self._width("seq"))

    def check_desk(self, desk: int) -> None:
        if len(str(desk)) > self._width("desk"):
            raise CodePatternError(
                f"số quầy {desk} không vừa trường quầy {self._width('desk')} chữ số "
                "của mẫu mã hồ sơ"
            )

    def format(self, agency: str, day: dt.date, desk: int, seq: int) -> str:
        if not 1 <= seq <= self.max_seq:
            raise SequenceExhaustedError(
                f"quầy {desk} đã cấp hết {self.max_seq} mã hồ sơ của ngày {day:%d/%m/%Y}"
            )
        text = self._template.format(
            agency=agency,
            yymmdd=f"{day.year % 100:02d}{day.month:02d}{day.day:02d}",
            yyyymmdd=f"{day.year:04d}{day.month:02d}{day.day:02d}",
            desk=desk,
            seq=seq,
        )
        if len(str(desk)) > self._width("desk"):
            self.check_desk(desk)
        return text
