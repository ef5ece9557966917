"""No English in any window the app opens: every tab of every role, the login and lock
screens, the help, the About box and the upgrade notice, with the app's catalogue loaded
as at start. The scan is the one that finds Qt's English without the catalogue
(``test_qt_translations``)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from desk_app.auth import Officer
from tests.ui.english import english, texts_of, vietnamese
from tests.ui.intake_fixtures import (
    ADMIN,
    CHAIR,
    OFFICER,
    fake_files,
    fake_printer,
    log_in_directly,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "vietnamese", "window"]


def _shown_texts() -> set[str]:
    found: set[str] = set()
    for top in QApplication.topLevelWidgets():
        if isinstance(top, QWidget) and top.isVisible():
            found |= texts_of(top)
    return found


@shows_a_window
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
@pytest.mark.parametrize("officer", [ADMIN, OFFICER, CHAIR], ids=lambda o: o.role.value)
def test_every_tab_of_every_role_speaks_vietnamese(
    qtbot: Any, window: MainWindow, officer: Officer, vietnamese: list[QTranslator]
) -> None:
    seen = _shown_texts()  # the login screen
    log_in_directly(qtbot, window, officer)
    tabs = window.tabs
    assert tabs is not None
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        wait_idle(qtbot, window)
        seen |= _shown_texts()
    guide = window.help_menu.show_guide()
    about = window.help_menu.show_about()
    qtbot.waitUntil(about.isVisible)
    seen |= _shown_texts()
    about.close()
    guide.close()
    window.lock()
    seen |= _shown_texts()
    assert "Hướng dẫn sử dụng" in seen
    assert english(seen) == set()
