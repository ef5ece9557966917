"""The blocks every printed form is built from, and the template keys each one reads.

An administrative form (Nghị định 30/2020/NĐ-CP) opens with two columns: the agency
(parent body, unit, document number) on the left and the national title, motto and
place-and-date line on the right; it ends with signature columns. Between them come the
form's own lines, tables and notes. A form module picks the blocks it needs, adds their
``*_KEYS`` to its schema and passes its own wording in.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from desk_app.forms.barcode import Code128Flowable, code128_pattern
from desk_app.forms.fonts import FontFamily
from desk_app.forms.template import FormTemplate, KeySpec, number, text
from desk_app.forms.vn_format import format_vn_date_line

STYLE_KEYS: dict[str, KeySpec] = {
    "font_size.header": number(5, 16),
    "font_size.title": number(5, 20),
    "font_size.body": number(5, 16),
    "font_size.table": number(5, 16),
    "font_size.small": number(5, 16),
}

HEADER_KEYS: dict[str, KeySpec] = {
    "header.national_title": text(),
    "header.national_motto": text(),
    "page.header_left_ratio": number(0.25, 0.75),
}

BARCODE_KEYS: dict[str, KeySpec] = {
    # Below 0.33 mm a 25-character code no longer decodes from a 200 dpi scan of a worn print.
    "barcode.module_mm": number(0.33, 1.0),
    "barcode.height_mm": number(5, 30),
    "barcode.quiet_zone_modules": number(10, 50),
    "font_size.barcode_text": number(5, 16),
}

SIGNATURE_KEYS: dict[str, KeySpec] = {
    "signatures.hint": text(),
    "signatures.space_mm": number(0, 50),
}


# ------------------------------------------------------------------ text


def clean(value: str) -> str:
    """User text made safe for paragraph markup; NFC because the font has no shaping."""
    return escape(unicodedata.normalize("NFC", value).strip())


def bold(value: str) -> str:
    return f"<b>{clean(value)}</b>"


def fill(template_text: str, **values: str) -> str:
    """Escape the template's literal text, then insert values (already markup)."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template_text):
        parts.append(escape(literal))
        if field is not None:
            parts.append(values[field])
    return "".join(parts)


# ------------------------------------------------------------------ layout and styles


@dataclass(frozen=True)
class Styles:
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


def make_styles(template: FormTemplate, fonts: FontFamily) -> Styles:
    size = template.number
    header = size("font_size.header")
    body = size("font_size.body")
    table = size("font_size.table")
    small = size("font_size.small")

    def style(name: str, font: str, font_size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=font_size, leading=font_size * 1.25, **extra
        )

    return Styles(
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


@dataclass(frozen=True)
class Layout:
    """What every block needs: the template, the fonts, the styles and the text width."""

    template: FormTemplate
    fonts: FontFamily
    styles: Styles
    width: float
    page_width: float
    page_name: str


# ------------------------------------------------------------------ header


@dataclass(frozen=True)
class Agency:
    """The issuing body as printed in the header: ``UBND XÃ TÂN PHÚ`` over its unit."""

    parent_body: str
    unit_name: str
    place_name: str


def _rule(width: float) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=2.5)


def document_header(layout: Layout, agency: Agency, number_line: str, day: date) -> Table:
    """The agency block (left) beside the national title and motto (right).

    ``number_line`` is markup (``Số: …/TNHS``); ``day`` goes on the place-and-date line.
    """
    template, styles, fonts = layout.template, layout.styles, layout.fonts
    header_size = template.number("font_size.header")
    left_width = layout.width * template.number("page.header_left_ratio")
    right_width = layout.width - left_width
    motto = template.text("header.national_motto")
    # The rules under the unit and the motto are as wide as the motto, as on printed forms.
    motto_rule = min(stringWidth(motto, fonts.bold, header_size), right_width - 4)
    unit_rule = min(left_width * 0.4, 30 * mm)
    rows = [
        [
            Paragraph(clean(agency.parent_body), styles.header),
            Paragraph(escape(template.text("header.national_title")), styles.header_bold),
        ],
        [
            [Paragraph(clean(agency.unit_name), styles.header_bold), _rule(unit_rule)],
            [Paragraph(escape(motto), styles.header_bold), _rule(motto_rule)],
        ],
        [
            Paragraph(number_line, styles.header),
            Paragraph(clean(format_vn_date_line(agency.place_name, day)), styles.header_italic),
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


def title(layout: Layout, wording: str) -> Paragraph:
    """The form's title in capitals under the header."""
    return Paragraph(escape(wording), layout.styles.title)


def caption(layout: Layout, wording: str) -> Paragraph:
    """The small italic line under the title (which copy this is)."""
    return Paragraph(escape(wording), layout.styles.caption)


# ------------------------------------------------------------------ body


def line(layout: Layout, template_text: str, **values: str) -> Paragraph:
    """One body paragraph: template wording with its placeholders filled (values are markup)."""
    return Paragraph(fill(template_text, **values), layout.styles.body)


def paragraphs(layout: Layout, lines: Sequence[str], **values: str) -> list[Flowable]:
    """Free body paragraphs from a template list, each with its placeholders filled."""
    return [line(layout, wording, **values) for wording in lines]


def notes(layout: Layout, heading: str, lines: Sequence[str], **values: str) -> list[Flowable]:
    """The small italic notes at the end of a form; nothing when there are no lines."""
    if not lines:
        return []
    styles = layout.styles
    return [
        Spacer(1, 2 * mm),
        Paragraph(escape(heading), styles.notes),
        *(Paragraph(fill(note, **values), styles.notes) for note in lines),
    ]


@dataclass(frozen=True)
class Column:
    """One table column: its heading, its width in points (``None``: the rest of the
    width, at least 20 mm) and how its cells align."""

    heading: str
    width: float | None
    align: Literal["left", "center"] = "center"


def table(
    layout: Layout, columns: Sequence[Column], rows: Sequence[Sequence[str]], empty: str
) -> Table:
    """A ruled table with a heading row repeated on every page; ``rows`` hold markup.

    With no rows it prints one row spanning all columns with ``empty``.
    """
    styles = layout.styles
    fixed = sum(column.width or 0 for column in columns)
    flexible = sum(column.width is None for column in columns)
    rest = max((layout.width - fixed) / max(flexible, 1), 20 * mm)
    widths = [column.width if column.width is not None else rest for column in columns]
    cell_styles = [styles.cell if c.align == "left" else styles.cell_centered for c in columns]
    body: list[list[Paragraph]] = [
        [Paragraph(escape(column.heading), styles.cell_head) for column in columns]
    ]
    body.extend(
        [Paragraph(cell, style) for cell, style in zip(row, cell_styles, strict=True)]
        for row in rows
    )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), layout.fonts.regular),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if not rows:
        body.append([Paragraph(escape(empty), styles.cell_centered)])
        body[-1].extend(Paragraph("", styles.cell) for _ in columns[1:])
        commands.append(("SPAN", (0, 1), (-1, 1)))
    result = Table(body, colWidths=widths, repeatRows=1, hAlign="CENTER")
    result.setStyle(TableStyle(commands))
    return result


# ------------------------------------------------------------------ barcode and signatures


def barcode(layout: Layout, code: str, caption: str) -> Code128Flowable:
    """The Code128 symbol of ``code``, centred, with ``caption`` underneath.

    Raises ``ValueError`` when the symbol at the template's module width is wider than
    the page: shrinking the bars would make a worn print unreadable.
    """
    template = layout.template
    pattern = code128_pattern(code)
    module = template.number("barcode.module_mm")
    quiet = int(template.number("barcode.quiet_zone_modules"))
    symbol = (len(pattern) + 2 * quiet) * module
    if symbol * mm > layout.page_width:
        raise ValueError(
            f"dossier code {code!r} is too long for a Code128 barcode of {module} mm "
            f"modules on {layout.page_name} ({symbol:.0f} mm needed)"
        )
    return Code128Flowable(
        pattern,
        module=module * mm,
        bar_height=template.number("barcode.height_mm") * mm,
        quiet_modules=quiet,
        caption=caption,
        font_name=layout.fonts.regular,
        font_size=template.number("font_size.barcode_text"),
    )


@dataclass(frozen=True)
class Signer:
    """One signature column: caption, hint under it, and the name printed in bold."""

    caption: str  # a line break in it starts a new line ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    name: str
    hint: str | None = None  # None: the template's "(Ký và ghi rõ họ tên)"


def _lines_markup(value: str) -> str:
    return "<br/>".join(escape(part.strip()) for part in value.split("\n"))


def signatures(layout: Layout, signers: Sequence[Signer]) -> Table:
    """Signature columns side by side, equal widths, room to sign above each name.

    A signer with an empty caption, hint and name leaves its column blank (a form signed
    on the right only).
    """
    template, styles = layout.template, layout.styles
    width = layout.width / len(signers)
    cells = [
        [
            Paragraph(_lines_markup(signer.caption), styles.sign_caption),
            Paragraph(
                escape(
                    signer.hint if signer.hint is not None else template.text("signatures.hint")
                ),
                styles.sign_hint,
            ),
            Spacer(1, template.number("signatures.space_mm") * mm),
            Paragraph(bold(signer.name), styles.centered),
        ]
        for signer in signers
    ]
    result = Table([cells], colWidths=[width] * len(signers), hAlign="CENTER")
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), layout.fonts.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return result
