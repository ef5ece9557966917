"""Form 06, the control sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ).

It travels with the file: under the dossier's particulars, one row per hand-over — who
gave it and when, who received it and when, each with room to sign, the step's result
(trước hạn / đúng hạn / quá hạn) and a note — then blank rows for the hand-overs still to
come. Wording and column widths: ``form06_control.toml``.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desk_app.forms import blocks
from desk_app.forms.blocks import Column, Layout, bold, clean, fill
from desk_app.forms.data import DossierFormData, HandOver
from desk_app.forms.render import dossier_form_keys, dossier_values, render_pdf
from desk_app.forms.template import (
    FormSchema,
    FormTemplate,
    number,
    text,
    text_list,
)
from desk_app.forms.vn_format import format_duration, format_short_datetime, format_vn_datetime

_LINE_PLACEHOLDERS = (
    "code", "name", "procedure_name", "procedure_code", "received", "due", "original_due",
    "duration", "unit", "handling_unit",
)  # fmt: skip

SCHEMA = FormSchema(
    name="form06",
    file_name="form06_control.toml",
    keys=dossier_form_keys(
        {
            "text.blank": text(),
            "text.lines": text_list(*_LINE_PLACEHOLDERS, minimum=1),
            "rows.col_no": text(),
            "rows.col_giver": text(),
            "rows.col_receiver": text(),
            "rows.col_result": text(),
            "rows.col_note": text(),
            "rows.empty": text(),
            # One cell of a hand-over: the person, their unit, the time, room to sign.
            "rows.party": text_list("name", "unit", "time", minimum=1),
            "rows.no_width_mm": number(5, 30),
            "rows.party_width_mm": number(25, 120),
            "rows.result_width_mm": number(15, 60),
            "rows.sign_lines": number(0, 6),
            "rows.blank_rows": number(0, 20),
            "results.early": text(),
            "results.on_time": text(),
            "results.late": text(),
            "copies.captions": text_list(minimum=1),
        },
    ),
)


def _party(t: FormTemplate, name: str, unit: str, at: dt.datetime | None) -> str:
    blank = escape(t.text("text.blank"))
    values = {
        "name": bold(name) if name.strip() else blank,
        "unit": clean(unit) if unit.strip() else "",
        "time": escape(format_short_datetime(at)) if at is not None else blank,
    }
    lines = [fill(wording, **values) for wording in t.lists["rows.party"]]
    # A line left empty (no unit) is dropped; blank lines under it leave room to sign.
    return "<br/>".join(line for line in lines if line.strip()) + "<br/>" * int(
        t.number("rows.sign_lines")
    )


def _row(t: FormTemplate, n: int, step: HandOver) -> tuple[str, ...]:
    result = escape(t.text(f"results.{step.result}")) if step.result else ""
    return (
        str(n),
        _party(t, step.giver, step.giver_unit, step.given_at),
        _party(t, step.receiver, step.receiver_unit, step.received_at),
        result,
        clean(step.note),
    )


def render_form06(data: DossierFormData, template: FormTemplate | None = None) -> bytes:
    """The control sheet of ``data`` as PDF bytes, one row per hand-over (any number)."""
    t = template if template is not None else SCHEMA.load()
    if data.code is None or not data.code.strip():
        raise ValueError("the control sheet (Form 06) needs a received dossier's code")
    code = data.code.strip()
    if not all("!" <= char <= "~" for char in code):
        raise ValueError(f"the dossier code {code!r} must be printable ASCII without spaces")
    for step in data.handovers:
        if step.result is not None and step.result not in ("early", "on_time", "late"):
            raise ValueError(f"unknown hand-over result {step.result!r}")
    blank = escape(t.text("text.blank"))

    def when(value: dt.datetime | None) -> str:
        return escape(format_vn_datetime(value)) if value is not None else blank

    values = {
        "code": clean(code),
        "name": bold(data.applicant.name),
        "procedure_name": bold(data.procedure_name),
        "procedure_code": clean(data.procedure_code),
        "received": when(data.received_at),
        "due": when(data.due_at),
        "original_due": when(data.original_due_at),
        "duration": escape(format_duration(data.duration_kind, data.duration_value)),
        "unit": clean(data.agency.unit_name),
        "handling_unit": clean(data.handling_unit) if data.handling_unit.strip() else blank,
    }

    def lay_out(layout: Layout, caption: str) -> list[Flowable]:
        party = t.number("rows.party_width_mm") * mm
        columns = (
            Column(t.text("rows.col_no"), t.number("rows.no_width_mm") * mm),
            Column(t.text("rows.col_giver"), party, "left"),
            Column(t.text("rows.col_receiver"), party, "left"),
            Column(t.text("rows.col_result"), t.number("rows.result_width_mm") * mm),
            Column(t.text("rows.col_note"), None, "left"),
        )
        rows = [_row(t, n, step) for n, step in enumerate(data.handovers, start=1)]
        first_blank = len(rows) + 1
        for n in range(first_blank, first_blank + int(t.number("rows.blank_rows"))):
            empty_party = _party(t, "", "", None)
            rows.append((str(n), empty_party, empty_party, "", ""))
        story: list[Flowable] = [
            blocks.document_header(
                layout,
                data.agency,
                fill(t.text("header.number"), code=clean(code)),
                data.issued_at.date(),
            ),
            blocks.title(layout, t.text("text.title")),
        ]
        story.append(blocks.caption(layout, caption) if caption else Spacer(1, 1.5 * mm))
        story += [
            blocks.barcode(layout, code, t.plain("text.barcode_caption", {"code": code})),
            *blocks.paragraphs(layout, t.lists["text.lines"], **values),
            Spacer(1, 1.5 * mm),
            blocks.table(layout, columns, rows, t.text("rows.empty")),
        ]
        return story

    a = data.agency
    meta = dossier_values(
        code, a.parent_body, a.unit_name, data.procedure_name, data.procedure_code
    )
    return render_pdf(
        t, copies=t.lists["copies.captions"], lay_out_copy=lay_out, footer=meta, metadata=meta
    )
