"""Reading one JSON object strictly, field by field: the right type, the right length,
no control characters, dates that parse — and no field the schema does not name.

Every refusal is one ``PayloadError`` naming the field's path (``documents[2].count``)
and what is wrong, in plain words, so a person or a log can point at the fault.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from typing import Any

# Control characters; tab and line breaks are allowed only in multi-line text (notes),
# never in names, codes or one-line fields.
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What ``Mapping.get`` answers for a field the object does not have (``None`` is a value).
_ABSENT = object()


class PayloadError(ValueError):
    """A payload does not have the shape its kind and version promise."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class Reader:
    """Takes fields one by one out of a JSON object; ``finish`` refuses any left over."""

    def __init__(self, data: object, path: str = "") -> None:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise PayloadError(path, "must be a JSON object")
        self._data: Mapping[str, Any] = data
        self._path = path
        self._seen: set[str] = set()

    def _where(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def _take(self, name: str, required: bool) -> Any:
        self._seen.add(name)
        value = self._data.get(name, _ABSENT)
        if value is _ABSENT:
            if required:
                raise PayloadError(self._where(name), "is required")
            return None
        return value

    def finish(self) -> None:
        if self._seen.issuperset(self._data):
            return
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            raise PayloadError(self._where(unknown[0]), "is not a field of this payload")

    # -- text

    def text(
        self,
        name: str,
        *,
        max_len: int,
        default: str | None = None,
        min_len: int = 0,
        multiline: bool = False,
        pattern: re.Pattern[str] | None = None,
    ) -> str:
        """A string; absent means ``default`` (required when there is none)."""
        self._seen.add(name)
        value = self._data.get(name, _ABSENT)
        if value is _ABSENT:
            if default is None:
                raise PayloadError(self._where(name), "is required")
            return default
        return self._check_text(name, value, max_len, min_len, multiline, pattern)

    def optional_text(
        self,
        name: str,
        *,
        max_len: int,
        pattern: re.Pattern[str] | None = None,
    ) -> str | None:
        """A string or null; absent means null."""
        self._seen.add(name)
        value = self._data.get(name)
        if value is None:
            return None
        return self._check_text(name, value, max_len, 0, False, pattern)

    def _check_text(
        self,
        name: str,
        value: object,
        max_len: int,
        min_len: int,
        multiline: bool,
        pattern: re.Pattern[str] | None,
    ) -> str:
        # Nearly every text is plain and fits: the checks below would all pass.
        if (
            type(value) is str
            and min_len <= len(value) <= max_len
            and value.isprintable()
            and (pattern is None or pattern.fullmatch(value))
        ):
            return value
        if not isinstance(value, str):
            raise PayloadError(self._where(name), "must be a string")
        if not min_len <= len(value) <= max_len:
            raise PayloadError(
                self._where(name),
                f"is longer than {max_len} characters"
                if len(value) > max_len
                else f"needs at least {min_len} character(s)",
            )
        # isprintable() is the fast path: false for every control character (and for a
        # few harmless separators, which the precise check then lets through).
        if not value.isprintable():
            control = _CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE
            if control.search(value):
                raise PayloadError(self._where(name), "contains a control character")
        if pattern is not None and not pattern.fullmatch(value):
            raise PayloadError(self._where(name), "is not in the expected form")
        return value

    def choice(self, name: str, choices: Collection[str], *, default: str | None = None) -> str:
        self._seen.add(name)
        value = self._data.get(name, _ABSENT)
        if value is _ABSENT:
            if default is None:
                raise PayloadError(self._where(name), "is required")
            return default
        if not isinstance(value, str) or value not in choices:
            raise PayloadError(self._where(name), f"must be one of {', '.join(sorted(choices))}")
        return value

    # -- numbers and flags

    def integer(self, name: str, *, low: int, high: int, default: int | None = None) -> int:
        self._seen.add(name)
        value = self._data.get(name, _ABSENT)
        if value is _ABSENT:
            if default is None:
                raise PayloadError(self._where(name), "is required")
            return default
        return self._check_int(name, value, low, high)

    def optional_integer(self, name: str, *, low: int, high: int) -> int | None:
        self._seen.add(name)
        value = self._data.get(name)
        if value is None:
            return None
        return self._check_int(name, value, low, high)

    def _check_int(self, name: str, value: object, low: int, high: int) -> int:
        if type(value) is int and low <= value <= high:
            return value
        # bool is an int in Python, never in a payload.
        if not isinstance(value, int) or isinstance(value, bool):
            raise PayloadError(self._where(name), "must be a whole number")
        if not low <= value <= high:
            raise PayloadError(self._where(name), f"must be between {low} and {high}")
        return value

    def flag(self, name: str, *, default: bool) -> bool:
        value = self._take(name, required=False)
        if value is None and name not in self._data:
            return default
        if not isinstance(value, bool):
            raise PayloadError(self._where(name), "must be true or false")
        return value

    # -- dates and times

    def local_datetime(self, name: str) -> dt.datetime:
        """A wall-clock time of the commune: ISO 8601 without a UTC offset."""
        value = self._take(name, required=True)
        return self._check_datetime(name, value)

    def optional_local_datetime(self, name: str) -> dt.datetime | None:
        value = self._take(name, required=False)
        if value is None:
            return None
        return self._check_datetime(name, value)

    def _check_datetime(self, name: str, value: object) -> dt.datetime:
        where = self._where(name)
        # A date alone is not enough; the date and the time may be joined by "T" or by a
        # space (demo data wrote the latter, and stored events stay readable).
        if not isinstance(value, str) or len(value) < 16 or value[10:11] not in ("T", " "):
            raise PayloadError(where, "must be a date and time in ISO 8601 (2026-11-23T08:30:00)")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PayloadError(where, f"{value[:40]!r} is not a valid date and time") from None
        if parsed.tzinfo is not None:
            raise PayloadError(where, "must be local wall-clock time, without a UTC offset")
        return parsed

    def date(self, name: str) -> dt.date:
        return self._check_date(name, self._take(name, required=True))

    def optional_date(self, name: str) -> dt.date | None:
        value = self._take(name, required=False)
        return None if value is None else self._check_date(name, value)

    def _check_date(self, name: str, value: object) -> dt.date:
        where = self._where(name)
        if not isinstance(value, str) or len(value) != 10:
            raise PayloadError(where, "must be a date in ISO 8601 (2026-11-23)")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PayloadError(where, f"{value!r} is not a valid date") from None

    # -- nested

    def json_object(self, name: str) -> dict[str, Any]:
        """A required JSON object taken whole, for the caller to check."""
        value = self._take(name, required=True)
        if not isinstance(value, dict):
            raise PayloadError(self._where(name), "must be a JSON object")
        return value

    def objects(self, name: str, *, max_items: int) -> list[Reader]:
        """A list of JSON objects, each read by its own ``Reader``; absent means empty."""
        value = self._take(name, required=False)
        if value is None and name not in self._data:
            return []
        where = self._where(name)
        if not isinstance(value, list):
            raise PayloadError(where, "must be a list")
        if len(value) > max_items:
            raise PayloadError(where, f"has more than {max_items} items")
        return [Reader(item, f"{where}[{i}]") for i, item in enumerate(value)]
