"""Form 03, the refusal to receive (Phiếu từ chối tiếp nhận giải quyết hồ sơ).

Given at intake when the dossier cannot be received at all (not this agency's matter,
not a procedure the desk handles, ...), with the specific reason. Wording:
``form03_refusal.toml``.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from desk_app.forms import blocks
from desk_app.forms.blocks import Layout, clean
from desk_app.forms.data import DossierFormData
from desk_app.forms.letter import (
    COMMON_PLACEHOLDERS,
    latest,
    letter_keys,
    letter_values,
    render_letter,
)
from desk_app.forms.template import FormSchema, FormTemplate, text_list

SCHEMA = FormSchema(
    name="form03",
    file_name="form03_refusal.toml",
    keys=letter_keys({"body.lines": text_list(*COMMON_PLACEHOLDERS, "reason", minimum=1)}),
)


def render_form03(data: DossierFormData, template: FormTemplate | None = None) -> bytes:
    """The latest refusal of ``data`` as PDF bytes; ``ValueError`` when there is none."""
    t = template if template is not None else SCHEMA.load()
    refusal = latest(data.refusals, "refusal (Form 03)")
    if not refusal.reason.strip():
        raise ValueError("a refusal (Form 03) must state its reason")
    values = {**letter_values(data, t), "reason": clean(refusal.reason)}

    def body(layout: Layout) -> list[Flowable]:
        return blocks.paragraphs(layout, t.lists["body.lines"], **values)

    return render_letter(t, data, day=refusal.at.date(), body=body, right_name=data.officer_name)
