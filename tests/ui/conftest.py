"""Fixtures of the widget tests: the main window opened the way ``ui.app.run`` does it,
and the guard that no SQL statement runs on the GUI thread on behalf of the UI."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThread
from sqlalchemy import Engine, event

from ui.app import open_in_background
from ui.main_window import MainWindow

THREAD_WAIT_MS = 15_000


@dataclass
class WindowOpener:
    """Builds main windows and opens data folders in the background, like ``run``.

    Teardown waits for every opener thread and closes every context handed to a window,
    so no test leaves a running QThread (Qt aborts on one) or an open database behind.
    """

    qtbot: Any
    windows: list[MainWindow] = field(default_factory=list)
    threads: list[QThread] = field(default_factory=list)

    def window(self, *, show: bool = True) -> MainWindow:
        window = MainWindow()
        self.qtbot.addWidget(window)
        if show:
            window.show()
        self.windows.append(window)
        return window

    def open(self, window: MainWindow, folder: Path) -> QThread:
        thread = open_in_background(window, folder)
        self.threads.append(thread)
        return thread

    def close(self) -> None:
        # Closing the window stops its database-operations thread (closeEvent); then the
        # opener threads; the database is closed last, when nothing can use it any more.
        for window in self.windows:
            window.close()
        for thread in self.threads:
            thread.quit()
            assert thread.wait(THREAD_WAIT_MS), "the database opener thread did not stop"
        for window in self.windows:
            if window.context is not None:
                window.context.close()
                window.context = None


@pytest.fixture
def window_opener(qtbot: Any) -> Iterator[WindowOpener]:
    opener = WindowOpener(qtbot)
    yield opener
    opener.close()


# ------------------------------------------------------------------ no SQL on the GUI thread


def _ui_frame() -> str | None:
    """The innermost frame of the ``ui`` package on the current stack, as "module:line"."""
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module == "ui" or module.startswith("ui."):
            return f"{module}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back
    return None


@dataclass
class GuiThreadQueries:
    """Every SQL statement run on the GUI thread for the UI: from a ``ui`` module's code,
    or from anything the GUI thread's event loop dispatched (a signal connected straight
    to a service). The test's own reads and its fixtures' set-up are not the UI's."""

    flagged: list[str] = field(default_factory=list)

    def __call__(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        where = _ui_frame()
        if where is None and QThread.currentThread().loopLevel() > 0:
            where = "the GUI thread's event loop"
        if where is not None:
            self.flagged.append(f"{' '.join(statement.split())[:80]} — from {where}")


@pytest.fixture(autouse=True)
def gui_thread_queries() -> Iterator[GuiThreadQueries]:
    """Fails the test when the UI ran a statement on the GUI thread (it must freeze no
    keystroke: every query belongs on the database or print thread)."""
    detector = GuiThreadQueries()
    event.listen(Engine, "before_cursor_execute", detector)
    try:
        yield detector
    finally:
        event.remove(Engine, "before_cursor_execute", detector)
    if detector.flagged:
        pytest.fail(
            "SQL ran on the GUI thread:\n" + "\n".join(dict.fromkeys(detector.flagged)),
            pytrace=False,
        )
