"""The barcode scanner: a USB scanner "types" the receipt's dossier code and Enter as a
burst of keystrokes a few milliseconds apart. Wherever the cursor is, that burst must
open the dossier and never land in a text field.

``ScanFilter`` is an application-wide event filter. A plain printable ASCII key press is
held back (not delivered) while more follow within ``MAX_GAP_MS`` of each other; then:

* Enter arrives and what was held is a whole code of the desk's pattern
  (``desk_app.search.code_regex``): nothing is typed, ``scanned(code)`` is emitted —
  or, while the desk is locked or nobody is logged in, ``dropped(code)``: a scan is
  never typed into the password field, and never opens anything;
* anything else (a pause, another key, a click, Enter after a non-code): the held keys
  are replayed, in order, to the widget that had the focus, and the event goes on.

Someone typing sees each character after at most ``MAX_GAP_MS``; Vietnamese letters
(non-ASCII text or input-method events) and characters sent without a key code are never
held.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

__all__ = ["MAX_GAP_MS", "ScanFilter"]

#: the longest pause between two keystrokes of one scan (scanners: 1–15 ms; people: 80+)
MAX_GAP_MS = 40
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier,
          Qt.KeyboardModifier.KeypadModifier)  # fmt: skip
_FLUSHING_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.InputMethod,
        QEvent.Type.Wheel,
    }
)


@dataclass(frozen=True)
class _Key:
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class ScanFilter(QObject):
    """Tells a scanner's burst from typing, application-wide (see the module)."""

    #: a scanned dossier code, while active
    scanned = Signal(str)
    #: a scanned code while locked or logged out: discarded, typed nowhere
    dropped = Signal(str)

    def __init__(self, parent: QObject | None = None, max_gap_ms: int = MAX_GAP_MS) -> None:
        super().__init__(parent)
        self._regex: re.Pattern[str] | None = None
        self._active = False
        self._held: list[_Key] = []
        self._target: QWidget | None = None
        self._last = 0.0
        self._gap = max_gap_ms / 1000
        self._replaying = False
        self._installed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max_gap_ms)
        self._timer.timeout.connect(self.flush)

    # -- set-up

    def set_pattern(self, regex: re.Pattern[str] | None) -> None:
        """What a whole code looks like (``None``: no desk profile yet, nothing is held)."""
        self._regex = regex

    def set_active(self, active: bool) -> None:
        """Active: a scan opens its dossier. Inactive (locked, logged out): it is dropped."""
        self._active = active

    @property
    def active(self) -> bool:
        return self._active

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        self.flush()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    # -- the filter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or self._regex is None:
            return False
        kind = event.type()
        if kind in _FLUSHING_EVENTS:
            self.flush()
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not isinstance(watched, QWidget | QWindow) or not isinstance(event, QKeyEvent):
            return False
        if kind == QEvent.Type.KeyRelease:
            # The release of a held key: held with it (replayed as a press and release).
            return bool(self._held) and self._plain(event)
        now = time.monotonic()
        if self._held and now - self._last > self._gap:
            self.flush()  # a pause: what was held was typed, not scanned
        if event.key() in _ENTER and self._held:
            code = "".join(k.text for k in self._held)
            if self._regex.fullmatch(code):
                self._held.clear()
                self._timer.stop()
                self._target = None
                (self.scanned if self._active else self.dropped).emit(code)
                return True
            self.flush()
            return False
        if not self._plain(event):
            self.flush()
            return False
        if not self._held:
            # A widget gets its keys back; a window passes them to its focus widget.
            self._target = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
        self._held.append(_Key(event.key(), event.modifiers(), event.text()))
        self._last = now
        self._timer.start()
        return True

    @staticmethod
    def _plain(event: QKeyEvent) -> bool:
        text = event.text()
        # A scanner presses real keys of a US layout: a character without its key
        # (Qt.Key_unknown: a composed letter, a test typing text) is never held.
        return (
            event.key() != Qt.Key.Key_unknown
            and len(text) == 1
            and "!" <= text <= "~"
            and event.modifiers() in _PLAIN
            and not event.isAutoRepeat()
        )

    def flush(self) -> None:
        """Deliver what is held, in order, to the widget that had the focus."""
        self._timer.stop()
        held, self._held = self._held, []
        target, self._target = self._target, None
        if not held:
            return
        if target is None or not isValid(target):
            target = QApplication.focusWidget()
        if target is None:
            return
        self._replaying = True
        try:
            for k in held:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(kind, k.key, k.modifiers, k.text))
        finally:
            self._replaying = False
