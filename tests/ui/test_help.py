"""Help in the window: F1 opens the guide from any screen, the quick reference is saved
off the GUI thread, the About box names version and schema, and a start that upgraded
the database says so once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desk_app.context import DeskContext
from desk_app.db.migrate import HEAD_REVISION
from tests.ui.intake_fixtures import (
    OFFICER,
    FakeFileGateway,
    FakePrintGateway,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    make_window,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

UPGRADE_FIXTURES = Path(__file__).resolve().parent.parent / "data" / "upgrade"


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
def test_f1_opens_the_guide_while_typing_in_a_field(qtbot: Any, window: MainWindow) -> None:
    log_in_directly(qtbot, window, OFFICER)
    field = focused()  # the procedure search of the intake screen
    qtbot.keyClick(field, Qt.Key.Key_F1)
    dialog = window.help_menu.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert "Tiếp nhận hồ sơ" in dialog.browser.toPlainText()


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
def test_the_quick_reference_is_saved_from_the_guide(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    dialog = window.help_menu.show_guide()
    dialog.setProperty("open_after_save", False)
    target = tmp_path / "tra-cuu.pdf"
    dialog.save_quick_reference(str(target))
    wait_idle(qtbot, window)
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in dialog.status.text()
    dialog.save_quick_reference(str(tmp_path))  # a folder: refused in plain words
    wait_idle(qtbot, window)
    assert dialog.status.text().startswith("Không lưu được")
    assert dialog.quick_button.isEnabled()


@shows_a_window
def test_about_names_version_and_schema(qtbot: Any, window: MainWindow) -> None:
    box = window.help_menu.show_about()
    assert f"Lược đồ cơ sở dữ liệu: {HEAD_REVISION}" in box.text()
    box.close()


@shows_a_window
def test_a_start_that_upgraded_the_database_says_so_once(
    qtbot: Any,
    tmp_path: Path,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    shutil.copyfile(UPGRADE_FIXTURES / "0004" / "desk.sqlite3", tmp_path / "desk.sqlite3")
    ctx = DeskContext.open(tmp_path)
    try:
        main = make_window(qtbot, ctx, fake_printer, fake_files)
        notice = main.upgrade_notice
        assert notice is not None
        assert "0004" in notice.informativeText() and HEAD_REVISION in notice.informativeText()
        assert "pre-upgrade" in notice.informativeText()
        main.close()
    finally:
        ctx.close()
    again = DeskContext.open(tmp_path)
    try:
        main = make_window(qtbot, again, fake_printer, fake_files)
        assert main.upgrade_notice is None
        main.close()
    finally:
        again.close()
