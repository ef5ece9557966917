"""Recording a lifecycle step with its printed form (``DossierFormsService.record_step``):
the step, the form read as the step leaves the dossier, and the print's audit entry in one
transaction — one durable commit — on real SQLite desks, the PDF read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from desk_app.context import DeskContext
from desk_app.errors import StorageFullError
from desk_app.lifecycle import StepResult
from tests.unit.forms.pdf_tools import pdftotext
from tests.unit.intake_fixtures import (
    MARRIAGE_STATUS,
    OFFICER,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

NEW_DUE = dt.date(2026, 12, 4)


def receive(ctx: DeskContext) -> str:
    return ctx.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier.code


def commits(ctx: DeskContext) -> list[int]:
    """Appends one item per commit of the desk's engine, from now on."""
    seen: list[int] = []
    event.listen(ctx.db.engine, "commit", lambda _conn: seen.append(1))
    return seen


def audit_of(ctx: DeskContext, code: str) -> list[tuple[int, str, str, str]]:
    return [
        (r[0], r[1], r[2], r[3])
        for r in rows(
            ctx,
            "SELECT id, action, detail, at FROM audit_log WHERE object_ref = :code ORDER BY id",
            code=code,
        )
    ]


def test_the_step_and_its_printed_form_commit_once_together(
    desk: DeskContext, tmp_path: Path
) -> None:
    code = receive(desk)
    seen = commits(desk)
    printed = desk.forms.record_step(
        code, "extend", OFFICER, form="04", new_due=NEW_DUE, reason="Chờ xác minh nơi cư trú"
    )
    assert len(seen) == 1  # one fsync for the step and its print
    assert printed.error is None and printed.pdf is not None
    assert printed.step.projection.due_at == dt.datetime(2026, 12, 4, 17, 0)
    out = tmp_path / "form04.pdf"
    out.write_bytes(printed.pdf)
    text = " ".join(pdftotext(out).split())
    # The form was read inside the step's transaction: it shows the new appointment.
    assert f"Số: {code}/PXL" in text and "Chờ xác minh nơi cư trú" in text
    assert "ngày 04 tháng 12 năm 2026" in text
    entries = audit_of(desk, code)
    change, printed_entry = entries[-2], entries[-1]
    assert (change[1], change[2]) == ("change", "extend")
    assert (printed_entry[1], printed_entry[2]) == ("print", "form 04")
    assert printed_entry[0] == change[0] + 1 and printed_entry[3] == change[3]


def test_request_to_complete_prints_form_02_with_the_items(
    desk: DeskContext, tmp_path: Path
) -> None:
    code = receive(desk)
    printed = desk.forms.record_step(
        code, "request-supplement", OFFICER, form="02", reason="Thiếu giấy tờ",
        items=["Giấy chứng sinh: chưa có bản chính"],
    )  # fmt: skip
    assert printed.pdf is not None and printed.step.projection.status == "waiting_supplement"
    out = tmp_path / "form02.pdf"
    out.write_bytes(printed.pdf)
    assert "Giấy chứng sinh" in pdftotext(out)
    assert [e[1:3] for e in audit_of(desk, code)[-2:]] == [
        ("change", "request_supplement"),
        ("print", "form 02"),
    ]


def test_a_form_that_cannot_be_printed_leaves_the_step_recorded_and_no_print_audited(
    desk: DeskContext,
) -> None:
    code = receive(desk)
    # An extension has no request to complete: Form 02 has nothing to print.
    printed = desk.forms.record_step(
        code, "extend", OFFICER, form="02", new_due=NEW_DUE, reason="Chờ xác minh"
    )
    assert printed.pdf is None
    assert printed.error is not None and "Mẫu 02" in printed.error
    assert desk.lifecycle.projection(code).extension_count == 1
    actions = [e[1] for e in audit_of(desk, code)]
    assert actions[-1] == "change" and "print" not in actions


def test_a_failure_inside_the_steps_transaction_records_nothing(desk: DeskContext) -> None:
    code = receive(desk)
    before = audit_of(desk, code)

    def disk_full(_s: Session, _step: StepResult) -> None:
        raise StorageFullError("ổ đĩa đã đầy")

    with pytest.raises(StorageFullError):
        desk.lifecycle.perform(
            code, "extend", OFFICER, then=disk_full, new_due=NEW_DUE, reason="Chờ xác minh"
        )
    assert desk.lifecycle.projection(code).extension_count == 0
    assert len(desk.lifecycle.timeline(code)) == 1  # the receipt only
    assert audit_of(desk, code) == before


def test_the_hook_sees_the_step_and_adds_to_the_same_commit(desk: DeskContext) -> None:
    code = receive(desk)
    seen: list[Any] = []

    def look(s: Session, step: StepResult) -> None:
        status = s.execute(text("SELECT status FROM dossiers WHERE code = :c"), {"c": code})
        seen.append((step.kind, status.scalar_one()))

    desk.lifecycle.perform(code, "request-supplement", OFFICER, then=look, reason="Thiếu")
    assert seen == [("dossier.supplement_requested", "waiting_supplement")]
    # The hook is for that call only.
    desk.lifecycle.perform(code, "supplement-received", OFFICER)
    assert len(seen) == 1


def test_copies_laid_out_once_keep_their_own_caption_footer_and_page_order(
    desk: DeskContext, tmp_path: Path
) -> None:
    """Form 02's copies are drawn from one layout (``render_copies_once``): a request long
    enough for several pages still prints copy 1 whole, then copy 2 whole, each with its
    caption under the title on its first page and its own page numbers."""
    code = receive(desk)
    items = [f"Giấy tờ số {i}: bản sao có chứng thực, còn hiệu lực" for i in range(30)]
    printed = desk.forms.record_step(
        code, "request-supplement", OFFICER, form="02", reason="Thiếu giấy tờ", items=items
    )
    assert printed.pdf is not None
    out = tmp_path / "form02.pdf"
    out.write_bytes(printed.pdf)
    pages = pdftotext(out).split("\f")[:-1]
    assert len(pages) % 2 == 0 and len(pages) >= 4
    per_copy = len(pages) // 2
    for index, page in enumerate(pages):
        copy, number = divmod(index, per_copy)
        caption = ("Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu tại Bộ phận Một cửa")[copy]
        assert f"– {caption} – trang {number + 1}" in " ".join(page.split())
        # The caption under the title: on the copy's first page only, and never the other's.
        assert page.count(caption) == (2 if number == 0 else 1)
        other = ("Liên 2:", "Liên 1:")[copy]
        assert other not in page
        assert ("Giấy tờ số 0\n" in page) == (number == 0)
