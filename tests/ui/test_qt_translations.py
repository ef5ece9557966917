"""Qt's own dialogs and menus speak Vietnamese: the file dialog behind "Lưu PDF…", the
print and preview dialogs, the text fields' context menu and message-box buttons.

Qt ships no Vietnamese catalogue; without ours these show "Look in:", "File name:",
"Undo", "Copy", "Cancel"… to an officer who may read no English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from ui.app import install_translations

# Qt's English defaults an officer would otherwise meet in these windows.
ENGLISH_DEFAULTS = {
    "Look in:", "File name:", "Files of type:", "Save", "&Save", "Cancel", "Open",
    "Back", "Forward", "Parent Directory", "Create New Folder", "List View", "Detail View",
    "Name", "Size", "Type", "Date Modified", "&Undo", "&Redo", "Cu&t", "&Copy", "&Paste",
    "Delete", "Select All", "Insert Unicode control character", "&Print", "Print",
    "&Options >>", "Copies:", "Print range", "Print all", "Pages from", "Collate",
    "Properties", "P&roperties", "Printer", "Location:", "Type:", "Output &file:",
    "Print Preview", "Next page", "Previous page", "Zoom in", "Zoom out", "Fit width",
    "Fit page", "Portrait", "Landscape", "Page setup", "Discard", "Show Details...", "OK",
    "&OK", "&Name:", "Orientation", "Margins", "Page size:",
}  # fmt: skip
# Text the officer typed or the system named, not Qt's words.
_NOT_QT = re.compile(r"^(/|PDF \(|\d)")


def _texts(widget: QWidget) -> set[str]:
    found: set[str] = set()
    for child in [widget, *widget.findChildren(QWidget)]:
        for attr in ("text", "toolTip", "windowTitle", "placeholderText", "title"):
            getter = getattr(child, attr, None)
            if not callable(getter):
                continue
            try:
                value = getter()
            except TypeError:
                continue
            if isinstance(value, str) and value:
                found.add(value)
        for action in child.actions():
            found.update(t for t in (action.text(), action.toolTip()) if t)
            if action.menu() is not None:
                found |= _texts(action.menu())
        if isinstance(child, QComboBox):
            found.update(child.itemText(i) for i in range(child.count()))
        if isinstance(child, QHeaderView) and child.model() is not None:
            model = child.model()
            found.update(
                str(model.headerData(i, child.orientation())) for i in range(model.columnCount())
            )
    return found


def _plain(text: str) -> str:
    """Without the accelerator mark and the shortcut a menu shows after a tab."""
    return text.split("\t", 1)[0].replace("&", "")


def _english(texts: set[str]) -> set[str]:
    defaults = {_plain(t) for t in ENGLISH_DEFAULTS}
    return {_plain(t) for t in texts if not _NOT_QT.match(t) and _plain(t) in defaults}


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    installed = install_translations(qapp)
    yield installed
    for translator in installed:
        QCoreApplication.removeTranslator(translator)


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
            found |= _texts(window)
        return found


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_qt_dialogs_and_menus_show_no_english(qtbot: Any, vietnamese: list[QTranslator]) -> None:
    assert vietnamese, "the Vietnamese Qt catalogue did not load"
    texts = _QtWindows(qtbot).texts()
    assert {"Tìm trong:", "Hoàn tác", "Hủy"} <= {_plain(t) for t in texts}
    assert _english(texts) == set()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_without_the_catalogue_the_scan_sees_english(qtbot: Any) -> None:
    # The scan above must be able to fail: with no catalogue, Qt's English shows.
    found = _english(_QtWindows(qtbot).texts())
    assert {"Look in:", "Undo", "Cancel"} <= found
