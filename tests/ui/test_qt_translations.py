"""Qt's own dialogs and menus speak Vietnamese: the file dialog behind "Lưu PDF…", the
print and preview dialogs, the text fields' context menu and message-box buttons.

Qt ships no Vietnamese catalogue; without ours these show "Look in:", "File name:",
"Undo", "Copy", "Cancel"… to an officer who may read no English.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from tests.ui.english import english, plain, texts_of, vietnamese

__all__ = ["vietnamese"]


class _QtWindows:
    """Qt's own windows as the desk opens them (the printer and the line edit kept alive:
    the dialogs and the menu need them)."""

    def __init__(self, qtbot: Any) -> None:
        file_dialog = QFileDialog(None, "Lưu PDF")
        file_dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        file_dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        file_dialog.setNameFilter("PDF (*.pdf)")
        self.line_edit = QLineEdit()
        qtbot.addWidget(self.line_edit)
        menu: QMenu = self.line_edit.createStandardContextMenu()
        self.printer = QPrinter()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Thoát",
            "Hồ sơ đang nhập dở.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        box.setDetailedText("chi tiết")
        self.windows: list[QWidget] = [
            file_dialog,
            QPrintDialog(self.printer),
            QPrintPreviewDialog(self.printer),
            box,
        ]
        for window in self.windows:
            qtbot.addWidget(window)
            window.show()
        self.windows.append(menu)
        qtbot.wait(50)

    def texts(self) -> set[str]:
        found: set[str] = set()
        for window in self.windows:
            found |= texts_of(window)
        return found


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_qt_dialogs_and_menus_show_no_english(qtbot: Any, vietnamese: list[QTranslator]) -> None:
    assert vietnamese, "the Vietnamese Qt catalogue did not load"
    texts = _QtWindows(qtbot).texts()
    assert {"Tìm trong:", "Hoàn tác", "Hủy"} <= {plain(t) for t in texts}
    assert english(texts) == set()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_without_the_catalogue_the_scan_sees_english(qtbot: Any) -> None:
    # The scan above must be able to fail: with no catalogue, Qt's English shows.
    found = english(_QtWindows(qtbot).texts())
    assert {"Look in:", "Undo", "Cancel"} <= found
