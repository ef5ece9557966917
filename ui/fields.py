"""Small pieces shared by the forms: "touched" tracking and the message under a field.

A form must not nag: a field's "required" message appears only once the officer has
left that field (or tried to save), but the Save button stays disabled meanwhile.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui.style import ERROR_COLOR, WARNING_COLOR, set_text_color

# Focus lost to a pop-up (a combo list) or another window is not "leaving the field".
_IGNORED_REASONS = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


class TouchTracker(QObject):
    """Remembers which fields the officer has left at least once."""

    touched = Signal(QWidget)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watched: set[QWidget] = set()
        self._touched: set[QWidget] = set()
        self._all = False

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self._watched.add(widget)
            widget.installEventFilter(self)

    def is_touched(self, widget: QWidget) -> bool:
        return self._all or widget in self._touched

    def touch(self, widget: QWidget) -> None:
        self._touched.add(widget)
        self.touched.emit(widget)

    def touch_all(self) -> None:
        """After a save attempt every message is shown."""
        self._all = True

    def reset(self) -> None:
        self._touched.clear()
        self._all = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and event.reason() not in _IGNORED_REASONS
            and isinstance(watched, QWidget)
            and watched in self._watched
        ):
            self.touch(watched)
        return False


class FieldMessage(QLabel):
    """The red (error) or amber (warning) line under a field; hidden when there is none."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.level = ""
        self.hide()

    def show_error(self, message: str) -> None:
        self._set(message, "error", ERROR_COLOR)

    def show_warning(self, message: str) -> None:
        self._set(message, "warning", WARNING_COLOR)

    def clear_message(self) -> None:
        self.level = ""
        self.setText("")
        self.hide()

    def _set(self, message: str, level: str, color: str) -> None:
        self.level = level
        if self.text() != message:
            self.setText(message)
        set_text_color(self, color)
        self.show()

    @property
    def color(self) -> str:
        """The text colour now, as ``#rrggbb``."""
        return self.palette().color(QPalette.ColorRole.WindowText).name()


_DATE_SPLIT = re.compile(r"[/.\-\s]+")


def parse_vn_date(text: str) -> dt.date | None:
    """``04/03/2005``, ``4/3/2005``, ``04-03-2005`` or ``04032005`` → a date; None if empty.

    Raises ``ValueError`` for anything else (the caller shows the message).
    """
    text = text.strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        parts = _DATE_SPLIT.split(text)
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(text)
        day, month, year = (int(p) for p in parts)
    return dt.date(year, month, day)


def format_vn_date_short(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


class EnterMovesOn(QObject):
    """Return in a one-line field moves to the next field, as Tab does."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and isinstance(watched, QWidget)
        ):
            watched.focusNextChild()
            return True
        return False
