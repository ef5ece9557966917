"""Form 07, the tracking register (Sổ theo dõi hồ sơ), as a PDF (A4 landscape) or XLSX.

One row per dossier received in a date range: STT, code, procedure, sets, applicant and
contact, handling unit, received, appointment, sent on, result back, returned (with the
citizen's signature), note. The headings, widths and wording come from
``form07_register.toml``; the spreadsheet uses the same headings, real date cells and
the same column order, so a commune can sort and filter it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from desk_app.forms import blocks
from desk_app.forms.blocks import Column, Layout, bold, clean, fill
from desk_app.forms.data import RegisterData, RegisterRow
from desk_app.forms.render import page_keys, render_pdf
from desk_app.forms.template import FormSchema, FormTemplate, KeySpec, merge_keys, number, text
from desk_app.forms.vn_format import format_short_date, format_short_datetime

# The register's columns in print order; each has a heading and a width in the template.
COLUMNS: tuple[str, ...] = (
    "no", "code", "procedure", "sets", "applicant", "handling_unit", "received", "due",
    "sent", "result", "returned", "signature", "note",
)  # fmt: skip
_DATE_COLUMNS = frozenset({"received", "due", "sent", "result", "returned"})
_PERIOD = ("from", "to", "year")


def _column_keys() -> dict[str, KeySpec]:
    keys: dict[str, KeySpec] = {}
    for name in COLUMNS:
        keys[f"columns.{name}"] = text()
        keys[f"widths.{name}_mm"] = number(0 if name == "note" else 5, 120)
    return keys


SCHEMA = FormSchema(
    name="form07",
    file_name="form07_register.toml",
    keys=merge_keys(
        page_keys(
            footer=("from", "to"),
            title=_PERIOD,
            author=("parent_body", "unit_name"),
            subject=_PERIOD,
        ),
        blocks.HEADER_KEYS,
        _column_keys(),
        {
            "header.number": text(*_PERIOD),
            "text.title": text(),
            "text.period": text(*_PERIOD),
            "text.total": text("count", *_PERIOD),
            "text.empty": text(),
            "notes.early": text(),
            "notes.on_time": text(),
            "notes.late": text(),
            "notes.withdrawn": text(),
            "notes.stopped": text(),
            "xlsx.sheet_name": text(),
            "xlsx.date_format": text(),
        },
    ),
)


def _check(data: RegisterData) -> None:
    if data.end < data.start:
        raise ValueError(f"register: the range ends ({data.end}) before it starts ({data.start})")
    for row in data.rows:
        if row.classification not in (None, "early", "on_time", "late"):
            raise ValueError(f"register: unknown classification {row.classification!r}")
        if row.stopped not in (None, "withdrawn", "stopped"):
            raise ValueError(f"register: unknown stop kind {row.stopped!r}")
        if row.sets_count < 0:
            raise ValueError(f"register: dossier {row.code} has {row.sets_count} sets")


def _period(data: RegisterData) -> dict[str, str]:
    return {
        "from": format_short_date(data.start),
        "to": format_short_date(data.end),
        "year": str(data.start.year) if data.start.year == data.end.year else "",
    }


def _when(value: dt.datetime | None) -> str:
    return format_short_datetime(value) if value is not None else ""


def _note(t: FormTemplate, row: RegisterRow) -> str:
    """The note column: the classification or the stop in the template's words, then
    the row's own note."""
    parts = []
    if row.classification is not None:
        parts.append(t.text(f"notes.{row.classification}"))
    if row.stopped is not None:
        parts.append(t.text(f"notes.{row.stopped}"))
    if row.note.strip():
        parts.append(row.note.strip())
    return "; ".join(parts)


def _cells(t: FormTemplate, n: int, row: RegisterRow) -> dict[str, str]:
    """The row's cells as markup, by column name."""
    applicant = bold(row.applicant_name)
    if row.applicant_contact.strip():
        applicant += "<br/>" + clean(row.applicant_contact)
    return {
        "no": str(n),
        "code": clean(row.code),
        "procedure": clean(row.procedure_name),
        "sets": str(row.sets_count),
        "applicant": applicant,
        "handling_unit": clean(row.handling_unit),
        "received": escape(_when(row.received_at)),
        "due": escape(_when(row.due_at)),
        "sent": escape(_when(row.sent_at)),
        "result": escape(_when(row.result_at)),
        "returned": escape(_when(row.returned_at)),
        "signature": "",
        "note": clean(_note(t, row)),
    }


def render_register_pdf(data: RegisterData, template: FormTemplate | None = None) -> bytes:
    """The register as PDF bytes, A4 landscape by default; the heading row repeats on
    every page. Raises ``ValueError`` for a range that ends before it starts."""
    t = template if template is not None else SCHEMA.load()
    _check(data)
    period = _period(data)

    def lay_out(layout: Layout, _caption: str) -> list[Flowable]:
        columns = [
            Column(
                t.text(f"columns.{name}"),
                t.number(f"widths.{name}_mm") * mm or None,
                "left"
                if name in ("code", "procedure", "applicant", "handling_unit", "note")
                else "center",
            )
            for name in COLUMNS
        ]
        rows = [
            [_cells(t, n, row)[name] for name in COLUMNS]
            for n, row in enumerate(data.rows, start=1)
        ]
        number_line = fill(t.text("header.number"), **{k: escape(v) for k, v in period.items()})
        total = t.plain("text.total", {**period, "count": str(len(data.rows))})
        return [
            blocks.document_header(layout, data.agency, number_line, data.issued_at.date()),
            blocks.title(layout, t.text("text.title")),
            blocks.caption(layout, t.plain("text.period", period)),
            blocks.table(layout, columns, rows, t.text("text.empty")),
            Spacer(1, 1.5 * mm),
            Paragraph(escape(total), layout.styles.body),
        ]

    meta = {
        **period,
        "parent_body": data.agency.parent_body.strip(),
        "unit_name": data.agency.unit_name.strip(),
    }
    return render_pdf(t, copies=("",), lay_out_copy=lay_out, footer=meta, metadata=meta)


def render_register_xlsx(data: RegisterData, template: FormTemplate | None = None) -> bytes:
    """The register as an XLSX workbook: agency and title rows, one heading row (frozen),
    one row per dossier with real date-time cells, printed A4 landscape fitted to width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    t = template if template is not None else SCHEMA.load()
    _check(data)
    period = _period(data)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # Sheet names are at most 31 characters and may not hold []:*?/\ .
    name = "".join(c for c in t.text("xlsx.sheet_name") if c not in "[]:*?/\\")[:31]
    sheet.title = name or "Sheet1"
    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet["A1"] = data.agency.parent_body.strip()
    sheet["A2"] = data.agency.unit_name.strip()
    sheet["A2"].font = Font(bold=True)
    sheet["A3"] = t.plain("header.number", period)
    sheet["A4"] = t.text("text.title")
    sheet["A4"].font = Font(bold=True, size=14)
    sheet["A5"] = t.plain("text.period", period)
    sheet["A5"].font = Font(italic=True)
    for row_number in (4, 5):
        sheet.merge_cells(f"A{row_number}:{last}{row_number}")
        sheet[f"A{row_number}"].alignment = Alignment(horizontal="center")

    heading_row = 7
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(heading_row, index, t.text(f"columns.{column}"))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = grid
        width_mm = t.number(f"widths.{column}_mm") or 30
        # A column's width is counted in characters of the default font (about 1.9 mm).
        sheet.column_dimensions[get_column_letter(index)].width = round(width_mm / 1.9, 1)
    date_format = t.text("xlsx.date_format")
    for n, row in enumerate(data.rows, start=1):
        values: dict[str, str | int | dt.datetime | None] = {
            "no": n,
            "code": row.code,
            "procedure": row.procedure_name,
            "sets": row.sets_count,
            "applicant": "\n".join(
                part for part in (row.applicant_name, row.applicant_contact) if part.strip()
            ),
            "handling_unit": row.handling_unit,
            "received": row.received_at,
            "due": row.due_at,
            "sent": row.sent_at,
            "result": row.result_at,
            "returned": row.returned_at,
            "signature": None,
            "note": _note(t, row) or None,
        }
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(heading_row + n, index, values[column])
            cell.border = grid
            cell.alignment = wrap
            if column in _DATE_COLUMNS:
                cell.number_format = date_format
    total_row = heading_row + len(data.rows) + 1
    if not data.rows:
        sheet.cell(total_row, 1, t.text("text.empty"))
        total_row += 1
    sheet.cell(total_row, 1, t.plain("text.total", {**period, "count": str(len(data.rows))}))
    sheet.freeze_panes = f"A{heading_row + 1}"
    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is not None:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # The same data gives the same workbook: no wall-clock time in its properties.
    book.properties.created = data.issued_at
    book.properties.modified = data.issued_at
    book.properties.creator = "desk_app"
    book.properties.title = t.plain("text.title", {})
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(buffer.getvalue(), data.issued_at)


def _stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """``data`` (a zip) with every entry stamped ``when``: openpyxl stamps each part with
    the wall clock, so two renders a second apart would differ."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info))
    return out.getvalue()
