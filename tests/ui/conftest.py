"""Fixtures of the widget tests: the main window opened the way ``ui.app.run`` does it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThread

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
