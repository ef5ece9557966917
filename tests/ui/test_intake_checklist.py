"""The intake checklist on screen: ticking papers, Form 02 / Form 03 instead of a receipt,
the same citizen's earlier dossier, the online channel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desk_app.context import DeskContext
from desk_app.intake import ApplicantInput, IntakeRequest
from tests.ui.intake_fixtures import (
    OFFICER,
    fake_files,
    fake_printer,
    focused,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.test_intake_screen import (
    CCCD,
    NAME,
    SAVE_MS,
    fill_valid,
    message,
    pick,
    screen,
    tab,
    tick_required,
)
from ui.documents_table import NEED, RECEIVED
from ui.intake_outcome import GuideDialog, RefuseDialog
from ui.intake_screen import IntakeScreen
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "screen", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window


def cell(screen: IntakeScreen, row: int, column: int) -> str:
    return str(screen.documents_model.index(row, column).data())


def test_each_required_paper_is_ticked_or_named_missing(qtbot: Any, screen: IntakeScreen) -> None:
    pick(qtbot, screen, "khai sinh")
    rows = screen.documents_model.rows()
    assert len(rows) == 8 and [r.required for r in rows].count(True) == 3
    assert [cell(screen, i, NEED) for i in range(4)] == ["Bắt buộc"] * 3 + ["Nếu có"]
    assert [cell(screen, i, RECEIVED) for i in (0, 3)] == ["THIẾU", "Không nộp"]
    summary = screen.checklist_label.text()
    assert summary.startswith("Giấy tờ bắt buộc: đã nhận 0/3 — CÒN THIẾU 3")
    assert "CÒN THIẾU 3" in summary and "(bản chính, 1)" in summary
    assert screen.guide_button.isVisible() and screen.refuse_button.isVisible()

    screen.documents.setFocus()
    screen.documents.setCurrentIndex(screen.documents_model.index(0, 1))
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # the birth certificate
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # the ID
    assert cell(screen, 0, RECEIVED) == "Đã nhận"
    summary = screen.checklist_label.text()
    assert summary.startswith("Giấy tờ bắt buộc: đã nhận 2/3 — CÒN THIẾU 1")
    assert "CÒN THIẾU 1: Tờ khai đăng ký khai sinh" in summary
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # a slip: the ID is not there after all
    assert "CÒN THIẾU 2" in screen.checklist_label.text()

    tick_required(qtbot, screen)
    assert "đủ để tiếp nhận" in screen.checklist_label.text()
    assert not screen.guide_button.isVisible()
    # an unticked paper is not on the receipt
    assert len(screen.request().documents or ()) == 3


def test_missing_paper_blocks_the_receipt_and_form_02_records_a_guided_visit(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    fill_valid(qtbot, screen)
    screen.documents_model.toggle(2)  # the declaration form is missing
    assert not screen.save_button.isEnabled()
    screen.save()  # Ctrl+S all the same: no receipt, the reason under the checklist
    assert message(screen, "documents").startswith("Còn thiếu 1 giấy tờ bắt buộc: Tờ khai")
    assert "Mẫu 02" in message(screen, "documents")

    qtbot.mouseClick(screen.guide_button, Qt.MouseButton.LeftButton)
    dialog = screen.controller.outcome_dialog
    assert isinstance(dialog, GuideDialog) and dialog.isVisible()
    [(row, reason)] = dialog.reasons
    assert row.name.startswith("Tờ khai đăng ký khai sinh")
    assert reason.text() == "Chưa có trong hồ sơ nộp"
    reason.setText("Tờ khai chưa có chữ ký của người yêu cầu")
    dialog.note.setPlainText("Nộp lại tại Bộ phận Một cửa, quầy 1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.saving, timeout=SAVE_MS)

    [visit] = staffed_ctx.intake_outcomes.list(kind="guided")
    assert visit.applicant_name == NAME and visit.procedure_code == "1.001193"
    assert [(i.name[:25], i.reason) for i in visit.items] == [
        ("Tờ khai đăng ký khai sinh", "Tờ khai chưa có chữ ký của người yêu cầu")
    ]
    assert visit.reason == "Nộp lại tại Bộ phận Một cửa, quầy 1"
    assert staffed_ctx.intake.list_received(OFFICER) == []  # nothing received, no code
    assert "hướng dẫn Nguyễn Thị Ánh Tuyết bổ sung 1 giấy tờ" in screen.banner.text()
    assert screen.name.text() == "" and screen.procedure is None  # the next citizen
    wait_idle(qtbot, window)


def test_form_03_needs_its_reason(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    fill_valid(qtbot, screen)
    screen.documents_model.toggle(0)
    qtbot.mouseClick(screen.refuse_button, Qt.MouseButton.LeftButton)
    dialog = screen.controller.outcome_dialog
    assert isinstance(dialog, RefuseDialog)
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setPlainText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setPlainText("Thủ tục thuộc thẩm quyền của Ủy ban nhân dân tỉnh")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.saving, timeout=SAVE_MS)
    [visit] = staffed_ctx.intake_outcomes.list(kind="refused")
    assert visit.reason == "Thủ tục thuộc thẩm quyền của Ủy ban nhân dân tỉnh"
    assert visit.applicant_cccd == CCCD
    assert "từ chối tiếp nhận hồ sơ của Nguyễn Thị Ánh Tuyết" in screen.banner.text()
    wait_idle(qtbot, window)


def test_form_02_needs_a_name_first(qtbot: Any, screen: IntakeScreen) -> None:
    pick(qtbot, screen, "khai sinh")
    qtbot.mouseClick(screen.guide_button, Qt.MouseButton.LeftButton)
    assert screen.controller.outcome_dialog is None
    assert "nhập họ tên người nộp" in screen.banner.text()
    assert focused() is screen.name


def test_the_same_citizen_and_procedure_is_pointed_out(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    earlier = staffed_ctx.intake.receive(
        IntakeRequest(
            procedure_code="1.001193",
            applicant=ApplicantInput(NAME, CCCD, address="Ấp Bình Thạnh, xã Tân Phú"),
        ),
        OFFICER,
    ).dossier
    fill_valid(qtbot, screen)
    screen.cccd.setFocus()
    tab(qtbot)  # leaving the CCCD looks the citizen up
    qtbot.waitUntil(lambda: earlier.code in message(screen, "applicant.cccd"), timeout=SAVE_MS)
    label = screen.field_message("applicant.cccd")
    assert label.level == "warning"
    assert label.text().startswith("Đã có hồ sơ cùng thủ tục ngày 23/11/2026: ")
    assert screen.save_button.isEnabled()  # a warning, never a block
    # another procedure: nothing to say
    pick(qtbot, screen, "tinh trang hon nhan")
    tick_required(qtbot, screen)
    wait_idle(qtbot, window)
    assert message(screen, "applicant.cccd") == ""


def test_online_channel_is_offered_and_stored(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    labels = [screen.channel.itemText(i) for i in range(screen.channel.count())]
    assert labels == ["Trực tiếp", "Qua bưu chính", "Trực tuyến"]
    fill_valid(qtbot, screen)
    screen.channel.setCurrentIndex(screen.channel.findData("online"))
    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS):
        screen.save()
    (dossier,) = staffed_ctx.intake.list_received(OFFICER)
    assert dossier.channel == "online"
    assert len(dossier.documents) == 3  # the ticked papers only
    wait_idle(qtbot, window)
