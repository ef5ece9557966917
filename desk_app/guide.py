"""The user guide (shown on F1) and the one-page quick reference printed for the desk.

Both are data in ``resources/help/``: the guide is HTML a text browser shows as it is; the
quick reference is a short TOML list of sections rendered here to one A4 page with the
forms' Vietnamese font.
"""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass

from desk_app.errors import InvalidInputError
from desk_app.paths import resource_path


class QuickReferenceError(InvalidInputError):
    """The quick reference file is missing a key or holds the wrong type."""

    default_code = "guide.quick_reference"


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class QuickReference:
    title: str
    subtitle: str
    sections: tuple[Section, ...]


def program_version() -> tuple[str, str]:
    """This program's version and the database schema revision it writes."""
    from desk_app import __version__
    from desk_app.db.migrate import HEAD_REVISION

    return __version__, HEAD_REVISION


def guide_html() -> str:
    """The user guide, as HTML (Vietnamese)."""
    return resource_path("help", "guide.html").read_text(encoding="utf-8")


def load_quick_reference(text: str | None = None) -> QuickReference:
    """The quick reference from its TOML (the shipped file unless ``text`` is given)."""
    if text is None:
        text = resource_path("help", "quick_reference.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuickReferenceError(f"bảng tra cứu nhanh không đọc được: {exc}") from None
    title, subtitle, sections = data.get("title"), data.get("subtitle", ""), data.get("sections")
    if not isinstance(title, str) or not isinstance(subtitle, str):
        raise QuickReferenceError("bảng tra cứu nhanh thiếu tiêu đề (title, subtitle)")
    if not isinstance(sections, list) or not sections:
        raise QuickReferenceError("bảng tra cứu nhanh không có mục nào (sections)")
    parsed = []
    for number, section in enumerate(sections, 1):
        heading = section.get("heading") if isinstance(section, dict) else None
        lines = section.get("lines") if isinstance(section, dict) else None
        if not isinstance(heading, str) or not isinstance(lines, list):
            raise QuickReferenceError(f"mục {number} của bảng tra cứu nhanh thiếu heading/lines")
        if not all(isinstance(line, str) for line in lines):
            raise QuickReferenceError(f"mục {number}: mỗi dòng phải là một chuỗi")
        parsed.append(Section(heading, tuple(lines)))
    return QuickReference(title, subtitle, tuple(parsed))


def quick_reference_pdf(reference: QuickReference | None = None) -> bytes:
    """The quick reference as a one-page A4 PDF, in two columns."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        KeepTogether,
        PageTemplate,
        Paragraph,
    )
    from reportlab.platypus.flowables import HRFlowable

    from desk_app.forms.fonts import register_fonts

    ref = reference or load_quick_reference()
    fonts = register_fonts()
    width, height = A4
    margin = 14 * mm
    gap = 8 * mm
    head_h = 24 * mm
    column_w = (width - 2 * margin - gap) / 2
    body_h = height - 2 * margin - head_h
    frames = [
        Frame(margin, height - margin - head_h, width - 2 * margin, head_h, id="head"),
        Frame(margin, margin, column_w, body_h, id="left"),
        Frame(margin + column_w + gap, margin, column_w, body_h, id="right"),
    ]
    title = ParagraphStyle("t", fontName=fonts.bold, fontSize=17, leading=22, alignment=1)
    subtitle = ParagraphStyle("s", fontName=fonts.italic, fontSize=11, leading=14, alignment=1)
    heading = ParagraphStyle(
        "h", fontName=fonts.bold, fontSize=14, leading=18, spaceBefore=10, spaceAfter=4
    )
    line = ParagraphStyle(
        "l",
        fontName=fonts.regular,
        fontSize=12,
        leading=16.5,
        leftIndent=11,
        bulletIndent=0,
        spaceAfter=2,
    )
    story: list[object] = [
        Paragraph(escape(ref.title), title),
        Paragraph(escape(ref.subtitle), subtitle),
        HRFlowable(width="100%", thickness=0.8, spaceBefore=4),
        FrameBreak(),
    ]
    half = (len(ref.sections) + 1) // 2
    for index, section in enumerate(ref.sections):
        if index == half:
            story.append(FrameBreak())
        block = [Paragraph(escape(section.heading), heading)]
        block += [Paragraph(escape(text), line, bulletText="•") for text in section.lines]
        story.append(KeepTogether(block))
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=ref.title,
        author="desk-app",
        pageTemplates=[PageTemplate(id="page", frames=frames)],
    )
    doc.build(story)
    return buffer.getvalue()
