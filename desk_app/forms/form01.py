"""Form 01, the receipt and appointment (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), as a PDF.

The wording and layout come from ``resources/templates/receipt_form01.toml``; this module
only lays it out. One A5 copy per caption in the template (usually two: one for the
citizen, one travelling with the file), each starting on a fresh page, with a Code128
barcode of the dossier code drawn as vector bars so the hand-over scan never needs typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from desk_app.forms import blocks
from desk_app.forms.blocks import Agency, Column, Layout, Signer, bold, clean, fill
from desk_app.forms.render import dossier_form_keys, dossier_values, render_pdf
from desk_app.forms.template import FormSchema, FormTemplate, number, text, text_list
from desk_app.forms.vn_format import document_kind_label, format_duration, format_vn_datetime

_CHANNELS = ("in_person", "postal", "online")


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
    #: the commune's own notes (literal text), in place of the template's when given
    notes: tuple[str, ...] = ()


SCHEMA = FormSchema(
    name="form01",
    file_name="receipt_form01.toml",
    keys=dossier_form_keys(
        blocks.SIGNATURE_KEYS,
        {
            "text.pin": text("pin"),
            "text.applicant": text("name", "cccd"),
            "text.representative": text("name"),
            "text.address": text("address"),
            "text.contact": text("phone"),
            "text.contact_with_email": text("phone", "email"),
            "text.request": text("procedure_name", "procedure_code", "request"),
            "text.documents_heading": text(),
            "text.sets": text("sets", "channel"),
            "text.duration": text("duration"),
            "text.received": text("received"),
            "text.due": text("due"),
            "text.no_due": text(),
            "text.result_place": text("place"),
            "text.fee": text("fee"),
            "text.register": text("book", "line"),
            "text.register_line_blank": text(),
            "documents.col_no": text(),
            "documents.col_name": text(),
            "documents.col_kind": text(),
            "documents.col_count": text(),
            "documents.empty": text(),
            "documents.no_width_mm": number(5, 40),
            "documents.kind_width_mm": number(10, 60),
            "documents.count_width_mm": number(8, 40),
            "channels.in_person": text(),
            "channels.postal": text(),
            "channels.online": text(),
            "signatures.applicant": text(),
            "signatures.officer": text(),
            "signatures.postal_hint": text(),
            "notes.title": text(),
            "notes.lines": text_list("code", "pin"),
            "copies.captions": text_list(minimum=1),
        },
    ),
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


def _documents_table(data: ReceiptData, layout: Layout) -> Flowable:
    t = layout.template
    columns = (
        Column(t.text("documents.col_no"), t.number("documents.no_width_mm") * mm),
        Column(t.text("documents.col_name"), None, "left"),
        Column(t.text("documents.col_kind"), t.number("documents.kind_width_mm") * mm),
        Column(t.text("documents.col_count"), t.number("documents.count_width_mm") * mm),
    )
    rows = [
        (str(n), clean(d.name), escape(document_kind_label(d.kind)), f"{d.count:02d}")
        for n, d in enumerate(data.documents, start=1)
    ]
    return blocks.table(layout, columns, rows, t.text("documents.empty"))


def _copy(data: ReceiptData, layout: Layout, caption: str) -> list[Flowable]:
    t = layout.template
    text_ = t.text
    code = data.code.strip()
    agency = Agency(data.parent_body, data.unit_name, data.place_name)
    story: list[Flowable] = [
        blocks.document_header(
            layout, agency, fill(text_("header.number"), code=clean(code)), data.received_at.date()
        ),
        blocks.title(layout, text_("text.title")),
        blocks.caption(layout, caption),
        blocks.barcode(layout, code, t.plain("text.barcode_caption", {"code": code})),
        Paragraph(fill(text_("text.pin"), pin=bold(data.lookup_pin)), layout.styles.centered),
    ]

    def line(key: str, **values: str) -> None:
        story.append(blocks.line(layout, text_(key), **values))

    line("text.applicant", name=bold(data.applicant_name), cccd=clean(data.applicant_cccd))
    if data.representative_name:
        line("text.representative", name=bold(data.representative_name))
    line("text.address", address=clean(data.applicant_address))
    if data.applicant_email:
        line(
            "text.contact_with_email",
            phone=clean(data.applicant_phone),
            email=clean(data.applicant_email),
        )
    else:
        line("text.contact", phone=clean(data.applicant_phone))
    line(
        "text.request",
        procedure_name=bold(data.procedure_name),
        procedure_code=clean(data.procedure_code),
        request=clean(data.request_text),
    )
    line("text.documents_heading")
    story += [Spacer(1, 0.8 * mm), _documents_table(data, layout), Spacer(1, 1.2 * mm)]
    line(
        "text.sets",
        sets=f"{data.sets_count:02d}",
        channel=escape(text_(f"channels.{data.channel}")),
    )
    line("text.duration", duration=escape(format_duration(data.duration_kind, data.duration_value)))
    line("text.received", received=escape(format_vn_datetime(data.received_at)))
    due = format_vn_datetime(data.due_at) if data.due_at is not None else text_("text.no_due")
    line("text.due", due=f"<b>{escape(due)}</b>")
    line("text.result_place", place=clean(data.result_place))
    line("text.fee", fee=clean(data.fee_text))
    register_line = (
        str(data.register_line)
        if data.register_line is not None
        else escape(text_("text.register_line_blank"))
    )
    postal = data.channel == "postal"
    signers = (
        Signer(
            text_("signatures.applicant"),
            data.representative_name or data.applicant_name,
            text_("signatures.postal_hint") if postal else None,
        ),
        Signer(text_("signatures.officer"), data.officer_name),
    )
    # The register line, the signatures and the notes stay together so that a continuation
    # page never starts with a lone signature block.
    closing: list[Flowable] = [
        blocks.line(
            layout, text_("text.register"), book=clean(data.register_book), line=register_line
        ),
        Spacer(1, 2 * mm),
        blocks.signatures(layout, signers),
        *blocks.notes(
            layout,
            text_("notes.title"),
            [n.replace("{", "{{").replace("}", "}}") for n in data.notes] or t.lists["notes.lines"],
            code=clean(code),
            pin=clean(data.lookup_pin),
        ),
    ]
    story.append(KeepTogether(closing))
    return story


def render_receipt_pdf(data: ReceiptData, template: FormTemplate | None = None) -> bytes:
    """The receipt as PDF bytes: one A5 copy per template caption, fonts embedded.

    The same data and template always give the same bytes. Raises ``ValueError`` for data
    the form cannot print (unknown document kind or channel, a code Code128 cannot carry)
    and :class:`~desk_app.forms.template.FormTemplateError` for a broken template file.
    """
    template = template if template is not None else SCHEMA.load()
    _check_data(data)
    code = data.code.strip()
    values = dossier_values(
        code, data.parent_body, data.unit_name, data.procedure_name, data.procedure_code
    )
    return render_pdf(
        template,
        copies=template.lists["copies.captions"],
        lay_out_copy=lambda layout, caption: _copy(data, layout, caption),
        footer=values,
        metadata=values,
    )
