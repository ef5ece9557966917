"""One renderer for every printed form: page, copies, footer, metadata, fonts.

A form hands over its checked template, the captions of its copies and a function that
lays out one copy from the shared blocks; the renderer sets the page size and margins
from the template, starts each copy on a fresh page, paints the footer with the copy and
its page number, and returns PDF bytes that depend only on the data and the template.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from reportlab.lib.pagesizes import A4, A5, landscape, portrait
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
)

from desk_app.forms.blocks import BARCODE_KEYS, HEADER_KEYS, STYLE_KEYS, Layout, make_styles
from desk_app.forms.fonts import FontFamily, register_fonts
from desk_app.forms.template import FormTemplate, KeySpec, choice, merge_keys, number, text

_PAGE_SIZES = {"A4": A4, "A5": A5}


def page_keys(
    *,
    footer: Iterable[str],
    title: Iterable[str],
    author: Iterable[str],
    subject: Iterable[str],
) -> dict[str, KeySpec]:
    """The keys the renderer reads, with the placeholders the form supplies for each.

    The footer may always use ``{copy}`` (the copy's caption) and ``{page}`` (the page
    within that copy) besides ``footer``.
    """
    return {
        "page.size": choice(*_PAGE_SIZES),
        "page.orientation": choice("portrait", "landscape"),
        "page.margin_top_mm": number(3, 40),
        "page.margin_bottom_mm": number(3, 40),
        "page.margin_left_mm": number(3, 40),
        "page.margin_right_mm": number(3, 40),
        **STYLE_KEYS,
        "footer.text": text("copy", "page", *footer),
        "metadata.title": text(*title),
        "metadata.author": text(*author),
        "metadata.subject": text(*subject),
    }


def dossier_form_keys(*parts: Mapping[str, KeySpec]) -> dict[str, KeySpec]:
    """The schema of a form about one dossier, with ``parts`` (the form's own keys).

    Its footer and title may use ``{code}``, its author the agency, its subject the
    procedure (see :func:`dossier_values`); it has the national header, the number line
    with the code, the title and the barcode of the code.
    """
    return merge_keys(
        page_keys(
            footer=("code",),
            title=("code",),
            author=("parent_body", "unit_name"),
            subject=("procedure_name", "procedure_code"),
        ),
        HEADER_KEYS,
        BARCODE_KEYS,
        {
            "header.number": text("code"),
            "text.title": text(),
            "text.barcode_caption": text("code"),
        },
        *parts,
    )


def dossier_values(
    code: str, parent_body: str, unit_name: str, procedure_name: str, procedure_code: str
) -> dict[str, str]:
    """The footer and metadata values of a form built on :func:`dossier_form_keys`."""
    return {
        "code": code.strip(),
        "parent_body": parent_body.strip(),
        "unit_name": unit_name.strip(),
        "procedure_name": procedure_name.strip(),
        "procedure_code": procedure_code.strip(),
    }


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


def _footer_painter(
    template: FormTemplate, fonts: FontFamily, state: _CopyState, values: Mapping[str, str]
) -> Callable[[Any, Any], None]:
    size = template.number("font_size.small") - 0.5
    bottom = template.number("page.margin_bottom_mm") * mm

    def paint(canv: Any, doc: Any) -> None:
        page = canv.getPageNumber() - state.first_page + 1
        label = template.plain("footer.text", {**values, "copy": state.caption, "page": str(page)})
        # An empty value (no code yet, no caption) leaves no double space behind.
        label = " ".join(label.split())
        canv.saveState()
        canv.setFont(fonts.italic, size)
        canv.drawCentredString(doc.pagesize[0] / 2, bottom * 0.45, label)
        canv.restoreState()

    return paint


def render_pdf(
    template: FormTemplate,
    *,
    copies: Sequence[str],
    lay_out_copy: Callable[[Layout, str], list[Flowable]],
    footer: Mapping[str, str],
    metadata: Mapping[str, str],
) -> bytes:
    """The form as PDF bytes: ``lay_out_copy(layout, caption)`` once per copy, each copy
    starting on a fresh page, fonts embedded, the same bytes for the same input.

    ``footer`` and ``metadata`` hold plain values for the placeholders of ``footer.text``
    and ``metadata.*``; each key takes only the ones its schema allows.
    """
    fonts = register_fonts()
    number_ = template.number
    size_name = template.choices["page.size"]
    orient = landscape if template.choices["page.orientation"] == "landscape" else portrait
    page_width, page_height = orient(_PAGE_SIZES[size_name])
    left, right = number_("page.margin_left_mm") * mm, number_("page.margin_right_mm") * mm
    top, bottom = number_("page.margin_top_mm") * mm, number_("page.margin_bottom_mm") * mm
    width = page_width - left - right
    layout = Layout(
        template=template,
        fonts=fonts,
        styles=make_styles(template, fonts),
        width=width,
        page_width=page_width,
        page_name=size_name,
    )
    state = _CopyState()
    story: list[Flowable] = []
    for index, caption in enumerate(copies):
        if index:
            story.append(PageBreak())
        story.append(_CopyStart(state, caption))
        story.extend(lay_out_copy(layout, caption))

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=template.plain("metadata.title", metadata),
        author=template.plain("metadata.author", metadata),
        subject=template.plain("metadata.subject", metadata),
        creator="desk_app",
        producer="desk_app (ReportLab)",
        invariant=1,
        # Without these the canvas preamble references Helvetica, which would then be listed
        # (unembedded) in the PDF even though no text uses it.
        initialFontName=fonts.regular,
        initialFontSize=number_("font_size.body"),
        initialLeading=number_("font_size.body") * 1.25,
        lang="vi-VN",
    )
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
                id="form",
                frames=[frame],
                onPageEnd=_footer_painter(template, fonts, state, footer),
            )
        ]
    )
    doc.build(story)
    return buffer.getvalue()
