"""A locked-out account: the login and the idle lock show the core's message with the
wait, not "wrong password"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desk_app.auth import AuthError
from desk_app.context import DeskContext
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    OFFICER,
    PASSWORD,
    fake_files,
    fake_printer,
    log_in_directly,
    make_window,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    window,
)
from tests.ui.test_login import LOGIN_MS, log_in
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window


def lock_out(ctx: DeskContext, username: str) -> None:
    for _ in range(5):
        with pytest.raises(AuthError):
            ctx.users.authenticate(username, "sai-mat-khau")


def test_the_login_shows_the_wait_of_a_locked_account(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    lock_out(staffed_ctx, OFFICER.username)
    screen = window.login_screen
    assert screen is not None
    log_in(qtbot, window, OFFICER.username, PASSWORD)  # the right password, still waits
    qtbot.waitUntil(lambda: not screen.error_label.isHidden(), timeout=LOGIN_MS)
    text = screen.error_label.text()
    assert text.startswith("Đã nhập sai mật khẩu quá nhiều lần.")
    assert "30 giây" in text
    assert window.officer is None


def test_the_idle_lock_shows_the_wait_of_a_locked_account(
    qtbot: Any, staffed_ctx: DeskContext, fake_printer: Any, fake_files: Any
) -> None:
    main = make_window(qtbot, staffed_ctx, fake_printer, fake_files, idle_timeout_ms=60_000)
    try:
        log_in_directly(qtbot, main, OFFICER)
        main.lock()
        lock = main.lock_screen
        assert lock is not None
        lock_out(staffed_ctx, OFFICER.username)  # e.g. someone guessing at the locked screen
        lock.password.setFocus()
        type_text(qtbot, lock.password, PASSWORD)
        qtbot.keyClick(lock.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not main.ops.busy, timeout=LOGIN_MS)
        assert main.locked
        assert lock.error_label.text().startswith("Đã nhập sai mật khẩu quá nhiều lần.")
        assert lock.password.text() == ""
    finally:
        main.close()
