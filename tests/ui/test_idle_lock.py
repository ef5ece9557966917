"""Idle lock: after the idle time the citizen's data is hidden until the officer's password.

The timeout is injected (``MainWindow(idle_timeout_ms=...)``, ``IdleLock(timeout_ms=...)``)
instead of waiting ten real minutes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from desk_app.context import DeskContext
from tests.helpers.typing import commit_text, type_text
from tests.ui.intake_fixtures import (
    OFFICER,
    PASSWORD,
    FakeFileGateway,
    FakePrintGateway,
    close_discarding,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    make_window,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
)
from ui.idle_lock import IdleLock
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template"]

pytestmark = shows_a_window

IDLE_MS = 400
CHECK_MS = 30_000
NAME = "Nguyễn Thị Ánh Tuyết"


@pytest.fixture
def locking_window(
    qtbot: Any,
    staffed_ctx: DeskContext,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> Iterator[MainWindow]:
    """Logged in as the officer; the idle lock watching, but with a timeout no pause of a
    loaded machine reaches (a test that wants it to fire sets ``IDLE_MS`` when ready)."""
    window = make_window(qtbot, staffed_ctx, fake_printer, fake_files, idle_timeout_ms=60_000)
    log_in_directly(qtbot, window, OFFICER)
    yield window
    close_discarding(window)


def wait_locked(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.locked, timeout=CHECK_MS)


def unlock_with(qtbot: Any, window: MainWindow, password: str) -> None:
    lock = window.lock_screen
    assert lock is not None
    assert focused() is lock.password
    type_text(qtbot, focused(), password)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=CHECK_MS)


# ------------------------------------------------------------------ the timer


def test_idle_lock_fires_after_the_timeout(qtbot: Any) -> None:
    lock = IdleLock(timeout_ms=100)
    assert lock.timeout_ms == 100
    with qtbot.waitSignal(lock.timed_out, timeout=CHECK_MS):
        lock.start()
    assert not lock.active  # fires once, then waits for start() again
    lock.stop()


def test_input_restarts_the_countdown(qtbot: Any) -> None:
    """Every key press starts the countdown again from the full timeout.

    Measured on the timer itself rather than by racing it: a loaded machine may pause
    the test longer than any short timeout between two keys."""
    line = QLineEdit()
    qtbot.addWidget(line)
    timeout_ms = 60_000
    lock = IdleLock(timeout_ms=timeout_ms)
    (timer,) = lock.findChildren(QTimer)
    timer.setTimerType(Qt.TimerType.PreciseTimer)  # remainingTime() to the millisecond
    fired: list[bool] = []
    lock.timed_out.connect(lambda: fired.append(True))
    lock.start()
    try:
        for _ in range(3):
            qtbot.wait(100)
            left_before = timer.remainingTime()
            assert 0 < left_before <= timeout_ms - 50  # counting down
            pressed = time.monotonic()
            QApplication.sendEvent(
                line,
                QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"),
            )
            left_after = timer.remainingTime()
            since_press_ms = (time.monotonic() - pressed) * 1000
            # Without a restart at most ``left_before - since_press_ms`` would remain.
            assert left_after >= timeout_ms - since_press_ms - 1 > left_before - since_press_ms
        assert fired == []
        lock.set_timeout(100)  # input stops: it fires
        qtbot.waitUntil(lambda: fired == [True], timeout=CHECK_MS)
    finally:
        lock.stop()


# ------------------------------------------------------------------ the window


def test_lock_hides_the_form_and_keeps_what_was_typed(
    qtbot: Any, locking_window: MainWindow
) -> None:
    window = locking_window
    screen = window.intake_screen
    assert screen is not None
    screen.name.setFocus()
    commit_text(qtbot, screen.name, NAME)
    type_text(qtbot, screen.cccd, "079305001234")
    assert screen.name.isVisible()

    assert window.idle_lock is not None and window.idle_lock.active
    window.idle_lock.set_timeout(IDLE_MS)
    wait_locked(qtbot, window)  # nobody touches anything for IDLE_MS
    window.idle_lock.set_timeout(60_000)  # not again while the test checks the unlock
    assert window.pages.currentWidget() is window.lock_screen
    assert not screen.isVisible()
    assert not screen.name.isVisible()  # no personal data behind the lock
    assert window.tabs is not None and not window.tabs.isVisible()
    lock = window.lock_screen
    assert lock is not None
    assert "Trần Văn Bình" in lock.who_label.text()
    assert not window.lock_action.isEnabled()

    unlock_with(qtbot, window, "sai-mat-khau")
    assert window.locked
    assert lock.error_label.text() == "Mật khẩu không đúng."
    assert lock.password.text() == ""
    assert not screen.isVisible()

    unlock_with(qtbot, window, PASSWORD)
    assert not window.locked
    assert window.pages.currentWidget() is window.tabs
    assert screen.isVisible()
    assert screen.name.text() == NAME
    assert screen.cccd.text() == "079305001234"
    assert focused() is screen.name  # where the officer was
    assert window.idle_lock is not None and window.idle_lock.active  # watching again


def test_ctrl_l_locks_at_once(qtbot: Any, locking_window: MainWindow) -> None:
    window = locking_window
    assert window.idle_lock is not None
    qtbot.keyClick(focused(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert window.pages.currentWidget() is window.lock_screen


def test_no_logout_from_the_lock_screen_without_the_password(
    qtbot: Any, locking_window: MainWindow
) -> None:
    window = locking_window
    assert window.idle_lock is not None
    window.lock()
    lock = window.lock_screen
    assert lock is not None
    qtbot.mouseClick(lock.switch_button, Qt.MouseButton.LeftButton)  # no password typed
    assert window.locked and window.officer == OFFICER
    assert lock.error_label.text() == "Nhập mật khẩu của cán bộ đang làm việc để đăng xuất."
    type_text(qtbot, lock.password, "not-the-password")
    qtbot.mouseClick(lock.switch_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.locked and window.officer == OFFICER
    assert lock.error_label.text() == "Mật khẩu không đúng."

    type_text(qtbot, lock.password, PASSWORD)
    qtbot.mouseClick(lock.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.officer is None, timeout=CHECK_MS)
    assert not window.locked
    assert window.intake_screen is None  # the form was empty: nothing to ask
    assert window.pages.currentWidget() is window.login_screen
    assert not window.idle_lock.active


def test_open_receipt_is_hidden_while_locked(qtbot: Any, locking_window: MainWindow) -> None:
    window = locking_window
    assert window.idle_lock is not None
    preview = window.show_receipt(b"%PDF-1.4 not a real one", "000.20.33.H12-261123-1001")
    assert preview.isVisible()
    window.lock()
    assert not preview.isVisible()
    unlock_with(qtbot, window, PASSWORD)
    assert window.preview is preview
    assert preview.isVisible()
    preview.reject()
    wait_idle(qtbot, window)


def test_no_lock_before_login(
    qtbot: Any,
    staffed_ctx: DeskContext,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    window = make_window(qtbot, staffed_ctx, fake_printer, fake_files, idle_timeout_ms=50)
    try:
        qtbot.wait(200)
        assert not window.locked
        assert window.pages.currentWidget() is window.login_screen
    finally:
        window.close()
