"""A locked-out account: the login and the idle lock show the core's message with the
wait, not "wrong password"."""

from __future__ import annotations

from typing import Any

import pytest

from desk_app.auth import AuthError
from desk_app.context import DeskContext
from tests.ui.intake_fixtures import (
    OFFICER,
    PASSWORD,
    fake_files,
    fake_printer,
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
