"""Typing Vietnamese into Qt widgets in tests.

``qtbot.keyClicks`` aborts the whole pytest process on this machine as soon as the text
holds a non-ASCII character (a Qt assertion in ``qasciikey.cpp``), so never use it for
names, addresses or anything a citizen writes. Two ways that work:

* ``type_text``: one ``QKeyEvent`` per character, with ``Qt.Key_unknown`` and the
  character as the event's text — what a keyboard layout that has the letter sends.
* ``commit_text``: a ``QInputMethodEvent`` — what a Vietnamese input method (Unikey,
  ibus-bamboo, fcitx-unikey) sends: a pre-edit string while composing, then the commit.

Both deliver the events straight to the editing widget with ``QApplication.sendEvent``,
so they need neither a visible window nor keyboard focus.

Item views: an item delegate commits a cell editor's text on Return through a *queued*
call, so after ``qtbot.keyClick(editor, Qt.Key.Key_Return)`` wait (``qtbot.waitUntil``)
before reading the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

__all__ = ["commit_text", "type_text"]

# Characters that are keys rather than text.
_SPECIAL_KEYS = {
    "\n": (Qt.Key.Key_Return, "\r"),
    "\r": (Qt.Key.Key_Return, "\r"),
    "\t": (Qt.Key.Key_Tab, "\t"),
}


def _editor(widget: QWidget) -> QWidget:
    """The widget that really edits text.

    The line edit inside a combo or spin box; for an item view (table, list, tree) with
    a cell editor open, that editor. An item view without an open editor gets the
    events itself (with the ``AnyKeyPressed`` trigger, the first key opens the editor).
    """
    if isinstance(widget, QAbstractItemView):
        focus = QApplication.focusWidget()
        if focus is not None and widget.viewport().isAncestorOf(focus):
            return _editor(focus)
        return widget
    if isinstance(widget, QComboBox):
        line_edit = widget.lineEdit()
        if line_edit is None:
            raise TypeError("a non-editable QComboBox takes no typed text")
        return line_edit
    if isinstance(widget, QAbstractSpinBox):
        line_edit = widget.findChild(QWidget, "qt_spinbox_lineedit")
        if line_edit is not None:
            return line_edit
    return widget


def _process(qtbot: Any) -> None:
    # Let queued work (validators, completers, textChanged handlers) run.
    qtbot.wait(0)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget`` one key event per character.

    Works for any character, Vietnamese included: each is sent as a key press and
    release with ``Qt.Key_unknown`` and the character as the event text. A newline is
    sent as the Return key, a tab as the Tab key. ``text`` is sent as given: pass NFC
    (what Vietnamese keyboards produce) unless the test is about decomposed input.
    """
    target = _editor(widget)
    for ch in text:
        key, key_text = _SPECIAL_KEYS.get(ch, (Qt.Key.Key_unknown, ch))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, key_text)
            QApplication.sendEvent(target, event)
    _process(qtbot)


def commit_text(qtbot: Any, widget: QWidget, text: str, *, preedit: bool = True) -> None:
    """Enter ``text`` into ``widget`` the way an input method does.

    With ``preedit`` (the default) the text is first shown as a pre-edit (the
    underlined, still-composing word of Telex/VNI typing) and then committed, which is
    the sequence an IME produces; without it, only the commit is sent.
    """
    target = _editor(widget)
    if preedit:
        composing = QInputMethodEvent(text, [])
        QApplication.sendEvent(target, composing)
    commit = QInputMethodEvent()
    commit.setCommitString(text)
    QApplication.sendEvent(target, commit)
    _process(qtbot)
