"""Nothing typed is lost: logout, switching officer and closing ask about a half-filled
intake form (keep / discard / cancel); a kept form comes back at the officer's next login."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desk_app.context import DeskContext
from tests.helpers.typing import commit_text, type_text
from tests.ui.intake_fixtures import (
    ADMIN,
    OFFICER,
    PASSWORD,
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
from ui.intake_leave import LeaveDialog
from ui.intake_screen import IntakeScreen
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window

NAME = "Nguyễn Thị Ánh Tuyết"
CCCD = "079305001234"
WAIT_MS = 30_000


def half_fill(qtbot: Any, window: MainWindow) -> IntakeScreen:
    """Log in, choose the birth registration, tick its first paper, type name and CCCD."""
    log_in_directly(qtbot, window, OFFICER)
    screen = window.intake_screen
    assert screen is not None
    type_text(qtbot, screen.search, "khai sinh")
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    screen.documents_model.toggle(0)
    commit_text(qtbot, screen.name, NAME)
    type_text(qtbot, screen.cccd, CCCD)
    assert screen.has_unsaved()
    return screen


def asked(qtbot: Any, window: MainWindow) -> LeaveDialog:
    qtbot.waitUntil(lambda: window.leave_dialog is not None, timeout=WAIT_MS)
    dialog = window.leave_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_logout_asks_and_a_kept_form_comes_back_at_the_next_login(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    half_fill(qtbot, window)
    qtbot.keyClick(
        focused(),
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = asked(qtbot, window)
    assert dialog.text() == f"Hồ sơ của {NAME} chưa được lưu."
    assert "Trước khi đăng xuất" in dialog.informativeText()
    buttons = [b.text() for b in (dialog.keep_button, dialog.discard_button, dialog.cancel_button)]
    assert buttons == ["&Giữ lại để nhập tiếp", "&Bỏ nội dung đã nhập", "&Quay lại"]
    assert dialog.defaultButton() is dialog.keep_button  # Enter loses nothing
    assert window.officer == OFFICER  # nothing happened yet

    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.officer is None, timeout=WAIT_MS)
    assert window.pages.currentWidget() is window.login_screen

    log_in_directly(qtbot, window, OFFICER)
    screen = window.intake_screen
    assert screen is not None
    qtbot.waitUntil(lambda: screen.name.text() == NAME, timeout=WAIT_MS)
    assert screen.cccd.text() == CCCD
    assert screen.procedure is not None and screen.procedure.code == "1.001193"
    assert [r.received for r in screen.documents_model.rows()][:2] == [True, False]
    assert "đang nhập dở lần trước" in screen.banner.text()
    # given back once: the form holds it now
    wait_idle(qtbot, window)
    assert staffed_ctx.intake.take_draft(OFFICER) is None


def test_cancel_keeps_the_session_and_the_form(qtbot: Any, window: MainWindow) -> None:
    screen = half_fill(qtbot, window)
    window.logout_action.trigger()
    dialog = asked(qtbot, window)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert window.leave_dialog is None
    assert window.officer == OFFICER
    assert window.intake_screen is screen and screen.name.text() == NAME


def test_discard_logs_out_and_keeps_nothing(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    half_fill(qtbot, window)
    window.logout_action.trigger()
    qtbot.mouseClick(asked(qtbot, window).discard_button, Qt.MouseButton.LeftButton)
    assert window.officer is None
    log_in_directly(qtbot, window, OFFICER)
    screen = window.intake_screen
    assert screen is not None and screen.name.text() == "" and screen.procedure is None
    assert staffed_ctx.intake.take_draft(OFFICER) is None


def test_another_officer_does_not_get_the_draft(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    half_fill(qtbot, window)
    window.logout_action.trigger()
    qtbot.mouseClick(asked(qtbot, window).keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.officer is None, timeout=WAIT_MS)
    log_in_directly(qtbot, window, ADMIN)
    screen = window.intake_screen
    assert screen is not None and screen.name.text() == ""
    payload = staffed_ctx.intake.take_draft(OFFICER)
    assert payload is not None and payload["name"] == NAME


def test_an_empty_form_logs_out_without_a_question(qtbot: Any, window: MainWindow) -> None:
    log_in_directly(qtbot, window, OFFICER)
    window.logout_action.trigger()
    assert window.leave_dialog is None and window.officer is None


def test_ctrl_q_asks_before_closing(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    half_fill(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    dialog = asked(qtbot, window)
    assert "Trước khi đóng chương trình" in dialog.informativeText()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.officer == OFFICER

    window.close()  # the title bar's close button: the same question
    qtbot.mouseClick(asked(qtbot, window).keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    payload = staffed_ctx.intake.take_draft(OFFICER)  # kept past the window's end
    assert payload is not None and payload["cccd"] == CCCD


def test_closing_while_locked_keeps_the_form_without_asking(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    half_fill(qtbot, window)
    window.lock()
    window.close()
    assert window.leave_dialog is None  # nobody at the desk may answer for the officer
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    payload = staffed_ctx.intake.take_draft(OFFICER)
    assert payload is not None and payload["name"] == NAME


@pytest.mark.parametrize("password", [PASSWORD])
def test_switching_officer_from_the_lock_screen_asks_too(
    qtbot: Any, window: MainWindow, password: str
) -> None:
    half_fill(qtbot, window)
    window.lock()
    lock = window.lock_screen
    assert lock is not None
    type_text(qtbot, lock.password, password)
    qtbot.mouseClick(lock.switch_button, Qt.MouseButton.LeftButton)
    dialog = asked(qtbot, window)
    assert not window.locked  # the password was right: back at the form, then asked
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    assert window.officer is None
    assert window.pages.currentWidget() is window.login_screen
