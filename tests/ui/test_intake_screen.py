"""The intake screen, driven the way a desk officer drives it: with the keyboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from tests.helpers.typing import commit_text, type_text
from tests.ui.intake_fixtures import (
    CHAIR,
    OFFICER,
    close_discarding,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.intake_screen import IntakeScreen
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.receipt_preview import ReceiptPreview

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window

NAME = "Nguyễn Thị Ánh Tuyết"
ADDRESS = "Ấp Bình Thạnh, xã Tân Phú"
CCCD = "079305001234"  # TP.HCM, born 2005, female
SAVE_MS = 30_000
TODAY_DUE = "Hẹn trả: 17 giờ 00 phút, ngày 23 tháng 11 năm 2026"


@pytest.fixture
def screen(qtbot: Any, window: MainWindow) -> IntakeScreen:
    log_in_directly(qtbot, window, OFFICER)
    assert window.intake_screen is not None
    return window.intake_screen


def tab(qtbot: Any, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def pick(qtbot: Any, screen: IntakeScreen, query: str) -> None:
    screen.search.setFocus()
    screen.search.clear()
    type_text(qtbot, screen.search, query)
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)


def tick_required(qtbot: Any, screen: IntakeScreen) -> None:
    """Space on each required line of the checklist: the citizen brought those papers."""
    screen.documents.setFocus()
    rows = screen.documents_model.rows()
    screen.documents.setCurrentIndex(screen.documents_model.index(0, 1))
    for position, row in enumerate(rows):
        if row.required and not row.received:
            qtbot.keyClick(screen.documents, Qt.Key.Key_Space)
        if position < len(rows) - 1:
            qtbot.keyClick(screen.documents, Qt.Key.Key_Down)
    assert not screen.documents_model.missing()


def fill_valid(qtbot: Any, screen: IntakeScreen) -> None:
    pick(qtbot, screen, "khai sinh")
    tick_required(qtbot, screen)
    commit_text(qtbot, screen.name, NAME)
    type_text(qtbot, screen.cccd, CCCD)
    type_text(qtbot, screen.dob, "04/03/2005")
    commit_text(qtbot, screen.address, ADDRESS)
    type_text(qtbot, screen.phone, "0912345678")


def message(screen: IntakeScreen, path: str) -> str:
    label = screen.field_message(path)
    return label.text() if label.isVisible() else ""


# ------------------------------------------------------------------ the whole intake


def test_whole_intake_with_the_keyboard_alone(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    assert focused() is screen.search
    assert not screen.save_button.isEnabled()

    type_text(qtbot, focused(), "khai sinh")
    assert screen.picker.shown[0].name == "Thủ tục đăng ký khai sinh"
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert screen.procedure is not None and screen.procedure.code == "1.001193"
    listed = [d.name for d in screen.documents_model.rows()]
    assert listed == [d.name for d in screen.procedure.documents]
    assert screen.documents_model.documents() == ()  # nothing ticked yet
    assert listed[0].startswith("Giấy chứng sinh")
    assert any(name.startswith("Tờ khai đăng ký khai sinh") for name in listed)

    assert focused() is screen.name
    commit_text(qtbot, focused(), NAME)  # what a Vietnamese input method sends
    tab(qtbot)
    assert focused() is screen.cccd
    type_text(qtbot, focused(), CCCD)
    tab(qtbot)
    assert focused() is screen.dob
    type_text(qtbot, focused(), "04032005")
    tab(qtbot)
    assert screen.dob.text() == "04/03/2005"  # tidied on leaving
    assert focused() is screen.address
    type_text(qtbot, focused(), ADDRESS)  # or key by key
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter moves on, as Tab does
    assert focused() is screen.phone
    type_text(qtbot, focused(), "0912 345 678")
    tab(qtbot)
    assert focused() is screen.email
    tab(qtbot)
    assert focused() is screen.channel
    tab(qtbot)
    assert focused() is screen.sets_count
    tab(qtbot)
    assert focused() is screen.has_representative
    tab(qtbot)
    assert focused() is screen.documents  # the representative's fields are hidden
    # The checklist: the three required papers first, then those needed only in some
    # cases. Nothing is ticked: the receipt waits for the officer's check of each paper.
    always = 3
    assert [r.required for r in screen.documents_model.rows()][: always + 1] == [True] * 3 + [False]
    assert "Giấy tờ bắt buộc: đã nhận 0/3" in screen.checklist_label.text()
    assert "CÒN THIẾU 3" in screen.checklist_label.text()
    assert screen.guide_button.isVisible() and screen.refuse_button.isVisible()
    assert not screen.save_button.isEnabled()
    for _ in range(always):  # Space ticks the current line, Down goes to the next
        qtbot.keyClick(focused(), Qt.Key.Key_Space)
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert screen.documents.currentIndex().row() == always
    assert [d.name for d in screen.documents_model.documents()] == listed[:always]
    assert screen.checklist_label.text().startswith("Giấy tờ bắt buộc: đã nhận 3/3")
    assert "đủ để tiếp nhận" in screen.checklist_label.text()
    assert not screen.guide_button.isVisible()
    tab(qtbot, 3)
    assert focused() is screen.notes
    tab(qtbot)
    assert focused() is screen.save_button

    wait_idle(qtbot, window)
    assert screen.due_label.text() == TODAY_DUE
    assert screen.validation.ok, screen.validation
    assert screen.save_button.isEnabled()

    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS) as shown:
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert screen.saving
        assert screen.status_label.text() == "Đang lưu hồ sơ…"
        assert not screen.form.isEnabled()

    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    # Two copies of two A5 pages each: the portal's document names are long.
    assert preview.page_count == 4
    assert preview.isVisible()
    stored = staffed_ctx.intake.list_received(OFFICER, dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    assert len(stored) == 1
    dossier = stored[0]
    assert dossier.code == preview.code == "000.20.33.H12-261123-1001"
    assert dossier.applicant_name == NAME
    assert dossier.applicant_cccd == CCCD
    assert dossier.applicant_dob == dt.date(2005, 3, 4)
    assert dossier.applicant_phone == "0912345678"
    assert dossier.applicant_address == ADDRESS
    assert dossier.procedure_code == "1.001193"
    assert dossier.received_by == OFFICER.username
    assert dossier.due_at == dt.datetime(2026, 11, 23, 17, 0)

    # cleared for the next citizen
    assert screen.procedure is None
    for edit in (screen.name, screen.cccd, screen.dob, screen.phone, screen.address):
        assert edit.text() == ""
    assert screen.documents_model.rowCount() == 0
    assert not screen.save_button.isEnabled()
    assert "Đã lưu hồ sơ 000.20.33.H12-261123-1001" in screen.banner.text()
    # nothing nags on the fresh form
    assert all(not m.isVisible() for m in screen.messages.values())

    preview.reject()
    wait_idle(qtbot, window)
    assert window.preview is None
    assert focused() is screen.search


def test_the_picker_shows_no_review_flags_and_keeps_its_rows(
    qtbot: Any, screen: IntakeScreen
) -> None:
    # 1.004859: the portal and the Civil Status Law disagree on its duration.
    screen.search.setFocus()
    type_text(qtbot, screen.search, "1.004859")
    shown = screen.picker.shown[0]
    assert shown.code == "1.004859" and shown.review
    officer_sees = [
        screen.picker.details.text(),
        screen.picker.details.toolTip(),
        *(screen.picker.list.item(i).text() for i in range(screen.picker.list.count())),
        *(screen.picker.list.item(i).toolTip() for i in range(screen.picker.list.count())),
    ]
    for flag in shown.review:
        assert not any(flag.detail in text for text in officer_sees)
    assert "dichvucong" not in " ".join(officer_sees)
    # A long condition is cut in the panel, whole in its tooltip.
    screen.search.clear()
    type_text(qtbot, screen.search, "1.001193")
    birth = screen.picker.shown[0]
    assert len(birth.duration_note) > 200
    assert birth.duration_note not in screen.picker.details.text()
    assert birth.duration_note in screen.picker.details.toolTip()


def test_procedure_search_ignores_diacritics_and_codes(qtbot: Any, screen: IntakeScreen) -> None:
    screen.search.setFocus()
    type_text(qtbot, screen.search, "chung thuc")
    fields = {p.field for p in screen.picker.shown}
    assert "Chứng thực" in fields
    assert screen.picker.list.count() == len(screen.picker.shown) >= 12
    assert {p.field for p in screen.picker.shown[:12]} == {"Chứng thực"}

    screen.search.clear()
    type_text(qtbot, screen.search, "dat dai")
    assert {p.field for p in screen.picker.shown} == {"Đất đai"}

    screen.search.clear()
    type_text(qtbot, screen.search, "1.001193")
    assert screen.picker.shown[0].code == "1.001193"

    screen.search.clear()
    commit_text(qtbot, screen.search, "Đăng ký")
    shown = screen.picker.shown
    assert len(shown) > 2
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)  # moves in the list, focus stays
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)
    qtbot.keyClick(screen.search, Qt.Key.Key_Up)
    assert focused() is screen.search
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.procedure == shown[1]


def test_enter_on_an_empty_search_picks_nothing(qtbot: Any, screen: IntakeScreen) -> None:
    screen.search.setFocus()
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.procedure is None
    assert "Gõ vài chữ" in screen.picker.details.text()


# ------------------------------------------------------------------ validation


def test_required_messages_wait_until_the_field_is_left(qtbot: Any, screen: IntakeScreen) -> None:
    pick(qtbot, screen, "khai sinh")
    assert focused() is screen.name
    assert all(not m.isVisible() for m in screen.messages.values())
    assert not screen.save_button.isEnabled()

    tab(qtbot)  # leaves the name empty
    assert message(screen, "applicant.name") == "Nhập họ và tên."
    assert message(screen, "applicant.cccd") == ""  # not reached yet
    assert message(screen, "applicant.address") == ""

    # Ctrl+S with faults shows every message at once, and saves nothing
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not screen.saving
    assert message(screen, "applicant.cccd") == "Nhập số CCCD của người nộp hồ sơ."
    assert message(screen, "applicant.address") == "Nhập địa chỉ của người nộp hồ sơ."
    assert focused() is screen.name  # the first field at fault
    assert "chưa đủ" in screen.banner.text()


@pytest.mark.parametrize(
    ("field", "value", "path", "expected"),
    [
        ("cccd", "07930500123", "applicant.cccd", "Số CCCD phải gồm đúng 12 chữ số."),
        (
            "cccd",
            "079303001234",
            "applicant.cccd",
            "Số CCCD ứng với năm sinh 2003, nhưng ngày sinh đã nhập là năm 2005.",
        ),
        (
            "phone",
            "12345",
            "applicant.phone",
            "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).",
        ),
        ("email", "abc", "applicant.email", "Địa chỉ email không đúng dạng ten@mien.vn."),
        (
            "name",
            "Nguyễn 2",
            "applicant.name",
            "Họ và tên gồm ít nhất hai chữ, không có chữ số.",
        ),
        (
            "dob",
            "31/02/2005",
            "applicant.date_of_birth",
            "Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005.",
        ),
        ("dob", "04/03/2099", "applicant.date_of_birth", "Ngày sinh không thể sau hôm nay."),
    ],
)
def test_bad_input_is_shown_beside_its_field(
    qtbot: Any, screen: IntakeScreen, field: str, value: str, path: str, expected: str
) -> None:
    fill_valid(qtbot, screen)
    assert screen.save_button.isEnabled()
    edit = getattr(screen, field)
    edit.clear()
    edit.setFocus()
    commit_text(qtbot, edit, value)
    tab(qtbot)

    assert message(screen, path) == expected
    label = screen.field_message(path)
    assert label.level == "error"
    assert label.color == "#b3261e"  # red
    assert not screen.save_button.isEnabled()
    # the other fields stay quiet
    assert [p for p, m in screen.messages.items() if m.isVisible()] == [path]


def test_empty_address_after_leaving_it(qtbot: Any, screen: IntakeScreen) -> None:
    fill_valid(qtbot, screen)
    screen.address.clear()
    screen.address.setFocus()
    tab(qtbot)
    assert message(screen, "applicant.address") == "Nhập địa chỉ của người nộp hồ sơ."
    assert not screen.save_button.isEnabled()
    commit_text(qtbot, screen.address, ADDRESS)  # fixed: the message goes at once
    assert message(screen, "applicant.address") == ""
    assert screen.save_button.isEnabled()


def test_representative_needs_a_name(qtbot: Any, screen: IntakeScreen) -> None:
    fill_valid(qtbot, screen)
    screen.has_representative.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert screen.has_representative.isChecked()
    assert focused() is screen.rep_name
    assert not screen.save_button.isEnabled()
    tab(qtbot)
    assert message(screen, "representative.name") == "Nhập họ và tên."
    commit_text(qtbot, screen.rep_name, "Nguyễn Văn Tâm")
    type_text(qtbot, screen.rep_cccd, "0790")
    screen.rep_cccd.setFocus()
    tab(qtbot)
    assert message(screen, "representative.cccd") == "Số CCCD phải gồm đúng 12 chữ số."
    screen.rep_cccd.clear()
    assert screen.save_button.isEnabled()
    # unchecking drops the representative (and its faults)
    screen.has_representative.setChecked(False)
    assert screen.request().representative is None


def test_unknown_province_is_an_amber_warning_not_a_block(qtbot: Any, screen: IntakeScreen) -> None:
    fill_valid(qtbot, screen)
    screen.cccd.clear()
    screen.cccd.setFocus()
    type_text(qtbot, screen.cccd, "999305001234")
    tab(qtbot)
    label = screen.field_message("applicant.cccd")
    assert label.level == "warning"
    assert label.text() == "Mã tỉnh 999 không có trong danh sách; kiểm tra lại số CCCD."
    assert label.color == "#8a5a00"  # amber
    assert screen.save_button.isEnabled()


def test_document_rows_with_the_keyboard(qtbot: Any, screen: IntakeScreen) -> None:
    pick(qtbot, screen, "khai sinh")
    tick_required(qtbot, screen)
    assert screen.procedure is not None
    n = len(screen.procedure.documents)  # the checklist the procedure brings
    screen.documents.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Insert)
    assert screen.documents_model.rowCount() == n + 1
    commit_text(qtbot, focused(), "Giấy ủy quyền")  # the editor of the new row
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: screen.documents.state() != QAbstractItemView.State.EditingState)
    assert focused() is screen.documents
    added = screen.documents_model.rows()[n]
    assert (added.name, added.kind, added.received, added.required) == (
        "Giấy ủy quyền", "original", True, False,  # an extra paper, handed over
    )  # fmt: skip

    screen.documents_model.add_row()
    screen.touches.touch_all()
    screen.revalidate()
    assert message(screen, "documents") == f"Dòng {n + 2}: Nhập tên giấy tờ."
    assert not screen.save_button.isEnabled()

    screen.documents.setFocus()
    screen.documents.setCurrentIndex(screen.documents_model.index(n + 1, 0))
    qtbot.keyClick(focused(), Qt.Key.Key_Delete)
    assert screen.documents_model.rowCount() == n + 1
    assert message(screen, "documents") == ""


def test_ctrl_s_inside_a_cell_keeps_what_was_typed(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, staffed_ctx: DeskContext
) -> None:
    fill_valid(qtbot, screen)
    screen.documents.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Insert)
    commit_text(qtbot, focused(), "Giấy ủy quyền")  # still in the cell editor
    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS):
        qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    (dossier,) = staffed_ctx.intake.list_received(OFFICER)
    assert [d.name for d in dossier.documents][-1] == "Giấy ủy quyền"
    wait_idle(qtbot, window)


# ------------------------------------------------------------------ due date


def test_due_date_follows_the_procedure_and_the_clock(
    qtbot: Any, window: MainWindow, screen: IntakeScreen, desk_clock: FixedClock
) -> None:
    assert screen.due_label.text() == "Hẹn trả: chọn thủ tục để tính ngày hẹn"
    pick(qtbot, screen, "khai sinh")  # same day, received Monday 09:00
    qtbot.waitUntil(lambda: screen.due_label.text() == TODAY_DUE)

    # 3 working days; Tuesday 24/11 is Ngày Văn hóa Việt Nam (a day off from 2026)
    pick(qtbot, screen, "tinh trang hon nhan")
    qtbot.waitUntil(
        lambda: screen.due_label.text() == "Hẹn trả: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026"
    )

    pick(qtbot, screen, "khai sinh")
    qtbot.waitUntil(lambda: screen.due_label.text() == TODAY_DUE)
    desk_clock.advance(dt.timedelta(hours=6, minutes=30))  # 15:30, past the cut-off
    assert screen.due_timer.isActive()
    assert screen.due_timer.interval() == 60_000
    screen.due_timer.timeout.emit()
    qtbot.waitUntil(
        lambda: screen.due_label.text() == "Hẹn trả: 17 giờ 00 phút, ngày 25 tháng 11 năm 2026"
    )
    wait_idle(qtbot, window)


def test_the_due_timer_firing_after_the_window_closed_does_nothing(
    qtbot: Any, window: MainWindow, screen: IntakeScreen
) -> None:
    pick(qtbot, screen, "khai sinh")
    qtbot.waitUntil(lambda: screen.due_label.text() == TODAY_DUE, timeout=SAVE_MS)
    close_discarding(window)
    assert window.ops.stopped
    # The screen outlives the window until Qt deletes it; its minute timer may still fire
    # (under load, in the middle of a later test) and must not reach the stopped threads.
    screen.due_timer.timeout.emit()
    assert screen.due_label.text() == TODAY_DUE


# ------------------------------------------------------------------ forgiving


def test_ctrl_n_clears_and_the_form_can_be_restored(qtbot: Any, screen: IntakeScreen) -> None:
    fill_valid(qtbot, screen)
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert screen.name.text() == ""
    assert screen.procedure is None
    assert focused() is screen.search
    assert screen.restore_button.isVisible()

    qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    assert screen.name.text() == NAME
    assert screen.address.text() == ADDRESS
    assert screen.procedure is not None and screen.procedure.code == "1.001193"
    assert screen.documents_model.rowCount() == len(screen.procedure.documents)
    assert screen.save_button.isEnabled()


def test_a_failed_save_loses_nothing(
    qtbot: Any, staffed_ctx: DeskContext, fake_printer: Any
) -> None:
    # A chair may not receive dossiers: the service refuses, a real error path.
    ops = Operations()
    opened: list[str] = []
    screen = IntakeScreen(
        staffed_ctx.intake,
        staffed_ctx.clock,
        CHAIR,
        ops,
        lambda _pdf, code, _title=None: opened.append(code),
    )
    qtbot.addWidget(screen)
    screen.show()
    try:
        qtbot.waitUntil(lambda: screen.procedures_loaded)
        fill_valid(qtbot, screen)
        screen.save()
        qtbot.waitUntil(lambda: not screen.saving, timeout=SAVE_MS)

        assert opened == []
        assert "Chưa lưu được hồ sơ" in screen.banner.text()
        assert "Dữ liệu đã nhập vẫn còn" in screen.banner.text()
        assert screen.name.text() == NAME
        assert screen.cccd.text() == CCCD
        assert screen.address.text() == ADDRESS
        assert screen.procedure is not None
        assert screen.form.isEnabled()
        assert screen.save_button.isEnabled()  # try again
        assert staffed_ctx.intake.list_received(CHAIR) == []
    finally:
        ops.shutdown()


def test_a_saved_dossier_wakes_the_sync_thread_at_once(
    qtbot: Any, window: MainWindow, screen: IntakeScreen
) -> None:
    worker = window.sync_worker
    assert worker is not None
    snapshots: list[object] = []
    worker.status_changed.connect(snapshots.append)
    qtbot.waitUntil(lambda: worker.last_snapshot is not None, timeout=SAVE_MS)
    qtbot.wait(200)
    before = len(snapshots)  # a desk not enrolled looks again only every 60 s...
    fill_valid(qtbot, screen)
    with qtbot.waitSignal(window.receipt_shown, timeout=SAVE_MS):
        screen.save()
    # ...but the save reported new events to send (Changes.outbox), which wakes it now.
    qtbot.waitUntil(lambda: len(snapshots) > before, timeout=SAVE_MS)
    wait_idle(qtbot, window)
