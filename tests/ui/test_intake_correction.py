"""Correcting a received dossier's applicant fields with a reason, and Form 01 again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt

from desk_app.context import DeskContext
from desk_app.intake import DossierView
from tests.ui.intake_fixtures import (
    OFFICER,
    fake_files,
    fake_printer,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.test_intake_screen import NAME, SAVE_MS, fill_valid, screen
from ui.intake_correction import CorrectionDialog, CorrectionForm
from ui.intake_screen import IntakeScreen
from ui.main_window import MainWindow
from ui.receipt_preview import ReceiptPreview

__all__ = ["fake_files", "fake_printer", "screen", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window

CORRECTED = "Nguyễn Thị Ánh Tuyến"


def saved(qtbot: Any, window: MainWindow, screen: IntakeScreen) -> str:
    fill_valid(qtbot, screen)
    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS) as shown:
        screen.save()
    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    preview.reject()
    wait_idle(qtbot, window)
    return preview.code


def opened(qtbot: Any, screen: IntakeScreen) -> CorrectionDialog:
    assert screen.correct_button.isVisible()
    qtbot.mouseClick(screen.correct_button, Qt.MouseButton.LeftButton)
    flow = screen.controller.correction
    assert flow is not None
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=SAVE_MS)
    assert flow.dialog is not None
    return flow.dialog


def test_correct_the_name_and_reprint_the_receipt(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    code = saved(qtbot, window, screen)
    dialog = opened(qtbot, screen)
    assert dialog.edits["applicant_name"].text() == NAME
    assert dialog.edits["applicant_dob"].text() == "04/03/2005"
    assert not dialog.save_button.isEnabled()
    assert dialog.problem_label.text() == (
        "Chưa sửa trường nào. Ghi lý do sửa (lưu trong lịch sử hồ sơ)."
    )
    dialog.edits["applicant_name"].setText(CORRECTED)
    assert not dialog.save_button.isEnabled()  # the reason is required
    dialog.reason.setText("Gõ nhầm dấu tên")
    assert dialog.save_button.isEnabled()

    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS) as shown:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].code == code
    stored = staffed_ctx.intake.get(code, OFFICER)
    assert stored.applicant_name == CORRECTED
    [entry] = [e for e in staffed_ctx.lifecycle.timeline(code) if e.kind == "dossier.corrected"]
    assert entry.payload["reason"] == "Gõ nhầm dấu tên"
    assert entry.payload["changes"] == [{"field": "applicant_name", "old": NAME, "new": CORRECTED}]
    shown.args[0].reject()
    wait_idle(qtbot, window)


def test_a_refused_correction_is_said_in_the_dialog(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    code = saved(qtbot, window, screen)
    dialog = opened(qtbot, screen)
    dialog.edits["applicant_cccd"].setText("07930500123")  # eleven digits
    dialog.reason.setText("Sai số CCCD")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "12 chữ số" in dialog.problem_label.text(), timeout=SAVE_MS)
    assert dialog.isVisible() and dialog.isEnabled()  # nothing typed is lost
    assert dialog.edits["applicant_cccd"].text() == "07930500123"
    assert staffed_ctx.intake.get(code, OFFICER).applicant_cccd == "079305001234"
    dialog.reject()
    wait_idle(qtbot, window)


def view(**changes: Any) -> DossierView:
    base: dict[str, Any] = {
        "code": "000.20.33.H12-261123-1001", "applicant_name": NAME,
        "applicant_cccd": "079305001234", "applicant_dob": dt.date(2005, 3, 4),
        "applicant_phone": "0912345678", "applicant_address": "Ấp Bình Thạnh",
        "applicant_email": None,
    }  # fmt: skip
    base.update(changes)

    class Stub:
        pass

    stub = Stub()
    for key, value in base.items():
        setattr(stub, key, value)
    return stub  # type: ignore[return-value]


def test_the_view_model_gives_only_what_changed() -> None:
    form = CorrectionForm.of(view())
    edited = dict(form.original)
    assert form.changes(edited) == {}
    assert form.problems(edited, "") == [
        "Chưa sửa trường nào.",
        "Ghi lý do sửa (lưu trong lịch sử hồ sơ).",
    ]
    edited["applicant_dob"] = "05/03/2005"
    edited["applicant_email"] = "tuyet@example.vn"
    edited["applicant_phone"] = ""
    assert form.changes(edited) == {
        "applicant_dob": "2005-03-05",
        "applicant_phone": None,
        "applicant_email": "tuyet@example.vn",
    }
    assert form.problems(edited, "Sửa ngày sinh") == []
    edited["applicant_dob"] = "31/02/2005"
    assert form.problems(edited, "x") == ["Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005."]
