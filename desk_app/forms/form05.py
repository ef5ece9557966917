"""Form 05, the stop notice (Thông báo dừng giải quyết hồ sơ).

Printed when the citizen withdraws the dossier (xin rút) or the agency stops handling it
(dừng xử lý), each with its reason, while no result exists. Wording:
``form05_stop.toml``, one body per kind.
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
    or_blank,
    render_letter,
)
from desk_app.forms.template import FormSchema, FormTemplate, text_list

_BODY = (*COMMON_PLACEHOLDERS, "reason", "stopped_at")

SCHEMA = FormSchema(
    name="form05",
    file_name="form05_stop.toml",
    keys=letter_keys(
        {
            "body.withdrawn": text_list(*_BODY, minimum=1),
            "body.stopped": text_list(*_BODY, minimum=1),
        }
    ),
)


def render_form05(data: DossierFormData, template: FormTemplate | None = None) -> bytes:
    """The latest stop or withdrawal of ``data`` as PDF bytes; ``ValueError`` when none."""
    from desk_app.forms.vn_format import format_vn_datetime

    t = template if template is not None else SCHEMA.load()
    stop = latest(data.stops, "withdrawal or stop (Form 05)")
    if stop.kind not in ("withdrawn", "stopped"):
        raise ValueError(f"unknown stop kind {stop.kind!r}")
    values = letter_values(data, t)
    values |= {
        "reason": or_blank(t, stop.reason),
        "stopped_at": clean(format_vn_datetime(stop.at)),
    }

    def body(layout: Layout) -> list[Flowable]:
        return blocks.paragraphs(layout, t.lists[f"body.{stop.kind}"], **values)

    return render_letter(t, data, day=stop.at.date(), body=body, right_name=data.head_name)
