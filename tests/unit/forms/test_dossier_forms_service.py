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
from desk_app.intake_outcomes import Visitor
from event_schema import MissingItem
from tests.unit.forms.pdf_tools import pdftotext
from tests.unit.intake_fixtures import (
    ADMIN,
    APPLICANT_NAME,
    BIRTH,
    CHAIR,
    MARRIAGE_STATUS,
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


# ------------------------------------------------------------------ from the lifecycle


def lived(desk: DeskContext) -> str:
    """A dossier received on Wednesday 18/11, handed to the civil-status officer, waiting
    for a supplement, supplemented, then extended with an apology (today, Monday 23/11)."""
    desk.directory.add("officer", "Trần Thị Cúc", ADMIN, unit="Tư pháp - Hộ tịch")
    code = receive(desk, dt.datetime(2026, 11, 18, 9, 0), procedure_code=MARRIAGE_STATUS)
    life = desk.lifecycle
    life.handover(code, OFFICER, to="Trần Thị Cúc", note="Kiểm tra hồ sơ",
                  at=dt.datetime(2026, 11, 18, 10, 0))  # fmt: skip
    life.request_supplement(
        code, OFFICER, reason="Thiếu giấy tờ chứng minh nơi cư trú",
        items=["Giấy xác nhận cư trú:bản đã nộp hết hạn"], at=dt.datetime(2026, 11, 19, 8, 30),
    )  # fmt: skip
    life.supplement_received(code, OFFICER, at=dt.datetime(2026, 11, 20, 14, 0))
    due = desk.lifecycle.projection(code).due_at
    assert due is not None
    life.extend(code, OFFICER, new_due=due + dt.timedelta(days=7),
                reason="Cần xác minh tại nơi cư trú trước đây")  # fmt: skip
    return code


def test_forms_02_04_06_print_the_dossier_as_its_events_made_it(
    desk: DeskContext, tmp_path: Path
) -> None:
    code = lived(desk)
    f02 = text_of(tmp_path, desk.forms.form_pdf(code, "02", OFFICER))
    assert f"Số: {code}/PBS" in f02
    assert "Giấy xác nhận cư trú" in f02
    assert "bản đã nộp hết hạn" in f02
    assert "Lý do: Thiếu giấy tờ chứng minh nơi cư trú" in f02
    assert "Tân Phú, ngày 19 tháng 11 năm 2026" in f02

    projection = desk.lifecycle.projection(code)
    assert projection.due_at is not None
    f04 = text_of(tmp_path, desk.forms.form_pdf(code, "04", OFFICER))
    assert f"Số: {code}/PXL" in f04
    assert "Lý do: Cần xác minh tại nơi cư trú trước đây" in f04
    assert f"ngày {projection.due_at:%d} tháng {projection.due_at.month}" in f04
    assert f"CHỦ TỊCH (Ký, ghi rõ họ tên và đóng dấu) {CHAIR.full_name}" in f04

    f06 = text_of(tmp_path, desk.forms.form_pdf(code, "06", OFFICER))
    assert "Nguyễn Thị Lan" in f06  # the desk officer who gave it
    for wanted in ("Trần Thị Cúc", "Tư pháp - Hộ tịch", "Lúc 10:00 18/11/2026"):
        assert wanted in f06, wanted
    (step,) = desk.forms.form_data(code).handovers
    assert (step.giver, step.receiver, step.receiver_unit) == (
        "Nguyễn Thị Lan",
        "Trần Thị Cúc",
        "Tư pháp - Hộ tịch",
    )
    assert step.given_at == step.received_at == dt.datetime(2026, 11, 18, 10, 0)
    assert "Kiểm tra hồ sơ" in f06
    assert "Trước hạn" in f06  # handed over days before the appointment
    assert [r[3] for r in audit_rows(desk)[-3:]] == ["form 02", "form 04", "form 06"]


def test_an_annulled_step_is_not_printed(desk: DeskContext) -> None:
    desk.directory.add("unit", "Công an xã", ADMIN)
    code = receive(desk, dt.datetime(2026, 11, 20, 9, 0))
    desk.lifecycle.handover(code, OFFICER, to="Công an xã", at=dt.datetime(2026, 11, 20, 9, 30))
    assert len(desk.forms.form_data(code).handovers) == 1
    desk.lifecycle.annul(code, OFFICER, reason="Giao nhầm nơi")
    assert desk.forms.form_data(code).handovers == ()


def test_form05_prints_the_withdrawal(desk: DeskContext, tmp_path: Path) -> None:
    code = receive(desk, dt.datetime(2026, 11, 20, 9, 0))
    desk.lifecycle.withdraw(code, OFFICER, reason="Công dân xin rút để bổ sung giấy tờ")
    text = text_of(tmp_path, desk.forms.form_pdf(code, "05", OFFICER))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Theo đề nghị rút hồ sơ của ông/bà vào lúc 09 giờ 00 phút, ngày 23 tháng 11" in text
    assert "Lý do: Công dân xin rút để bổ sung giấy tờ" in text


def test_forms_02_and_03_of_visits_that_received_nothing(desk: DeskContext, tmp_path: Path) -> None:
    visitor = Visitor(BIRTH, "Lê Văn Tám", applicant_phone="0987 654 321")
    guided = desk.intake_outcomes.guide(
        visitor, OFFICER, items=[MissingItem("Giấy chứng sinh", "chưa có bản chính")]
    )
    text = text_of(tmp_path, desk.forms.form_pdf(guided.uuid, "02", OFFICER))
    assert "Số: ……/PBS" in text
    assert "Kính gửi ông/bà: Lê Văn Tám" in text
    assert "Giấy chứng sinh" in text
    assert "chưa có bản chính" in text
    assert "đã tiếp nhận" not in text
    refused = desk.intake_outcomes.refuse(visitor, OFFICER, reason="Không thuộc thẩm quyền xã")
    text = text_of(tmp_path, desk.forms.form_pdf(refused.uuid, "03", OFFICER))
    assert "Số: ……/PTC" in text
    assert "Không thuộc thẩm quyền xã" in text
    assert audit_rows(desk)[-1] == ("print", "intake_outcome", refused.uuid, "form 03")
    # A guided visit has no refusal to print.
    with pytest.raises(FormNotApplicableError, match="không bị từ chối tiếp nhận"):
        desk.forms.form_pdf(guided.uuid, "03", OFFICER)


def test_register_shows_when_each_dossier_was_sent_and_its_result(desk: DeskContext) -> None:
    code = lived(desk)
    data = desk.forms.register_data(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    (row,) = data.rows
    assert row.code == code
    assert row.sent_at == dt.datetime(2026, 11, 18, 10, 0)
    assert row.handling_unit == "Trần Thị Cúc"
    assert row.result_at is None
