"""Printing a stored dossier's forms and the register through ``DossierFormsService``:
real SQLite desks (tests/unit/intake_fixtures.py), PDFs and XLSX read back, audit rows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from desk_app.context import DeskContext
from desk_app.dossier_forms import (
    FormNotApplicableError,
    RegisterRangeError,
    UnknownFormError,
)
from tests.unit.forms.pdf_tools import pdftotext
from tests.unit.intake_fixtures import (
    APPLICANT_NAME,
    CHAIR,
    NOW,
    OFFICER,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest


def receive(ctx: DeskContext, at: dt.datetime, **changes: object) -> str:
    return ctx.intake.receive(request(received_at=at, **changes), OFFICER).dossier.code


def audit_rows(ctx: DeskContext) -> list[tuple[str, str, str, str]]:
    return [
        (r[0], r[1], r[2], r[3])
        for r in rows(
            ctx,
            "SELECT action, object_type, object_ref, detail FROM audit_log "
            "WHERE action IN ('print', 'export') ORDER BY id",
        )
    ]


def text_of(tmp_path: Path, pdf: bytes) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return " ".join(pdftotext(path).split())


def test_form01_reprints_the_receipt_as_issued_and_audits_a_print(desk: DeskContext) -> None:
    result = desk.intake.receive(request(), OFFICER)
    pdf = desk.forms.form_pdf(result.dossier.code, "01", CHAIR)
    assert pdf == result.receipt_pdf
    assert audit_rows(desk)[-1] == ("print", "dossier", result.dossier.code, "receipt")


def test_control_sheet_of_a_fresh_dossier_has_only_blank_rows(
    desk: DeskContext, tmp_path: Path
) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    text = text_of(tmp_path, desk.forms.form_pdf(code, "6", OFFICER))
    assert f"Số: {code}/PKS" in text
    assert f"Người nộp hồ sơ: {APPLICANT_NAME}" in text
    assert "UBND XÃ TÂN PHÚ" in text
    assert audit_rows(desk)[-1] == ("print", "dossier", code, "form 06")


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_a_form_the_dossier_has_nothing_for_is_refused_in_vietnamese(
    desk: DeskContext, form: str
) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    with pytest.raises(FormNotApplicableError, match=f"hồ sơ {code} .*Mẫu {form}") as caught:
        desk.forms.form_pdf(code, form, OFFICER)
    assert caught.value.exit_status == 2
    assert audit_rows(desk) == []  # nothing printed, nothing audited


@pytest.mark.parametrize("form", ["07", "00", "abc"])
def test_an_unknown_form_number_is_refused(desk: DeskContext, form: str) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    with pytest.raises(UnknownFormError, match="không có mẫu"):
        desk.forms.form_pdf(code, form, OFFICER)


def test_register_lists_the_range_from_stored_columns(desk: DeskContext, tmp_path: Path) -> None:
    inside = [
        receive(desk, NOW - dt.timedelta(days=3)),
        receive(desk, NOW - dt.timedelta(days=2), applicant={"name": "Lê Văn Tám"}),
    ]
    outside = receive(desk, NOW - dt.timedelta(days=20))
    start, end = (NOW - dt.timedelta(days=5)).date(), NOW.date()
    pdf = desk.forms.register(start, end, CHAIR, "pdf")
    text = text_of(tmp_path, pdf)
    assert all(code in text for code in inside)
    assert outside not in text
    assert "Lê Văn Tám" in text
    assert "Tổng số: 2 hồ sơ." in text
    span = f"{start.isoformat()}..{end.isoformat()}"
    assert audit_rows(desk)[-1] == ("print", "register", span, "register pdf, 2 dossiers")

    book = openpyxl.load_workbook(io.BytesIO(desk.forms.register(start, end, CHAIR, "xlsx")))
    sheet = book.active
    assert sheet is not None
    codes = [row[1] for row in sheet.iter_rows(min_row=8, values_only=True) if row[1]]
    assert codes == inside
    assert audit_rows(desk)[-1] == ("export", "register", span, "register xlsx, 2 dossiers")


def test_register_range_backwards_is_refused(desk: DeskContext) -> None:
    with pytest.raises(RegisterRangeError):
        desk.forms.register(NOW.date(), NOW.date() - dt.timedelta(days=1), CHAIR, "pdf")
