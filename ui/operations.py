"""Background work of the screens, and the one "what changed" signal they refresh from.

Like Anki's task manager, the database work runs on ONE long-lived worker thread:
``Operations.run(fn, on_done, on_error, changes=...)`` queues ``fn`` on it; when ``fn``
returns (or raises), ``on_done`` (or ``on_error``) is called on the GUI thread, where
widgets may be touched. Calls run one after another in the order they were queued, so two
writes never race each other.

Every operation says what it changed (``Changes``). After its ``on_done`` has run,
``changed(changes, initiator)`` is emitted on the GUI thread, and each screen decides
for itself whether that concerns it (as Anki's ``operation_did_execute(changes,
handler)``): the main window wires no screen to another. Changes made elsewhere (the
sync thread pulling other desks' events) are announced with ``report``.

Printing has a lane of its own (the "print thread"): a receipt for the citizen at the
counter must not queue behind a long job on the database thread. What runs there is a
quick read of a stored PDF and painting it on the printer; SQLite in WAL mode lets that
read run beside the database thread's work.

``fn`` must not touch any widget: it calls services and returns plain data.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

T = TypeVar("T")

DATABASE_THREAD = "database thread"
PRINT_THREAD = "print thread"


@dataclass(frozen=True)
class Changes:
    """What an operation changed; screens refresh from this alone."""

    #: a dossier was received or changed here, or pulled from another desk
    dossiers: bool = False
    #: events were recorded here that the district server has not received yet
    outbox: bool = False
    #: the procedure catalogue (what the intake screen offers)
    catalogue: bool = False
    #: the commune profile (unit name, desk number, office hours, idle lock)
    profile: bool = False
    #: the working-day calendar (holidays and make-up days), hence due dates
    calendar: bool = False
    #: officer accounts
    users: bool = False
    #: the commune's lifecycle settings (pause rule, extensions, rating scale, due-soon window)
    settings: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NO_CHANGES = Changes()


@dataclass(frozen=True)
class _Pending:
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None] | None
    changes: Changes
    initiator: object


class _Worker(QObject):
    """Lives on a worker thread; runs what it is given and reports the outcome."""

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


class _Lane(QObject):
    """One worker thread and the object living on it; jobs run in the order queued."""

    submit = Signal(int, object)

    def __init__(self, name: str, parent: QObject) -> None:
        super().__init__(parent)
        self.qthread = QThread()
        self.qthread.setObjectName(name)
        self.worker = _Worker()
        self.worker.moveToThread(self.qthread)
        self.submit.connect(self.worker.execute)
        self.qthread.start()

    def stop(self) -> None:
        self.qthread.quit()
        self.qthread.wait()


class Operations(QObject):
    """Runs service calls off the GUI thread; calls back, and reports changes, on it."""

    #: emitted (on the GUI thread) whenever the number of queued operations changes
    busy_changed = Signal(bool)
    #: ``(Changes, initiator)`` after an operation that changed something succeeded
    changed = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tickets = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._database = _Lane(DATABASE_THREAD, self)
        self._print = _Lane(PRINT_THREAD, self)
        for lane in (self._database, self._print):
            lane.worker.done.connect(self._on_done)
            lane.worker.failed.connect(self._on_failed)
        self._stopped = False

    @property
    def busy(self) -> bool:
        """True while an operation is queued or running (on either thread)."""
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        changes: Changes = NO_CHANGES,
        initiator: object = None,
    ) -> None:
        """Run ``fn()`` on the database thread; then ``on_done(result)`` on this thread,
        and ``changed(changes, initiator)`` when ``changes`` says something changed.

        Without ``on_error`` an exception is printed (it is a bug, not a user's mistake).
        """
        self._queue(self._database, fn, _Pending(on_done, on_error, changes, initiator))

    def run_print(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn()`` on the print thread (never behind the database thread's queue)."""
        self._queue(self._print, fn, _Pending(on_done, on_error, NO_CHANGES, None))

    @property
    def stopped(self) -> bool:
        """The threads are gone (the window closed): a timer firing late does nothing."""
        return self._stopped

    def report(self, changes: Changes, initiator: object = None) -> None:
        """Announce changes made outside these threads (call on the GUI thread)."""
        if changes:
            self.changed.emit(changes, initiator)

    def _queue(self, lane: _Lane, fn: Callable[[], Any], pending: _Pending) -> None:
        if self._stopped:
            raise RuntimeError("the operation threads have been stopped")
        ticket = next(self._tickets)
        self._pending[ticket] = pending
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        lane.submit.emit(ticket, fn)

    def _finish(self, ticket: int) -> _Pending | None:
        pending = self._pending.pop(ticket, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return pending

    @Slot(int, object)
    def _on_done(self, ticket: int, result: object) -> None:
        pending = self._finish(ticket)
        if pending is None:
            return
        try:
            pending.on_done(result)
        finally:
            # Even when the caller's own callback failed, what was stored is stored.
            self.report(pending.changes, pending.initiator)

    @Slot(int, object)
    def _on_failed(self, ticket: int, exc: BaseException) -> None:
        pending = self._finish(ticket)
        if pending is None:
            return
        if pending.on_error is None:
            traceback.print_exception(exc)
        else:
            pending.on_error(exc)

    def shutdown(self) -> None:
        """Let queued work finish, then stop the threads (callbacks not yet run are dropped)."""
        if self._stopped:
            return
        self._stopped = True
        self._print.stop()
        self._database.stop()
        self._pending.clear()
