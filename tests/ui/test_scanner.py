"""The barcode scanner: a burst of fast key events ending in Enter that spells a dossier
code opens the dossier from anywhere and never lands in a text field — but not while the
desk is locked or nobody is logged in. Typing (slow keys, Vietnamese letters, a burst that
is no code) reaches the field as typed.

Keys are sent as real key events (``qtbot.keyClick``/``keyClicks``, ASCII only: see
``tests/helpers/typing.py`` for why never a non-ASCII character that way).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from desk_app.context import DeskContext
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    OFFICER,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.search_fixtures import SEARCH_MS, shows_dossiers, two
from ui import scanner as scanner_module
from ui.main_window import MainWindow
from ui.scanner import MAX_GAP_MS

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "two", "window"]

pytestmark = shows_dossiers


def name_field(qtbot: Any, window: MainWindow) -> QLineEdit:
    """Logged in as the officer, the cursor in the intake form's name field."""
    log_in_directly(qtbot, window, OFFICER)
    field = window.findChild(QLineEdit, "applicantName")
    assert field is not None
    field.setFocus()
    qtbot.waitUntil(lambda: focused() is field, timeout=30_000)
    return field


class KeysSeen(QObject):
    """The key presses a widget receives, in order."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.texts: list[str] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            self.texts.append(event.text())
        return False


class _Instant:
    """The scanner's view of time during a synthetic burst: one instant."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


def scan(qtbot: Any, text: str) -> None:
    """What a USB scanner sends: the characters, then Enter, microseconds apart.

    The scanner filter sees the whole burst at one instant of its clock: the OS stamps a
    real scanner's keys within milliseconds, while a loaded machine (or a garbage
    collection late in a long test run) can pause this synthetic burst longer than the
    scanner's gap, and it would then look like typing. Its flush timer cannot fire in
    the middle: the keys are delivered without running the event loop."""
    target = focused()
    real_time = scanner_module.time
    scanner_module.time = _Instant()  # type: ignore[assignment]
    try:
        qtbot.keyClicks(target, text)
        qtbot.keyClick(target, Qt.Key.Key_Return)
    finally:
        scanner_module.time = real_time


def test_a_scan_in_the_name_field_opens_the_dossier_and_types_nothing(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    field = name_field(qtbot, window)
    type_text(qtbot, field, "Nguyễn ")
    with qtbot.waitSignal(window.dossier_opened, timeout=30_000) as opened:
        scan(qtbot, two[1])
    assert field.text() == "Nguyễn "
    view = opened.args[0]
    qtbot.waitUntil(lambda: view.details is not None, timeout=SEARCH_MS)
    assert view.details.dossier.code == two[1]
    assert view.isVisible()


def test_a_scan_in_lower_case_opens_the_dossier_too(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    name_field(qtbot, window)
    with qtbot.waitSignal(window.dossier_opened, timeout=30_000) as opened:
        scan(qtbot, two[0].lower())
    view = opened.args[0]
    qtbot.waitUntil(lambda: view.details is not None, timeout=SEARCH_MS)
    assert view.details.dossier.code == two[0]


def test_a_fast_burst_that_is_no_code_is_typed_with_its_enter(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    field = name_field(qtbot, window)
    keys = KeysSeen(field)
    scan(qtbot, "Abc-261123-1001")  # not this desk's agency code
    assert field.text() == "Abc-261123-1001"
    assert keys.texts == [*"Abc-261123-1001", "\r"]
    assert window.dossier_view is None


def test_fast_letters_without_enter_arrive_after_the_pause(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    field = name_field(qtbot, window)
    qtbot.keyClicks(field, "Tam")
    qtbot.waitUntil(lambda: field.text() == "Tam", timeout=30_000)
    assert window.dossier_view is None


def test_a_code_typed_by_hand_lands_in_the_field(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    field = name_field(qtbot, window)
    tail = two[0][-11:]  # "261123-1001": a person types slower than a scanner
    for ch in tail:
        qtbot.keyClicks(field, ch)
        qtbot.wait(MAX_GAP_MS + 30)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == tail
    assert window.dossier_view is None


def test_while_locked_a_scan_opens_nothing_and_is_no_password(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    name_field(qtbot, window)
    window.lock()
    lock = window.lock_screen
    assert lock is not None and window.scanner is not None
    qtbot.waitUntil(lambda: focused() is lock.password, timeout=30_000)
    with qtbot.waitSignal(window.scanner.dropped, timeout=30_000):
        scan(qtbot, two[0])
    wait_idle(qtbot, window)
    assert lock.password.text() == ""
    assert lock.error_label.isHidden()  # no password was checked, none counted wrong
    assert window.dossier_view is None
    assert window.locked


def test_logged_out_a_scan_opens_nothing_and_is_no_user_name(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    name_field(qtbot, window)
    window.logout()
    login = window.login_screen
    assert login is not None and window.scanner is not None
    login.username.setFocus()
    qtbot.waitUntil(lambda: focused() is login.username, timeout=30_000)
    with qtbot.waitSignal(window.scanner.dropped, timeout=30_000):
        scan(qtbot, two[0])
    assert login.username.text() == ""
    assert window.dossier_view is None
    # typing still works there
    qtbot.keyClicks(login.username, "canbo")
    qtbot.keyClick(login.username, Qt.Key.Key_Tab)
    assert login.username.text() == "canbo"
