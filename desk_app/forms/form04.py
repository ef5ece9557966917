"""Form 04, the apology and new appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả).

Sent before the due day when the result will be late: the receipt date, the code, the
statutory duration, the original appointment, the reason for the delay, the apology and
the new date, signed by the head of the agency. Wording: ``form04_apology.toml``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable

from desk_app.forms import blocks
from desk_app.forms.blocks import Layout
from desk_app.forms.data import DossierFormData
from desk_app.forms.letter import (
    COMMON_PLACEHOLDERS,
    latest,
    letter_keys,
    letter_values,
    or_blank,
    render_letter,
)
from desk_app.forms.template import FormSchema, FormTemplate, text_list
from desk_app.forms.vn_format import format_vn_datetime

SCHEMA = FormSchema(
    name="form04",
    file_name="form04_apology.toml",
    keys=letter_keys(
        {
            "body.lines": text_list(
                *COMMON_PLACEHOLDERS, "reason", "previous_due", "new_due", minimum=1
            )
        }
    ),
)


def render_form04(data: DossierFormData, template: FormTemplate | None = None) -> bytes:
    """The latest extension of ``data`` as PDF bytes; ``ValueError`` when there is none."""
    t = template if template is not None else SCHEMA.load()
    extension = latest(data.extensions, "extension with apology (Form 04)")
    values = letter_values(data, t)
    previous = extension.previous_due_at
    values |= {
        "reason": or_blank(t, extension.reason),
        "previous_due": escape(format_vn_datetime(previous)) if previous else values["due"],
        "new_due": f"<b>{escape(format_vn_datetime(extension.new_due_at))}</b>",
    }

    def body(layout: Layout) -> list[Flowable]:
        return blocks.paragraphs(layout, t.lists["body.lines"], **values)

    return render_letter(t, data, day=extension.at.date(), body=body, right_name=data.head_name)
