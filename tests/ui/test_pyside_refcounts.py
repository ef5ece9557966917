"""The installed PySide6 must not drop references to None/True (PySide6 6.12 does on
CPython 3.11, and the interpreter aborts after some thousands of calls — an hour or two at
the desk). pyproject.toml picks a PySide6 without the fault for each Python; this test
keeps an upgrade from bringing it back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(bool)


def test_qt_calls_keep_none_and_true_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    seen: list[bool] = []
    emitter.fired.connect(seen.append)
    calls = 500  # few enough that a faulty binding fails here instead of aborting
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(calls):
        label.setText("Nguyễn Thị Ánh Tuyết")
        label.hide()
        emitter.fired.emit(True)
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - (sys.getrefcount(True) - len(seen))
    # A healthy binding loses nothing (a few references may move elsewhere meanwhile).
    assert lost_none < calls // 10, f"{lost_none} references to None lost in {calls} calls"
    assert lost_true < calls // 10, f"{lost_true} references to True lost in {calls} calls"
