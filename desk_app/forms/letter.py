"""The letters the desk gives the citizen (Forms 02–05), laid out alike.

Each is the national header with the form's number suffix, the title, the dossier code
as a barcode (when a code exists), body paragraphs from the template with the dossier's
values in their ``{placeholders}``, a form's own table or lines between them, the
signatures and the notes. A form module declares its extra keys and placeholders, picks
its part of :class:`~desk_app.forms.data.DossierFormData` and calls :func:`render_letter`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desk_app.forms import blocks
from desk_app.forms.blocks import Layout, Signer, bold, clean, fill
from desk_app.forms.data import DossierFormData
from desk_app.forms.render import (
    dossier_form_keys,
    dossier_values,
    render_copies_once,
    render_pdf,
)
from desk_app.forms.template import FormTemplate, KeySpec, text, text_list
from desk_app.forms.vn_format import format_duration, format_vn_date, format_vn_datetime

# Every letter's body paragraphs may use these; a form adds its own (``reason``, ...).
COMMON_PLACEHOLDERS: tuple[str, ...] = (
    "name", "address", "phone", "code", "procedure_name", "procedure_code", "request",
    "received", "due", "original_due", "duration", "unit", "parent_body", "place",
    "officer", "contact", "today",
)  # fmt: skip


def letter_keys(own: Mapping[str, KeySpec]) -> dict[str, KeySpec]:
    """The schema of a letter form: the renderer's, the shared blocks' and ``own``."""
    return dossier_form_keys(
        blocks.SIGNATURE_KEYS,
        {
            # The number line of a letter given before any code was issued (at intake).
            "header.number_blank": text(),
            # What prints where a value is unknown (no appointment, no phone).
            "text.blank": text(),
            "signatures.left": text(),
            "signatures.left_hint": text(),
            "signatures.right": text(),
            "signatures.right_hint": text(),
            "notes.title": text(),
            "notes.lines": text_list(*COMMON_PLACEHOLDERS),
            "copies.captions": text_list(minimum=1),
        },
        own,
    )


T = TypeVar("T")


def latest(entries: Sequence[T], what: str) -> T:
    """The entry a form prints (the latest); ``ValueError`` naming ``what`` when none."""
    if not entries:
        raise ValueError(f"the dossier has no {what} to print")
    return entries[-1]


def letter_values(data: DossierFormData, template: FormTemplate) -> dict[str, str]:
    """The common placeholders as markup, unknown values as the template's blank."""
    blank = escape(template.text("text.blank"))

    def plain(value: str | None) -> str:
        return clean(value) if value and value.strip() else blank

    def when(value: dt.datetime | None) -> str:
        return escape(format_vn_datetime(value)) if value is not None else blank

    return {
        "name": bold(data.applicant.name),
        "address": plain(data.applicant.address),
        "phone": plain(data.applicant.phone),
        "code": plain(data.code),
        "procedure_name": bold(data.procedure_name),
        "procedure_code": plain(data.procedure_code),
        "request": plain(data.request_text),
        "received": when(data.received_at),
        "due": when(data.due_at),
        "original_due": when(data.original_due_at),
        "duration": escape(format_duration(data.duration_kind, data.duration_value)),
        "unit": plain(data.agency.unit_name),
        "parent_body": plain(data.agency.parent_body),
        "place": plain(data.agency.place_name),
        "officer": plain(data.officer_name),
        "contact": plain(data.contact),
        "today": escape(format_vn_date(data.issued_at)),
    }


def or_blank(template: FormTemplate, value: str) -> str:
    """``value`` as markup, or the template's blank when it is empty."""
    return clean(value) if value.strip() else escape(template.text("text.blank"))


def _check_code(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip()
    # Scanners read back plain ASCII; anything else would not round-trip.
    if not code or not all("!" <= char <= "~" for char in code):
        raise ValueError(f"the dossier code {code!r} must be printable ASCII without spaces")
    return code


def render_letter(
    template: FormTemplate,
    data: DossierFormData,
    *,
    day: dt.date,
    body: Callable[[Layout], list[Flowable]],
    right_name: str,
) -> bytes:
    """The letter as PDF bytes: one copy per template caption, dated ``day``.

    ``body(layout)`` lays out the form's own paragraphs and tables; the left signature
    (when the template names one) is the applicant's, the right one ``right_name``'s.
    """
    code = _check_code(data.code)
    t = template
    number = (
        fill(t.text("header.number"), code=clean(code))
        if code is not None
        else escape(t.text("header.number_blank"))
    )
    values = letter_values(data, template)
    signers = (
        Signer(
            t.text("signatures.left"),
            data.applicant.name if t.text("signatures.left") else "",
            t.text("signatures.left_hint"),
        ),
        Signer(t.text("signatures.right"), right_name, t.text("signatures.right_hint")),
    )

    def lay_out(layout: Layout, caption: Flowable) -> list[Flowable]:
        story: list[Flowable] = [
            blocks.document_header(layout, data.agency, number, day),
            blocks.title(layout, t.text("text.title")),
            caption,
        ]
        if code is not None:
            story.append(
                blocks.barcode(layout, code, t.plain("text.barcode_caption", {"code": code}))
            )
        story += body(layout)
        # Signatures and notes together: a continuation page never starts with them alone.
        closing: list[Flowable] = [
            Spacer(1, 2 * mm),
            blocks.signatures(layout, signers),
            *blocks.notes(layout, t.text("notes.title"), t.lists["notes.lines"], **values),
        ]
        story.append(KeepTogether(closing))
        return story

    a = data.agency
    meta = dossier_values(
        code or "", a.parent_body, a.unit_name, data.procedure_name, data.procedure_code
    )
    captions = t.lists["copies.captions"]
    if len(captions) > 1 and all(captions):
        # The copies differ only by their caption: laid out once, shown once per copy.
        return render_copies_once(
            template, captions=captions, lay_out=lay_out, footer=meta, metadata=meta
        )

    def lay_out_copy(layout: Layout, caption: str) -> list[Flowable]:
        block = blocks.caption(layout, caption) if caption else Spacer(1, 1.5 * mm)
        return lay_out(layout, block)

    return render_pdf(
        template, copies=captions, lay_out_copy=lay_out_copy, footer=meta, metadata=meta
    )
