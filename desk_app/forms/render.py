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
from reportlab.pdfgen.canvas import Canvas
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
    layout = _layout(template, fonts)
    state = _CopyState()
    story: list[Flowable] = []
    for index, caption in enumerate(copies):
        if index:
            story.append(PageBreak())
        story.append(_CopyStart(state, caption))
        story.extend(lay_out_copy(layout, caption))
    paint = _footer_painter(template, fonts, state, footer)
    return _build(template, fonts, layout, story, metadata, on_page_end=paint)


def render_copies_once(
    template: FormTemplate,
    *,
    captions: Sequence[str],
    lay_out: Callable[[Layout, Flowable], list[Flowable]],
    footer: Mapping[str, str],
    metadata: Mapping[str, str],
) -> bytes:
    """The same PDF as ``render_pdf`` for a form whose copies differ only by their
    caption, laid out once: ``lay_out(layout, slot)`` places ``slot`` where the caption
    goes. Each page of that layout becomes a form XObject; every copy's pages show it,
    with the copy's own caption in the slot and its own footer. Half the work of laying
    out and drawing two copies, and a smaller file.

    The slot is as tall as the tallest caption, so that every copy has the same layout.
    Two or more captions, none empty (else ``render_pdf``).
    """
    if len(captions) < 2 or not all(captions):
        raise ValueError("copies laid out once need two or more captions, none empty")
    fonts = register_fonts()
    layout = _layout(template, fonts)
    slot = _slot(layout, captions)
    state = _CopyState()
    paint = _footer_painter(template, fonts, state, footer)
    pages: list[str] = []

    def page_begins(canv: Any, _doc: Any) -> None:
        pages.append(f"page{len(pages) + 1}")
        canv.beginForm(pages[-1])

    def show(canv: Any, doc: Any, copy: int, page: int) -> None:
        canv.doForm(pages[page - 1])
        if slot.page == page:
            slot.draw_caption(canv, copy)
        state.caption, state.first_page = captions[copy], canv.getPageNumber() - page + 1
        paint(canv, doc)

    def page_ends(canv: Any, doc: Any) -> None:
        canv.endForm()
        show(canv, doc, 0, len(pages))

    def other_copies(canv: Any, doc: Any) -> None:
        for copy in range(1, len(captions)):
            for page in range(1, len(pages) + 1):
                show(canv, doc, copy, page)
                canv.showPage()

    return _build(
        template, fonts, layout, lay_out(layout, slot), metadata,
        on_page_begin=page_begins, on_page_end=page_ends, before_save=other_copies,
    )  # fmt: skip


class _CaptionSlot(Flowable):  # type: ignore[misc]
    """Room for the caption of whichever copy is shown; draws nothing itself, but keeps
    where it was placed so that each copy's caption is drawn there."""

    def __init__(self, paragraphs: list[Flowable]) -> None:
        super().__init__()
        self._paragraphs = paragraphs
        self.page: int | None = None
        self._at = (0.0, 0.0, 0.0)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = max(p.wrap(avail_width, avail_height)[1] for p in self._paragraphs)
        return self.width, self.height

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        self.page = canvas.getPageNumber()
        self._at = (x, y, self.width)

    def draw_caption(self, canvas: Any, copy: int) -> None:
        x, y, width = self._at
        paragraph = self._paragraphs[copy]
        _w, height = paragraph.wrap(width, self.height)
        paragraph.drawOn(canvas, x, y + self.height - height)


def _slot(layout: Layout, captions: Sequence[str]) -> _CaptionSlot:
    from desk_app.forms.blocks import caption

    return _CaptionSlot([caption(layout, c) for c in captions])


def _layout(template: FormTemplate, fonts: FontFamily) -> Layout:
    size_name = template.choices["page.size"]
    page_width, _page_height = _page_size(template)
    left = template.number("page.margin_left_mm") * mm
    right = template.number("page.margin_right_mm") * mm
    return Layout(
        template=template,
        fonts=fonts,
        styles=make_styles(template, fonts),
        width=page_width - left - right,
        page_width=page_width,
        page_name=size_name,
    )


def _page_size(template: FormTemplate) -> tuple[float, float]:
    orient = landscape if template.choices["page.orientation"] == "landscape" else portrait
    width, height = orient(_PAGE_SIZES[template.choices["page.size"]])
    return float(width), float(height)


PagePainter = Callable[[Any, Any], None]


def _build(
    template: FormTemplate,
    fonts: FontFamily,
    layout: Layout,
    story: list[Flowable],
    metadata: Mapping[str, str],
    *,
    on_page_end: PagePainter,
    on_page_begin: PagePainter | None = None,
    before_save: PagePainter | None = None,
) -> bytes:
    number_ = template.number
    page_width, page_height = _page_size(template)
    left, top = number_("page.margin_left_mm") * mm, number_("page.margin_top_mm") * mm
    right, bottom = number_("page.margin_right_mm") * mm, number_("page.margin_bottom_mm") * mm
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
        layout.width,
        page_height - top - bottom,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    page = PageTemplate(id="form", frames=[frame], onPageEnd=on_page_end)
    if on_page_begin is not None:
        page.onPage = on_page_begin
    doc.addPageTemplates([page])
    if before_save is None:
        doc.build(story)
    else:
        hook = before_save

        class _Canvas(Canvas):  # type: ignore[misc]
            def save(self) -> None:
                hook(self, doc)
                super().save()

        doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()
