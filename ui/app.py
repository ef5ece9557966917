"""The one composition root: builds the core services and hands them to the windows.

``run(data_dir)`` is what ``desk-app`` (no command) calls through the ``desk_app.gui``
entry point. The main window is shown first; the database (SQLAlchemy alone takes longer
to import than a bare Qt window takes to appear) is opened on a worker thread while the
window shows its progress, then the services are handed to the window
(``MainWindow.attach``), which builds the screens and gives each the services it uses.

The window owns the one "database thread" (``ui.operations.Operations``) on which every
service call of the screens runs, and the "print thread" beside it; both stop when the
window closes.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QThread, QTimer, QTranslator, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

from desk_app.paths import resource_path
from ui.main_window import MainWindow

if TYPE_CHECKING:
    from desk_app.context import DeskContext

log = logging.getLogger(__name__)

# Set by the benchmark: print when the window is shown / ready, then quit at "ready".
STARTUP_PROBE_ENV = "DESK_APP_STARTUP_PROBE"


def _load_fonts() -> None:
    families = []
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            # The window still opens, in a system font that may lack Vietnamese marks.
            log.warning("font not loaded: %s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        QGuiApplication.setFont(font)


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own strings in Vietnamese, then the app's strings for the system language.

    Qt ships no Vietnamese catalogue, so the file and print dialogs, context menus and
    button boxes would speak English; ``qt_vi`` (ours) covers what the desk shows. The app
    itself is written in Vietnamese; other languages come as ``desk_app_*.qm`` files.
    """
    folder = str(resource_path("translations"))
    installed = []
    qt_vi = QTranslator(app)
    if qt_vi.load("qt_vi", folder):
        app.installTranslator(qt_vi)
        installed.append(qt_vi)
    translator = QTranslator(app)
    if translator.load(QLocale(), "desk_app", "_", folder):
        app.installTranslator(translator)
        installed.append(translator)
    return installed


def build_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setApplicationName("desk-app")
    QCoreApplication.setOrganizationName("desk-app")
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName(QCoreApplication.translate("app", "Một cửa"))
    _load_fonts()
    install_translations(app)
    return app


class DatabaseOpener(QObject):
    """Opens the desk database on a worker thread; reports back on the GUI thread."""

    opened = Signal(object)
    #: a ``desk_app.recovery.OpenFailure``: what to say, and whether a backup can help
    failed = Signal(object)

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self._data_dir = data_dir

    def open(self) -> None:
        try:
            from desk_app.context import DeskContext

            ctx = DeskContext.open(self._data_dir)
        except Exception as exc:
            from desk_app.recovery import describe_open_failure

            # Never the exception's own text: a bug's may quote a statement's data.
            log.error("the database did not open: %s", type(exc).__name__)
            self.failed.emit(describe_open_failure(self._data_dir, exc))
        else:
            self.opened.emit(ctx)
        # The work is done: end this thread's loop from the thread itself. Asked through a
        # queued slot instead, the quit would wait for the GUI thread's event loop, and a
        # GUI thread already waiting for this thread to finish would wait for ever.
        thread = QThread.currentThread()
        if thread is not QCoreApplication.instance().thread():  # type: ignore[union-attr]
            thread.quit()


class _OpenerThread(QThread):
    """A worker thread that owns (keeps alive) the opener living on it."""

    opener: DatabaseOpener


def open_in_background(window: MainWindow, data_dir: Path) -> QThread:
    """Start opening ``data_dir``; the window gets the context (or the error) when done."""
    thread = _OpenerThread(window)
    opener = DatabaseOpener(data_dir)
    # moveToThread keeps no Python reference: without this the opener is collected.
    thread.opener = opener
    opener.moveToThread(thread)
    thread.started.connect(opener.open)
    opener.opened.connect(window.attach)
    opener.failed.connect(window.show_open_error)
    thread.finished.connect(opener.deleteLater)
    window.destroyed.connect(thread.quit)
    thread.start()
    return thread


def run(data_dir: Path) -> int:
    """Open the desk window on the database in ``data_dir``; returns the exit status."""
    started = time.perf_counter()
    app = build_application()
    window = MainWindow()
    # A reception PC's screen is small (often 1366×768): use all of it.
    window.showMaximized()
    probe = bool(os.environ.get(STARTUP_PROBE_ENV))
    if probe:
        QTimer.singleShot(
            0, lambda: print(f"shown {time.perf_counter() - started:.4f}", flush=True)
        )
        window.ready.connect(lambda: _probe_ready(app, started))
    thread = open_in_background(window, data_dir)
    try:
        return app.exec()
    finally:
        thread.quit()
        thread.wait()
        ctx: DeskContext | None = window.context
        window.close()
        if ctx is not None:
            ctx.close()


def _probe_ready(app: QApplication, started: float) -> None:
    print(f"ready {time.perf_counter() - started:.4f}", flush=True)
    QTimer.singleShot(0, app.quit)


def main() -> int:
    from desk_app.config import resolve_data_dir

    return run(resolve_data_dir(None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
