"""Form templates: the TOML file that holds every printed word and measure of one form.

A form declares its schema (each ``section.key`` with its type: a text and the
placeholders it may use, a number and its range, a list of texts, a choice); loading a
file checks it against that schema and refuses it with a :class:`FormTemplateError` that
names the missing or wrong key, so a province can reword a form without touching code
and a typo shows up when the file is read, not as a half-printed page.

A desk may correct a form for itself: a file of the same name in the ``templates``
folder of its data folder (``use_overrides``) replaces the shipped one, file by file.
A corrected file that does not pass the checks is not used — the shipped one prints —
and ``check_overrides`` (``desk-app templates``) says why, in one line per file.
"""

from __future__ import annotations

import functools
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from desk_app.errors import OperationalError
from desk_app.paths import resource_path


class FormTemplateError(OperationalError):
    """A form template file is missing or does not match its form's schema.

    ``detail`` names the file's key and what is wrong with it; it holds no citizen data.
    """

    default_code = "form.template_invalid"

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"Tệp mẫu in {source} không dùng được: {detail}")
        self.source = source
        self.detail = detail


# ------------------------------------------------------------------ key types


@dataclass(frozen=True)
class Text:
    """A text that may use only these ``{placeholders}``."""

    placeholders: frozenset[str]


@dataclass(frozen=True)
class Number:
    """A number within ``low..high`` (inclusive)."""

    low: float
    high: float


@dataclass(frozen=True)
class TextList:
    """A list of texts, at least ``minimum`` long, each using only these placeholders."""

    placeholders: frozenset[str]
    minimum: int


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of words (``portrait`` or ``landscape``)."""

    options: tuple[str, ...]


KeySpec = Text | Number | TextList | Choice


def text(*placeholders: str) -> Text:
    return Text(frozenset(placeholders))


def number(low: float, high: float) -> Number:
    return Number(low, high)


def text_list(*placeholders: str, minimum: int = 0) -> TextList:
    return TextList(frozenset(placeholders), minimum)


def choice(*options: str) -> Choice:
    return Choice(tuple(options))


def merge_keys(*parts: Mapping[str, KeySpec]) -> dict[str, KeySpec]:
    """One schema from the keys of shared blocks and of the form itself.

    A key declared twice must be declared the same way: two blocks reading one key with
    different placeholders would make one of them fail at print time.
    """
    merged: dict[str, KeySpec] = {}
    for part in parts:
        for key, spec in part.items():
            if key.count(".") != 1:
                raise ValueError(f"template key {key!r} must be 'section.key'")
            if merged.setdefault(key, spec) != spec:
                raise ValueError(f"template key {key!r} declared twice, differently")
    return merged


# ------------------------------------------------------------------ checked template


@dataclass(frozen=True)
class FormTemplate:
    """The checked wording and layout of one form, read from its TOML file."""

    source: str
    schema: Mapping[str, KeySpec]
    texts: Mapping[str, str]
    numbers: Mapping[str, float]
    lists: Mapping[str, tuple[str, ...]]
    choices: Mapping[str, str]

    def text(self, key: str) -> str:
        return self.texts[key]

    def number(self, key: str) -> float:
        return self.numbers[key]

    def plain(self, key: str, values: Mapping[str, str]) -> str:
        """The text of ``key`` filled as plain text with the values it may use."""
        spec = self.schema[key]
        if not isinstance(spec, Text):
            raise TypeError(f"template key {key!r} is not a text")
        usable = {name: unicodedata.normalize("NFC", v) for name, v in values.items()}
        return self.texts[key].format(
            **{name: v for name, v in usable.items() if name in spec.placeholders}
        )


#: every form's schema by its file name (each registers itself when it is declared)
_SCHEMAS: dict[str, FormSchema] = {}
#: the desk's folder of corrected templates (``<data folder>/templates``), if any
_override_dir: Path | None = None


def use_overrides(folder: Path | None) -> None:
    """Let ``folder``'s files replace the shipped templates of the same name (None: only
    the shipped ones). One desk per process: its context sets this when it opens."""
    global _override_dir
    _override_dir = folder


def override_folder() -> Path | None:
    return _override_dir


@dataclass(frozen=True, eq=False)
class FormSchema:
    """What one form's template must contain, and where the shipped template lives.

    Compared by identity, so that a loaded template is cached per form and file.
    """

    name: str
    file_name: str
    keys: Mapping[str, KeySpec]

    def __post_init__(self) -> None:
        _SCHEMAS.setdefault(self.file_name, self)

    def load(self, path: Path | None = None) -> FormTemplate:
        """Read and check a template of this form; the default is the desk's corrected
        file when there is one that passes the checks, else the shipped one.

        Raises :class:`FormTemplateError` naming the missing or wrong key. A parsed file
        is cached until it changes on disk.
        """
        if path is None and _override_dir is not None:
            corrected = _override_dir / self.file_name
            if corrected.is_file():
                try:
                    return self.load(corrected)
                except FormTemplateError:
                    pass  # refused: the shipped file prints; ``check_overrides`` says why
        file = path if path is not None else resource_path("templates", self.file_name)
        try:
            stat = file.stat()
        except OSError as exc:
            raise FormTemplateError(str(file), f"không đọc được ({exc.strerror})") from exc
        return _load_cached(self, str(file), stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True)
class OverrideCheck:
    """One file of the desk's ``templates`` folder: used, or why not."""

    file_name: str
    problem: str | None = None

    @property
    def used(self) -> bool:
        return self.problem is None


def check_overrides(folder: Path) -> list[OverrideCheck]:
    """Each file of ``folder`` checked against the form of its name, by name. Only the
    schemas declared so far are known: the caller imports the forms it prints."""
    if not folder.is_dir():
        return []
    checks: list[OverrideCheck] = []
    for file in sorted(folder.iterdir()):
        if file.name.startswith(".") or not file.is_file():
            continue
        schema = _SCHEMAS.get(file.name)
        if schema is None:
            known = ", ".join(sorted(_SCHEMAS))
            checks.append(
                OverrideCheck(file.name, f"không có mẫu in tên này; các tên dùng được: {known}")
            )
            continue
        try:
            schema.load(file)
        except FormTemplateError as exc:
            checks.append(OverrideCheck(file.name, exc.detail))
        else:
            checks.append(OverrideCheck(file.name))
    return checks


def _check_placeholders(source: str, where: str, value: str, allowed: Iterable[str]) -> None:
    allowed = frozenset(allowed)
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise FormTemplateError(
            source, f"{where}: dấu ngoặc nhọn không khớp; muốn in dấu ngoặc thì viết {{{{ hoặc }}}}"
        ) from exc
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            usable = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "không có"
            raise FormTemplateError(
                source, f"{where}: không có chỗ điền {{{field}}} (dùng được ở đây: {usable})"
            )


def _parse(schema: FormSchema, raw: Mapping[str, Any], source: str) -> FormTemplate:
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise FormTemplateError(source, f"'{section}' phải là một mục [{section}]")
        for key in table:
            if f"{section}.{key}" not in schema.keys:
                raise FormTemplateError(source, f"khóa lạ '{section}.{key}'")

    texts: dict[str, str] = {}
    numbers: dict[str, float] = {}
    lists: dict[str, tuple[str, ...]] = {}
    choices: dict[str, str] = {}
    for dotted, spec in schema.keys.items():
        section, key = dotted.split(".")
        table = raw.get(section)
        if not isinstance(table, dict):
            raise FormTemplateError(source, f"thiếu mục [{section}]")
        if key not in table:
            raise FormTemplateError(source, f"thiếu khóa '{dotted}'")
        value = table[key]
        match spec:
            case Text(placeholders):
                if not isinstance(value, str):
                    raise FormTemplateError(source, f"'{dotted}' phải là chữ (trong dấu ngoặc kép)")
                _check_placeholders(source, f"'{dotted}'", value, placeholders)
                texts[dotted] = unicodedata.normalize("NFC", value)
            case Number(low, high):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise FormTemplateError(source, f"'{dotted}' phải là một số")
                if not low <= value <= high:
                    raise FormTemplateError(
                        source, f"'{dotted}' = {value} nằm ngoài khoảng {low:g}..{high:g}"
                    )
                numbers[dotted] = float(value)
            case TextList(placeholders, minimum):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise FormTemplateError(source, f"'{dotted}' phải là danh sách chữ")
                if len(value) < minimum:
                    raise FormTemplateError(source, f"'{dotted}' cần ít nhất {minimum} dòng")
                for index, item in enumerate(value):
                    _check_placeholders(source, f"'{dotted}'[{index}]", item, placeholders)
                lists[dotted] = tuple(unicodedata.normalize("NFC", item) for item in value)
            case Choice(options):
                if value not in options:
                    raise FormTemplateError(
                        source, f"'{dotted}' phải là một trong: {', '.join(options)}"
                    )
                choices[dotted] = value

    return FormTemplate(
        source=source,
        schema=schema.keys,
        texts=MappingProxyType(texts),
        numbers=MappingProxyType(numbers),
        lists=MappingProxyType(lists),
        choices=MappingProxyType(choices),
    )


@functools.lru_cache(maxsize=32)
def _load_cached(schema: FormSchema, path: str, _mtime_ns: int, _size: int) -> FormTemplate:
    # The stat fields are part of the cache key so an edited file is read again.
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise FormTemplateError(path, f"sai cú pháp TOML ({exc})") from exc
    except OSError as exc:
        raise FormTemplateError(path, f"không đọc được ({exc.strerror})") from exc
    return _parse(schema, raw, path)
