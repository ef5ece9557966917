"""The database thread: every slow service call runs here, results come back to the GUI.

Like Anki's task manager, there is ONE long-lived worker thread. ``Operations.run(fn,
on_done, on_error)`` queues ``fn`` on it; when ``fn`` returns (or raises), ``on_done``
(or ``on_error``) is called on the GUI thread, where widgets may be touched. Calls run
one after another in the order they were queued, so two writes never race each other.

``fn`` must not touch any widget: it calls services and returns plain data.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

T = TypeVar("T")


@dataclass(frozen=True)
class _Callbacks:
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None] | None


class _Worker(QObject):
    """Lives on the database thread; runs what it is given and reports the outcome."""

    done = Signal(int, object)
    failed = Signal(int, object)

    @Slot(int, object)
    def execute(self, ticket: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except Exception as exc:
            self.failed.emit(ticket, exc)
            return
        self.done.emit(ticket, result)


class Operations(QObject):
    """Runs service calls on the single database thread; call back on the GUI thread."""

    _submit = Signal(int, object)
    #: emitted (on the GUI thread) whenever the number of queued operations changes
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tickets = itertools.count(1)
        self._pending: dict[int, _Callbacks] = {}
        self._thread = QThread()
        self._thread.setObjectName("database thread")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.execute)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self._stopped = False

    @property
    def busy(self) -> bool:
        """True while an operation is queued or running."""
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn()`` on the database thread; then ``on_done(result)`` on this thread.

        Without ``on_error`` an exception is printed (it is a bug, not a user's mistake).
        """
        if self._stopped:
            raise RuntimeError("the database thread has been stopped")
        ticket = next(self._tickets)
        self._pending[ticket] = _Callbacks(on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(ticket, fn)

    def _finish(self, ticket: int) -> _Callbacks | None:
        callbacks = self._pending.pop(ticket, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_done(self, ticket: int, result: object) -> None:
        callbacks = self._finish(ticket)
        if callbacks is not None:
            callbacks.on_done(result)

    @Slot(int, object)
    def _on_failed(self, ticket: int, exc: BaseException) -> None:
        callbacks = self._finish(ticket)
        if callbacks is None:
            return
        if callbacks.on_error is None:
            traceback.print_exception(exc)
        else:
            callbacks.on_error(exc)

    def shutdown(self) -> None:
        """Let queued work finish, then stop the thread (callbacks not yet run are dropped)."""
        if self._stopped:
            return
        self._stopped = True
        self._thread.quit()
        self._thread.wait()
        self._pending.clear()
