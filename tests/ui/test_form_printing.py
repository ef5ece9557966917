"""The forms each place prints: the dossier view's actions (Form 02, 04, 05), its print
buttons (Form 06, Form 01 again), and a visit guided at intake (Form 02) — each PDF built
off the GUI thread, shown in the preview under its own title and read back with
pdftotext."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QPushButton

from desk_app.audit import recent
from desk_app.context import DeskContext
from tests.ui.intake_fixtures import (
    CHAIR,
    fake_files,
    fake_printer,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.search_fixtures import SEARCH_MS, shows_dossiers, two
from tests.ui.test_dossier_view import opened
from tests.ui.test_intake_screen import SAVE_MS, fill_valid, screen
from tests.unit.forms.pdf_tools import pdftotext
from ui.dossier_view import DossierDialog
from ui.dossier_view_actions import ActionDialog
from ui.intake_correction import CorrectionFlow
from ui.intake_outcome import GuideDialog, RefuseDialog
from ui.intake_screen import IntakeScreen
from ui.main_window import MainWindow
from ui.receipt_preview import ReceiptPreview

__all__ = ["fake_files", "fake_printer", "screen", "staffed_ctx", "staffed_template", "two"]
__all__ += ["window"]

pytestmark = shows_dossiers


def text_of(tmp_path: Path, preview: ReceiptPreview) -> str:
    path = tmp_path / f"shown-{preview.code}.pdf"
    path.write_bytes(preview.pdf)
    return " ".join(pdftotext(path).split())


def act_and_print(
    qtbot: Any, window: MainWindow, view: DossierDialog, key: str, **fields: Any
) -> ReceiptPreview:
    """Record an action from the view; the preview its form opened in."""
    view.action_buttons[key].click()
    dialog = view.action_dialog
    assert isinstance(dialog, ActionDialog)
    dialog.reason.setText(fields.get("reason", ""))
    if "new_due" in fields:
        due: dt.date = fields["new_due"]
        dialog.new_due.setDate(QDate(due.year, due.month, due.day))
    with qtbot.waitSignal(window.receipt_shown, timeout=SEARCH_MS) as shown:
        dialog._accept()
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    wait_idle(qtbot, window)
    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    return preview


def press_print(qtbot: Any, window: MainWindow, view: DossierDialog, form: str) -> ReceiptPreview:
    with qtbot.waitSignal(window.receipt_shown, timeout=SEARCH_MS) as shown:
        qtbot.mouseClick(view.print_buttons[form], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    return preview


def missing_paper(qtbot: Any, screen: IntakeScreen, button: QPushButton) -> QDialog | None:
    """A filled intake with the declaration form unticked; ``button`` (Form 02 or 03)
    pressed: its dialog."""
    fill_valid(qtbot, screen)
    screen.documents_model.toggle(2)  # the declaration form is missing
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return screen.controller.outcome_dialog


def recorded(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, ok: QPushButton
) -> ReceiptPreview:
    """Record the visit with the dialog's ``ok``; the preview its form opened in."""
    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS) as shown:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.saving, timeout=SAVE_MS)
    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    return preview


def printed_forms(ctx: DeskContext) -> list[tuple[str, str]]:
    return sorted((r.object_ref, r.detail) for r in recent(ctx.db, 1000) if r.action == "print")


def test_a_request_to_complete_prints_form_02_with_its_reason(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str], tmp_path: Path
) -> None:
    view = opened(qtbot, window, two[0])
    preview = act_and_print(
        qtbot, window, view, "request-supplement", reason="Thiếu giấy chứng sinh"
    )
    assert view.status.text() == "Chờ bổ sung"
    assert preview.windowTitle() == f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) — {two[0]}"
    text = text_of(tmp_path, preview)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Thiếu giấy chứng sinh" in text and two[0] in text
    assert (two[0], "form 02") in printed_forms(staffed_ctx)


def test_an_extension_prints_form_04_with_the_new_date(
    qtbot: Any, window: MainWindow, two: list[str], tmp_path: Path
) -> None:
    view = opened(qtbot, window, two[0])
    # due Friday 27/11; the new appointment is the next Monday
    preview = act_and_print(
        qtbot,
        window,
        view,
        "extend",
        reason="Chờ xác minh nơi cư trú",
        new_due=dt.date(2026, 11, 30),
    )
    assert "(Mẫu 04)" in preview.windowTitle()
    text = text_of(tmp_path, preview)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Lý do: Chờ xác minh nơi cư trú" in text
    assert "hẹn trả kết quả giải quyết hồ sơ vào: 17 giờ 00 phút, ngày 30 tháng 11 năm 2026" in text
    assert view.facts["due"].text().endswith("ngày 30 tháng 11 năm 2026")


def test_a_stop_prints_form_05_and_a_withdrawal_too(
    qtbot: Any, window: MainWindow, two: list[str], tmp_path: Path
) -> None:
    view = opened(qtbot, window, two[0])
    preview = act_and_print(qtbot, window, view, "stop", reason="Hồ sơ giả mạo giấy tờ")
    assert "(Hồ sơ giả mạo giấy tờ)" in view.timeline.text()
    text = text_of(tmp_path, preview)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Hồ sơ giả mạo giấy tờ" in text
    assert "(Mẫu 05)" in preview.windowTitle()

    view = opened(qtbot, window, two[1])
    preview = act_and_print(qtbot, window, view, "withdraw", reason="Công dân xin rút")
    text = text_of(tmp_path, preview)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and two[1] in text


def test_the_view_prints_the_control_sheet_and_the_receipt_again_even_for_the_chair(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str], tmp_path: Path
) -> None:
    view = opened(qtbot, window, two[0], CHAIR)
    assert sorted(view.print_buttons) == ["01", "06"]
    assert all(b.isVisible() for b in view.print_buttons.values())

    sheet = press_print(qtbot, window, view, "06")
    assert sheet.windowTitle() == f"Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06) — {two[0]}"
    text = text_of(tmp_path, sheet)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and two[0] in text

    receipt = press_print(qtbot, window, view, "01")
    assert receipt.windowTitle().startswith("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of(tmp_path, receipt)
    printed = printed_forms(staffed_ctx)
    assert (two[0], "form 06") in printed
    assert len([p for p in printed if p[0] == two[0]]) == 2


def test_a_guided_visit_prints_form_02_naming_the_missing_paper(
    qtbot: Any,
    window: MainWindow,
    screen: IntakeScreen,
    staffed_ctx: DeskContext,
    tmp_path: Path,
) -> None:
    dialog = missing_paper(qtbot, screen, screen.guide_button)
    assert isinstance(dialog, GuideDialog)
    [(row, reason)] = dialog.reasons
    reason.setText("Tờ khai chưa có chữ ký")
    preview = recorded(qtbot, window, screen, dialog.ok_button)
    assert preview.windowTitle().startswith("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)")
    text = text_of(tmp_path, preview)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert " ".join(row.name.split())[:40] in text
    assert "Tờ khai chưa có chữ ký" in text
    assert "Chưa in được" not in screen.banner.text()
    [visit] = staffed_ctx.intake_outcomes.list(kind="guided")
    assert (visit.uuid, "form 02") in printed_forms(staffed_ctx)
    wait_idle(qtbot, window)


def test_a_correction_from_the_view_reprints_form_01_with_the_new_name(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str], tmp_path: Path
) -> None:
    view = opened(qtbot, window, two[0])
    assert view.correct_button.isVisible()
    qtbot.mouseClick(view.correct_button, Qt.MouseButton.LeftButton)
    flow = view.findChild(CorrectionFlow)
    assert flow is not None
    qtbot.waitUntil(lambda: flow.dialog is not None, timeout=SEARCH_MS)
    dialog = flow.dialog
    assert dialog is not None
    dialog.edits["applicant_name"].setText("Dang Van Duc Anh")
    dialog.reason.setText("Sai ten")
    with qtbot.waitSignal(window.receipt_shown, timeout=SEARCH_MS) as shown:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    receipt = shown.args[0]
    assert isinstance(receipt, ReceiptPreview)
    assert receipt.windowTitle().startswith("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    text = text_of(tmp_path, receipt)
    assert "Dang Van Duc Anh" in text and "Đặng Văn Đức" not in text
    assert "Sửa thông tin" in view.timeline.text()


def test_the_chair_cannot_correct_from_the_view(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    view = opened(qtbot, window, two[0], CHAIR)
    assert view.correct_button.isHidden()


def test_a_refused_visit_prints_form_03_with_its_reason(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, tmp_path: Path
) -> None:
    dialog = missing_paper(qtbot, screen, screen.refuse_button)
    assert isinstance(dialog, RefuseDialog)
    dialog.reason.setPlainText("Thủ tục không thuộc thẩm quyền của xã")
    preview = recorded(qtbot, window, screen, dialog.ok_button)
    assert preview.windowTitle().startswith("Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)")
    text = text_of(tmp_path, preview)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục không thuộc thẩm quyền của xã" in text
    wait_idle(qtbot, window)
