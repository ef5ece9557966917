"""After an administrator reset a password, the officer's next login asks for a new one
before any screen opens; the temporary password is then useless."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desk_app.auth import AuthError
from desk_app.context import DeskContext
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    ADMIN,
    OFFICER,
    fake_files,
    fake_printer,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.test_login import log_in
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window


def test_a_reset_password_must_be_replaced_at_login(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    temporary = staffed_ctx.accounts.reset_password(OFFICER.username, ADMIN)
    screen = window.login_screen
    assert screen is not None
    log_in(qtbot, window, OFFICER.username, temporary)
    qtbot.waitUntil(screen.change_box.isVisible, timeout=30_000)
    assert window.officer is None and window.tabs is None  # no session yet
    type_text(qtbot, screen.new_password, "mat-khau-rieng-1")
    type_text(qtbot, screen.repeat_password, "mat-khau-khac-2")
    screen.submit_new_password()
    assert "không khớp" in screen.error_label.text()
    screen.repeat_password.clear()
    type_text(qtbot, screen.repeat_password, "mat-khau-rieng-1")
    with qtbot.waitSignal(window.logged_in, timeout=30_000):
        qtbot.keyClick(screen.repeat_password, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert window.officer == OFFICER
    assert not staffed_ctx.accounts.must_change_password(OFFICER.username)
    with pytest.raises(AuthError):
        staffed_ctx.users.authenticate(OFFICER.username, temporary)
