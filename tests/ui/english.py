"""Finding English in windows: Qt's English defaults an officer would otherwise meet, and
a walk over a widget tree collecting every text it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QComboBox, QHeaderView, QWidget

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
# The app's own words, had a string been left in English (whole texts only).
APP_ENGLISH = {
    "Error", "Warning", "Search", "Status", "Date", "Close", "Yes", "No", "Apply", "Reset",
    "Help", "Settings", "Loading...", "Refresh", "Submit", "Edit", "Add", "Remove", "Login",
    "Log in", "Logout", "Log out", "Password", "Username", "User name", "Code", "Due date",
    "Received", "Returned", "Report", "Export", "About", "Quit", "Exit", "File", "Lock",
}  # fmt: skip
# Text the officer typed or the system named, not Qt's words.
_NOT_QT = re.compile(r"^(/|PDF \(|\d)")


def texts_of(widget: QWidget) -> set[str]:
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
                found |= texts_of(action.menu())
        if isinstance(child, QComboBox):
            found.update(child.itemText(i) for i in range(child.count()))
        if isinstance(child, QHeaderView) and child.model() is not None:
            model = child.model()
            found.update(
                str(model.headerData(i, child.orientation())) for i in range(model.columnCount())
            )
    return found


def plain(text: str) -> str:
    """Without the accelerator mark and the shortcut a menu shows after a tab."""
    return text.split("\t", 1)[0].replace("&", "")


def english(texts: set[str]) -> set[str]:
    defaults = {plain(t) for t in ENGLISH_DEFAULTS | APP_ENGLISH}
    return {plain(t) for t in texts if not _NOT_QT.match(t) and plain(t) in defaults}


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    installed = install_translations(qapp)
    yield installed
    for translator in installed:
        QCoreApplication.removeTranslator(translator)
