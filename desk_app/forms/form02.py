"""Form 02, the request to complete the dossier (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ).

Given at intake when a required paper is missing (the citizen is guided to complete; nothing
is received and no clock runs) or during processing (the dossier waits for the supplement).
It lists each item to add or correct with its reason. Wording: ``form02_supplement.toml``.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desk_app.forms import blocks
from desk_app.forms.blocks import Column, Layout, clean
from desk_app.forms.data import DossierFormData
from desk_app.forms.letter import (
    COMMON_PLACEHOLDERS,
    latest,
    letter_keys,
    letter_values,
    or_blank,
    render_letter,
)
from desk_app.forms.template import FormSchema, FormTemplate, number, text, text_list

_BODY = (*COMMON_PLACEHOLDERS, "reason")

SCHEMA = FormSchema(
    name="form02",
    file_name="form02_supplement.toml",
    keys=letter_keys(
        {
            "body.at_intake": text_list(*_BODY, minimum=1),
            "body.in_processing": text_list(*_BODY, minimum=1),
            "body.after": text_list(*_BODY),
            "items.col_no": text(),
            "items.col_name": text(),
            "items.col_reason": text(),
            "items.empty": text(),
            "items.no_width_mm": number(5, 40),
            "items.reason_width_mm": number(20, 120),
        }
    ),
)


def render_form02(data: DossierFormData, template: FormTemplate | None = None) -> bytes:
    """The latest request to complete of ``data`` as PDF bytes.

    Raises ``ValueError`` when the dossier has none.
    """
    t = template if template is not None else SCHEMA.load()
    request = latest(data.supplement_requests, "request to complete (Form 02)")
    values = letter_values(data, t)
    values["reason"] = or_blank(t, request.reason)

    def body(layout: Layout) -> list[Flowable]:
        columns = (
            Column(t.text("items.col_no"), t.number("items.no_width_mm") * mm),
            Column(t.text("items.col_name"), None, "left"),
            Column(t.text("items.col_reason"), t.number("items.reason_width_mm") * mm, "left"),
        )
        rows = [
            (str(n), clean(item.name), clean(item.reason))
            for n, item in enumerate(request.items, start=1)
        ]
        opening = t.lists["body.at_intake" if request.at_intake else "body.in_processing"]
        return [
            *blocks.paragraphs(layout, opening, **values),
            Spacer(1, 0.8 * mm),
            blocks.table(layout, columns, rows, t.text("items.empty")),
            Spacer(1, 1.2 * mm),
            *blocks.paragraphs(layout, t.lists["body.after"], **values),
        ]

    return render_letter(t, data, day=request.at.date(), body=body, right_name=data.officer_name)
