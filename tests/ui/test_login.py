"""Login: the password check runs off the GUI thread; the role decides the tabs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desk_app.auth import Officer
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    ADMIN,
    ADMIN_TABS,
    CHAIR,
    CHAIR_TABS,
    OFFICER,
    OFFICER_TABS,
    PASSWORD,
    fake_files,
    fake_printer,
    focused,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window

LOGIN_MS = 30_000


def log_in(qtbot: Any, window: MainWindow, username: str, password: str) -> None:
    """Type as the officer does: username, Tab, password, Enter."""
    screen = window.login_screen
    assert screen is not None
    assert focused() is screen.username
    type_text(qtbot, focused(), username)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is screen.password
    type_text(qtbot, focused(), password)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_the_window_opens_at_the_login_screen(window: MainWindow) -> None:
    assert window.pages.currentWidget() is window.login_screen
    assert window.officer is None
    assert window.tabs is None
    assert not window.logout_action.isEnabled()
    assert window.login_screen is not None
    assert window.login_screen.password.echoMode() == window.login_screen.password.EchoMode.Password
    assert "UBND XÃ TÂN PHÚ" in window.login_screen.unit_label.text()


def test_officer_logs_in_and_gets_intake_and_lookup(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.logged_in, timeout=LOGIN_MS) as signal:
        log_in(qtbot, window, OFFICER.username, PASSWORD)
        # the check runs on the database thread: the screen shows it is busy meanwhile
        assert window.login_screen is not None
        assert window.login_screen.busy
        assert not window.login_screen.submit_button.isEnabled()
        assert window.login_screen.status_label.text() == "Đang kiểm tra…"

    assert signal.args == [OFFICER]
    assert window.officer == OFFICER
    assert window.tab_titles() == OFFICER_TABS
    assert window.pages.currentWidget() is window.tabs
    assert window.officer_label.text() == "Cán bộ: Trần Văn Bình — Công chức một cửa"
    assert window.logout_action.isEnabled()
    wait_idle(qtbot, window)
    # straight to work: the procedure search has the focus
    assert window.intake_screen is not None
    assert focused() is window.intake_screen.search


def test_wrong_password_keeps_username_and_clears_password(qtbot: Any, window: MainWindow) -> None:
    screen = window.login_screen
    assert screen is not None
    log_in(qtbot, window, OFFICER.username, "sai-mat-khau")
    qtbot.waitUntil(lambda: not screen.error_label.isHidden(), timeout=LOGIN_MS)

    assert screen.error_label.text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert screen.username.text() == OFFICER.username
    assert screen.password.text() == ""
    assert focused() is screen.password
    assert window.officer is None
    assert window.pages.currentWidget() is screen

    # and the second attempt, typed at once, works
    with qtbot.waitSignal(window.logged_in, timeout=LOGIN_MS):
        type_text(qtbot, focused(), PASSWORD)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert window.officer == OFFICER


def test_unknown_user_gets_the_same_message(qtbot: Any, window: MainWindow) -> None:
    screen = window.login_screen
    assert screen is not None
    log_in(qtbot, window, "khongco", PASSWORD)
    qtbot.waitUntil(lambda: not screen.error_label.isHidden(), timeout=LOGIN_MS)
    assert screen.error_label.text() == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_empty_password_is_not_sent(qtbot: Any, window: MainWindow) -> None:
    screen = window.login_screen
    assert screen is not None
    type_text(qtbot, screen.username, OFFICER.username)
    screen.submit()
    assert screen.error_label.text() == "Nhập mật khẩu."
    assert not window.ops.busy


def test_chair_sees_the_backlog_first_and_lookup(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.logged_in, timeout=LOGIN_MS):
        log_in(qtbot, window, CHAIR.username, PASSWORD)
    assert window.tab_titles() == CHAIR_TABS
    assert window.intake_screen is None
    assert window.officer_label.text() == "Cán bộ: Phạm Thị Hoa — Chủ tịch UBND"
    wait_idle(qtbot, window)


def test_admin_sees_every_tab(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.logged_in, timeout=LOGIN_MS):
        log_in(qtbot, window, ADMIN.username, PASSWORD)
    assert window.tab_titles() == ADMIN_TABS
    assert "Quản trị" in window.officer_label.text()
    wait_idle(qtbot, window)


def test_logout_returns_to_an_empty_login(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.logged_in, timeout=LOGIN_MS):
        log_in(qtbot, window, OFFICER.username, PASSWORD)
    wait_idle(qtbot, window)
    logged_out: list[bool] = []
    window.logged_out.connect(lambda: logged_out.append(True))

    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(focused(), Qt.Key.Key_L, ctrl_shift)

    assert logged_out == [True]
    assert window.officer is None
    assert window.tabs is None
    assert window.pages.currentWidget() is window.login_screen
    assert window.login_screen is not None
    assert window.login_screen.username.text() == ""
    assert window.officer_label.text() == ""
    assert not window.logout_action.isEnabled()


def test_officer_equality_is_by_value() -> None:
    # start_session receives the Officer the service returned: plain data, comparable
    assert Officer("canbo", "Trần Văn Bình", OFFICER.role) == OFFICER
