"""Form 01, the receipt and appointment (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), as a PDF.

The wording and layout come from ``resources/templates/receipt_form01.toml``; this module
only lays it out. One A5 copy per caption in the template (usually two: one for the
citizen, one travelling with the file), each starting on a fresh page, with a Code128
barcode of the dossier code drawn as vector bars so the hand-over scan never needs typing.
"""

from __future__ import annotations

import functools
import io
import string
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape

import barcode
from barcode.errors import BarcodeError
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from desk_app.documents.fonts import FontFamily, register_fonts
from desk_app.documents.vn_format import (
    document_kind_label,
    format_duration,
    format_vn_date_line,
    format_vn_datetime,
)
from desk_app.paths import resource_path

_CHANNELS = ("in_person", "postal")


@dataclass(frozen=True)
class ReceiptDocument:
    """One paper received with the dossier."""

    name: str
    kind: str  # "original" | "copy" | "certified_copy"
    count: int


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt; plain values, no database objects."""

    code: str
    lookup_pin: str
    parent_body: str
    unit_name: str
    place_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str | None
    applicant_cccd: str
    representative_name: str | None
    procedure_code: str
    procedure_name: str
    request_text: str
    documents: tuple[ReceiptDocument, ...]
    sets_count: int
    duration_kind: str
    duration_value: int | None
    received_at: datetime
    due_at: datetime | None
    result_place: str
    register_book: str
    register_line: int | None
    officer_name: str
    fee_text: str
    channel: str


# ------------------------------------------------------------------ template


# Each text key with the placeholders it may use.
_TEXT_KEYS: dict[str, frozenset[str]] = {
    key: frozenset(fields)
    for key, fields in {
        "header.national_title": (),
        "header.national_motto": (),
        "header.number": ("code",),
        "text.title": (),
        "text.barcode_caption": ("code",),
        "text.pin": ("pin",),
        "text.applicant": ("name", "cccd"),
        "text.representative": ("name",),
        "text.address": ("address",),
        "text.contact": ("phone",),
        "text.contact_with_email": ("phone", "email"),
        "text.request": ("procedure_name", "procedure_code", "request"),
        "text.documents_heading": (),
        "text.sets": ("sets", "channel"),
        "text.duration": ("duration",),
        "text.received": ("received",),
        "text.due": ("due",),
        "text.no_due": (),
        "text.result_place": ("place",),
        "text.fee": ("fee",),
        "text.register": ("book", "line"),
        "text.register_line_blank": (),
        "documents.col_no": (),
        "documents.col_name": (),
        "documents.col_kind": (),
        "documents.col_count": (),
        "documents.empty": (),
        "channels.in_person": (),
        "channels.postal": (),
        "signatures.applicant": (),
        "signatures.officer": (),
        "signatures.hint": (),
        "signatures.postal_hint": (),
        "notes.title": (),
        "footer.text": ("code", "copy", "page"),
        "metadata.title": ("code",),
        "metadata.author": ("parent_body", "unit_name"),
        "metadata.subject": ("procedure_name", "procedure_code"),
    }.items()
}

# Each number key with its allowed range (inclusive).
_NUMBER_KEYS: dict[str, tuple[float, float]] = {
    "page.margin_top_mm": (3, 40),
    "page.margin_bottom_mm": (3, 40),
    "page.margin_left_mm": (3, 40),
    "page.margin_right_mm": (3, 40),
    "page.header_left_ratio": (0.25, 0.75),
    "font_size.header": (5, 16),
    "font_size.title": (5, 20),
    "font_size.body": (5, 16),
    "font_size.table": (5, 16),
    "font_size.small": (5, 16),
    "font_size.barcode_text": (5, 16),
    # Below 0.33 mm a 25-character code no longer decodes from a 200 dpi scan of a worn print.
    "barcode.module_mm": (0.33, 1.0),
    "barcode.height_mm": (5, 30),
    "barcode.quiet_zone_modules": (10, 50),
    "documents.no_width_mm": (5, 40),
    "documents.kind_width_mm": (10, 60),
    "documents.count_width_mm": (8, 40),
    "signatures.space_mm": (0, 50),
}

# Each list key with the placeholders its lines may use and its minimum length.
_LIST_KEYS: dict[str, tuple[frozenset[str], int]] = {
    "copies.captions": (frozenset(), 1),
    "notes.lines": (frozenset({"code", "pin"}), 0),
}


@dataclass(frozen=True)
class ReceiptTemplate:
    """The validated wording and layout of Form 01 (see ``receipt_form01.toml``)."""

    source: str
    texts: Mapping[str, str]
    numbers: Mapping[str, float]
    lists: Mapping[str, tuple[str, ...]]

    def text(self, key: str) -> str:
        return self.texts[key]

    def number(self, key: str) -> float:
        return self.numbers[key]


def _check_placeholders(where: str, text: str, allowed: frozenset[str]) -> None:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(
            f"{where}: malformed braces ({exc}); write a literal brace as {{{{ or }}}}"
        ) from exc
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            usable = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
            raise ValueError(f"{where}: unknown placeholder {{{field}}} (usable here: {usable})")


def _parse_template(raw: Mapping[str, Any], source: str) -> ReceiptTemplate:
    def lookup(dotted: str) -> object:
        section, key = dotted.split(".")
        table = raw.get(section)
        if not isinstance(table, dict):
            raise ValueError(f"receipt template {source}: missing section [{section}]")
        if key not in table:
            raise ValueError(f"receipt template {source}: missing key '{dotted}'")
        return table[key]

    known = {*_TEXT_KEYS, *_NUMBER_KEYS, *_LIST_KEYS}
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise ValueError(f"receipt template {source}: '{section}' must be a [section]")
        for key in table:
            if f"{section}.{key}" not in known:
                raise ValueError(f"receipt template {source}: unknown key '{section}.{key}'")

    texts: dict[str, str] = {}
    for dotted, allowed in _TEXT_KEYS.items():
        value = lookup(dotted)
        if not isinstance(value, str):
            raise ValueError(f"receipt template {source}: '{dotted}' must be a text")
        _check_placeholders(f"receipt template {source}: '{dotted}'", value, allowed)
        texts[dotted] = unicodedata.normalize("NFC", value)

    numbers: dict[str, float] = {}
    for dotted, (low, high) in _NUMBER_KEYS.items():
        value = lookup(dotted)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"receipt template {source}: '{dotted}' must be a number")
        if not low <= value <= high:
            raise ValueError(
                f"receipt template {source}: '{dotted}' = {value} is outside {low}..{high}"
            )
        numbers[dotted] = float(value)

    lists: dict[str, tuple[str, ...]] = {}
    for dotted, (allowed, minimum) in _LIST_KEYS.items():
        value = lookup(dotted)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"receipt template {source}: '{dotted}' must be a list of texts")
        if len(value) < minimum:
            raise ValueError(
                f"receipt template {source}: '{dotted}' needs at least {minimum} entries"
            )
        for index, item in enumerate(value):
            _check_placeholders(f"receipt template {source}: '{dotted}'[{index}]", item, allowed)
        lists[dotted] = tuple(unicodedata.normalize("NFC", item) for item in value)

    return ReceiptTemplate(
        source=source,
        texts=MappingProxyType(texts),
        numbers=MappingProxyType(numbers),
        lists=MappingProxyType(lists),
    )


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> ReceiptTemplate:
    # The stat fields are part of the cache key so an edited file is read again.
    with open(path, "rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"receipt template {path}: not valid TOML ({exc})") from exc
    return _parse_template(raw, path)


def load_receipt_template(path: Path | None = None) -> ReceiptTemplate:
    """Read and check a Form 01 template; the default is the shipped one.

    Raises ``ValueError`` naming the missing or wrong key. A parsed file is cached until
    it changes on disk.
    """
    file = path if path is not None else resource_path("templates", "receipt_form01.toml")
    stat = file.stat()
    return _load_cached(str(file), stat.st_mtime_ns, stat.st_size)


# ------------------------------------------------------------------ rendering


def _clean(value: str) -> str:
    """User text made safe for paragraph markup; NFC because the font has no shaping."""
    return escape(unicodedata.normalize("NFC", value).strip())


def _fill(template_text: str, **values: str) -> str:
    """Escape the template's literal text, then insert values (already markup)."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template_text):
        parts.append(escape(literal))
        if field is not None:
            parts.append(values[field])
    return "".join(parts)


def _plain(template_text: str, **values: str) -> str:
    """A template filled with plain text (for metadata and canvas strings)."""
    return template_text.format(
        **{key: unicodedata.normalize("NFC", v) for key, v in values.items()}
    )


def _bold(value: str) -> str:
    return f"<b>{_clean(value)}</b>"


def _code128_pattern(code: str) -> str:
    """The module pattern of ``code`` as Code128 ("1" = bar, "0" = space), stop bar included."""
    try:
        # A fresh encoder each time: python-barcode keeps charset state inside the object.
        modules: list[str] = barcode.get("code128", code).build()
    except BarcodeError as exc:
        raise ValueError(f"dossier code {code!r} cannot be encoded as Code128: {exc}") from exc
    return "".join(modules)


class _Code128Flowable(Flowable):  # type: ignore[misc]
    """A Code128 barcode as filled rectangles, with its human-readable text underneath."""

    def __init__(
        self,
        pattern: str,
        *,
        module: float,
        bar_height: float,
        quiet_modules: int,
        caption: str,
        font_name: str,
        font_size: float,
    ) -> None:
        super().__init__()
        self._pattern = pattern
        self._module = module
        self._bar_height = bar_height
        self._quiet = quiet_modules
        self._caption = caption
        self._font_name = font_name
        self._font_size = font_size
        self._avail_width = 0.0

    @property
    def symbol_width(self) -> float:
        """Bars plus both quiet zones, in points."""
        return (len(self._pattern) + 2 * self._quiet) * self._module

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail_width = avail_width
        return avail_width, self._bar_height + self._font_size * 1.45

    def draw(self) -> None:
        canv = self.canv
        text_band = self._font_size * 1.45
        # Centred on the frame; when wider than the frame the quiet zones may reach into the
        # (blank) page margins, which keeps the module width instead of shrinking the bars.
        x = (self._avail_width - self.symbol_width) / 2 + self._quiet * self._module
        canv.saveState()
        canv.setFillColor(colors.black)
        run_start = -1
        for index, module in enumerate(self._pattern + "0"):
            if module == "1" and run_start < 0:
                run_start = index
            elif module != "1" and run_start >= 0:
                width = (index - run_start) * self._module
                canv.rect(x + run_start * self._module, text_band, width, self._bar_height, 0, 1)
                run_start = -1
        canv.setFont(self._font_name, self._font_size)
        canv.drawCentredString(self._avail_width / 2, self._font_size * 0.35, self._caption)
        canv.restoreState()


class _CopyState:
    """Which copy is being laid out; shared by the copy markers and the page footer."""

    def __init__(self) -> None:
        self.caption = ""
        self.first_page = 1


class _CopyStart(Flowable):  # type: ignore[misc]
    """An invisible mark at the start of a copy, so footers know their copy and page."""

    def __init__(self, state: _CopyState, caption: str) -> None:
        super().__init__()
        self._state = state
        self._caption = caption

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self._state.caption = self._caption
        self._state.first_page = self.canv.getPageNumber()


@dataclass(frozen=True)
class _Styles:
    header: ParagraphStyle
    header_bold: ParagraphStyle
    header_italic: ParagraphStyle
    title: ParagraphStyle
    caption: ParagraphStyle
    body: ParagraphStyle
    centered: ParagraphStyle
    cell: ParagraphStyle
    cell_centered: ParagraphStyle
    cell_head: ParagraphStyle
    sign_caption: ParagraphStyle
    sign_hint: ParagraphStyle
    notes: ParagraphStyle


def _styles(template: ReceiptTemplate, fonts: FontFamily) -> _Styles:
    size = template.number
    header = size("font_size.header")
    body = size("font_size.body")
    table = size("font_size.table")
    small = size("font_size.small")

    def style(name: str, font: str, font_size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=font_size, leading=font_size * 1.25, **extra
        )

    return _Styles(
        header=style("header", fonts.regular, header, alignment=TA_CENTER),
        header_bold=style("header_bold", fonts.bold, header, alignment=TA_CENTER),
        header_italic=style("header_italic", fonts.italic, header, alignment=TA_CENTER),
        title=style(
            "title",
            fonts.bold,
            size("font_size.title"),
            alignment=TA_CENTER,
            spaceBefore=3 * mm,
        ),
        caption=style("caption", fonts.italic, small, alignment=TA_CENTER, spaceAfter=1.5 * mm),
        body=style("body", fonts.regular, body, alignment=TA_LEFT, spaceAfter=0.6),
        centered=style("centered", fonts.regular, body, alignment=TA_CENTER, spaceAfter=1 * mm),
        cell=style("cell", fonts.regular, table, alignment=TA_LEFT),
        cell_centered=style("cell_centered", fonts.regular, table, alignment=TA_CENTER),
        cell_head=style("cell_head", fonts.bold, table, alignment=TA_CENTER),
        sign_caption=style("sign_caption", fonts.bold, body, alignment=TA_CENTER),
        sign_hint=style("sign_hint", fonts.italic, small, alignment=TA_CENTER),
        notes=style("notes", fonts.italic, small, alignment=TA_LEFT),
    )


def _check_data(data: ReceiptData) -> None:
    code = data.code.strip()
    # Scanners at the hand-over read back plain ASCII; anything else would not round-trip.
    if not code or not all("!" <= char <= "~" for char in code):
        raise ValueError(
            f"receipt: the dossier code {data.code!r} must be non-empty printable ASCII "
            "without spaces"
        )
    if data.channel not in _CHANNELS:
        raise ValueError(f"receipt: unknown channel {data.channel!r} (expected one of {_CHANNELS})")
    if data.sets_count < 1:
        raise ValueError(f"receipt: sets_count must be at least 1, got {data.sets_count}")
    for document in data.documents:
        document_kind_label(document.kind)
        if document.count < 1:
            raise ValueError(f"receipt: document {document.name!r} has count {document.count}")
    format_duration(data.duration_kind, data.duration_value)


def _header(
    data: ReceiptData, template: ReceiptTemplate, styles: _Styles, fonts: FontFamily, width: float
) -> Table:
    text = template.text
    header_size = template.number("font_size.header")
    left_width = width * template.number("page.header_left_ratio")
    right_width = width - left_width
    motto = text("header.national_motto")
    # The rules under the unit and the motto are as wide as the motto, as on printed forms.
    motto_rule = min(stringWidth(motto, fonts.bold, header_size), right_width - 4)
    unit_rule = min(left_width * 0.4, 30 * mm)
    rows = [
        [
            Paragraph(_clean(data.parent_body), styles.header),
            Paragraph(escape(text("header.national_title")), styles.header_bold),
        ],
        [
            [
                Paragraph(_clean(data.unit_name), styles.header_bold),
                HRFlowable(width=unit_rule, thickness=0.6, color=colors.black, spaceBefore=2.5),
            ],
            [
                Paragraph(escape(motto), styles.header_bold),
                HRFlowable(width=motto_rule, thickness=0.6, color=colors.black, spaceBefore=2.5),
            ],
        ],
        [
            Paragraph(_fill(text("header.number"), code=_clean(data.code)), styles.header),
            Paragraph(
                _clean(format_vn_date_line(data.place_name, data.received_at.date())),
                styles.header_italic,
            ),
        ],
    ]
    table = Table(rows, colWidths=[left_width, right_width], hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Cell alignment also places the rules (flowables) under unit and motto.
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                ("TOPPADDING", (0, 2), (-1, 2), 3),
            ]
        )
    )
    return table


def _documents_table(
    data: ReceiptData, template: ReceiptTemplate, styles: _Styles, fonts: FontFamily, width: float
) -> Table:
    text = template.text
    no_width = template.number("documents.no_width_mm") * mm
    kind_width = template.number("documents.kind_width_mm") * mm
    count_width = template.number("documents.count_width_mm") * mm
    name_width = max(width - no_width - kind_width - count_width, 20 * mm)
    rows: list[list[Paragraph]] = [
        [
            Paragraph(escape(text("documents.col_no")), styles.cell_head),
            Paragraph(escape(text("documents.col_name")), styles.cell_head),
            Paragraph(escape(text("documents.col_kind")), styles.cell_head),
            Paragraph(escape(text("documents.col_count")), styles.cell_head),
        ]
    ]
    for number, document in enumerate(data.documents, start=1):
        rows.append(
            [
                Paragraph(str(number), styles.cell_centered),
                Paragraph(_clean(document.name), styles.cell),
                Paragraph(escape(document_kind_label(document.kind)), styles.cell_centered),
                Paragraph(f"{document.count:02d}", styles.cell_centered),
            ]
        )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if not data.documents:
        rows.append([Paragraph(escape(text("documents.empty")), styles.cell_centered)])
        rows[-1].extend(Paragraph("", styles.cell) for _ in range(3))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(
        rows,
        colWidths=[no_width, name_width, kind_width, count_width],
        repeatRows=1,
        hAlign="CENTER",
    )
    table.setStyle(TableStyle(commands))
    return table


def _signatures(
    data: ReceiptData, template: ReceiptTemplate, styles: _Styles, fonts: FontFamily, width: float
) -> Table:
    text = template.text
    applicant_hint = (
        text("signatures.postal_hint") if data.channel == "postal" else text("signatures.hint")
    )
    submitter = data.representative_name or data.applicant_name
    space = Spacer(1, template.number("signatures.space_mm") * mm)
    left = [
        Paragraph(escape(text("signatures.applicant")), styles.sign_caption),
        Paragraph(escape(applicant_hint), styles.sign_hint),
        space,
        Paragraph(_bold(submitter), styles.centered),
    ]
    right = [
        Paragraph(escape(text("signatures.officer")), styles.sign_caption),
        Paragraph(escape(text("signatures.hint")), styles.sign_hint),
        Spacer(1, template.number("signatures.space_mm") * mm),
        Paragraph(_bold(data.officer_name), styles.centered),
    ]
    table = Table([[left, right]], colWidths=[width / 2, width / 2], hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _copy_story(
    data: ReceiptData,
    template: ReceiptTemplate,
    styles: _Styles,
    fonts: FontFamily,
    width: float,
    caption: str,
    pattern: str,
) -> list[Flowable]:
    text = template.text
    code = _clean(data.code)
    story: list[Flowable] = [
        _header(data, template, styles, fonts, width),
        Paragraph(escape(text("text.title")), styles.title),
        Paragraph(escape(caption), styles.caption),
        _Code128Flowable(
            pattern,
            module=template.number("barcode.module_mm") * mm,
            bar_height=template.number("barcode.height_mm") * mm,
            quiet_modules=int(template.number("barcode.quiet_zone_modules")),
            caption=_plain(text("text.barcode_caption"), code=data.code.strip()),
            font_name=fonts.regular,
            font_size=template.number("font_size.barcode_text"),
        ),
        Paragraph(_fill(text("text.pin"), pin=_bold(data.lookup_pin)), styles.centered),
    ]

    def line(key: str, **values: str) -> None:
        story.append(Paragraph(_fill(text(key), **values), styles.body))

    line("text.applicant", name=_bold(data.applicant_name), cccd=_clean(data.applicant_cccd))
    if data.representative_name:
        line("text.representative", name=_bold(data.representative_name))
    line("text.address", address=_clean(data.applicant_address))
    if data.applicant_email:
        line(
            "text.contact_with_email",
            phone=_clean(data.applicant_phone),
            email=_clean(data.applicant_email),
        )
    else:
        line("text.contact", phone=_clean(data.applicant_phone))
    line(
        "text.request",
        procedure_name=_bold(data.procedure_name),
        procedure_code=_clean(data.procedure_code),
        request=_clean(data.request_text),
    )
    line("text.documents_heading")
    story.append(Spacer(1, 0.8 * mm))
    story.append(_documents_table(data, template, styles, fonts, width))
    story.append(Spacer(1, 1.2 * mm))
    line(
        "text.sets",
        sets=f"{data.sets_count:02d}",
        channel=escape(text(f"channels.{data.channel}")),
    )
    line("text.duration", duration=escape(format_duration(data.duration_kind, data.duration_value)))
    line("text.received", received=escape(format_vn_datetime(data.received_at)))
    due = format_vn_datetime(data.due_at) if data.due_at is not None else text("text.no_due")
    line("text.due", due=f"<b>{escape(due)}</b>")
    line("text.result_place", place=_clean(data.result_place))
    line("text.fee", fee=_clean(data.fee_text))
    register_line = (
        str(data.register_line)
        if data.register_line is not None
        else escape(text("text.register_line_blank"))
    )
    closing: list[Flowable] = [
        Paragraph(
            _fill(text("text.register"), book=_clean(data.register_book), line=register_line),
            styles.body,
        ),
        Spacer(1, 2 * mm),
        _signatures(data, template, styles, fonts, width),
    ]
    notes = template.lists["notes.lines"]
    if notes:
        closing.append(Spacer(1, 2 * mm))
        closing.append(Paragraph(escape(text("notes.title")), styles.notes))
        closing.extend(
            Paragraph(_fill(note, code=code, pin=_clean(data.lookup_pin)), styles.notes)
            for note in notes
        )
    # The register line, the signatures and the notes stay together so that a continuation
    # page never starts with a lone signature block.
    story.append(KeepTogether(closing))
    return story


def _footer_painter(
    data: ReceiptData, template: ReceiptTemplate, fonts: FontFamily, state: _CopyState
) -> Callable[[Any, Any], None]:
    footer = template.text("footer.text")
    size = template.number("font_size.small") - 0.5
    bottom = template.number("page.margin_bottom_mm") * mm

    def paint(canv: Any, doc: Any) -> None:
        page = canv.getPageNumber() - state.first_page + 1
        label = _plain(footer, code=data.code.strip(), copy=state.caption, page=str(page))
        canv.saveState()
        canv.setFont(fonts.italic, size)
        canv.drawCentredString(doc.pagesize[0] / 2, bottom * 0.45, label)
        canv.restoreState()

    return paint


def render_receipt_pdf(data: ReceiptData, template: ReceiptTemplate | None = None) -> bytes:
    """The receipt as PDF bytes: one A5 copy per template caption, fonts embedded.

    The same data and template always give the same bytes. Raises ``ValueError`` for data
    the form cannot print (unknown document kind or channel, a code Code128 cannot carry).
    """
    fonts = register_fonts()
    template = template if template is not None else load_receipt_template()
    _check_data(data)
    pattern = _code128_pattern(data.code.strip())

    number = template.number
    page_width, page_height = A5
    left, right = number("page.margin_left_mm") * mm, number("page.margin_right_mm") * mm
    top, bottom = number("page.margin_top_mm") * mm, number("page.margin_bottom_mm") * mm
    width = page_width - left - right
    symbol = (len(pattern) + 2 * number("barcode.quiet_zone_modules")) * number("barcode.module_mm")
    if symbol * mm > page_width:
        raise ValueError(
            f"receipt: dossier code {data.code!r} is too long for a Code128 barcode of "
            f"{number('barcode.module_mm')} mm modules on A5 ({symbol:.0f} mm needed)"
        )

    meta_values = {
        "code": data.code.strip(),
        "parent_body": data.parent_body.strip(),
        "unit_name": data.unit_name.strip(),
        "procedure_name": data.procedure_name.strip(),
        "procedure_code": data.procedure_code.strip(),
    }

    def meta(key: str) -> str:
        fields = _TEXT_KEYS[key]
        return _plain(template.text(key), **{k: v for k, v in meta_values.items() if k in fields})

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=meta("metadata.title"),
        author=meta("metadata.author"),
        subject=meta("metadata.subject"),
        creator="desk_app",
        producer="desk_app (ReportLab)",
        invariant=1,
        # Without these the canvas preamble references Helvetica, which would then be listed
        # (unembedded) in the PDF even though no text uses it.
        initialFontName=fonts.regular,
        initialFontSize=number("font_size.body"),
        initialLeading=number("font_size.body") * 1.25,
        lang="vi-VN",
    )
    state = _CopyState()
    frame = Frame(
        left,
        bottom,
        width,
        page_height - top - bottom,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="receipt",
                frames=[frame],
                onPageEnd=_footer_painter(data, template, fonts, state),
            )
        ]
    )
    styles = _styles(template, fonts)
    story: list[Flowable] = []
    for index, caption in enumerate(template.lists["copies.captions"]):
        if index:
            story.append(PageBreak())
        story.append(_CopyStart(state, caption))
        story.extend(_copy_story(data, template, styles, fonts, width, caption, pattern))
    doc.build(story)
    return buffer.getvalue()
