"""The background sync of the desk (đồng bộ với máy chủ huyện), on its own thread.

``SyncWorker`` lives on a dedicated ``QThread`` ("sync thread") — neither the GUI thread
nor the database thread of ``ui.operations`` — and runs one loop there:

* not enrolled: report it and look again every ``idle_check_s`` (60 s);
* enrolled: ask the server itself whether it answers (``SyncEngine.probe``; the operating
  system's idea of "online" says nothing about the district server), and when it does, run
  one round (``SyncEngine.sync_once``);
* after a good round wait ``interval_s`` (30 s) or until a new local event is signalled;
  after a failure wait ``Backoff.next_delay()`` (exponential with full jitter), so the
  desk starts sending by itself as soon as the server answers again.

The waits are on a ``threading.Condition``: ``sync_now``, ``local_change`` and ``stop`` wake
the loop at once, and nothing polls. After every probe and round the loop emits
``status_changed`` with a frozen ``SyncSnapshot``; the GUI receives it through a queued
connection and never waits for the network. A round that applied other desks' events
also emits ``pulled``, which the main window reports as changed dossiers.

The thread runs a blocking loop, not an event loop: queued slot calls would never be
delivered. ``sync_now``, ``local_change`` and ``stop`` are therefore plain thread-safe
methods: call them directly (or connect with ``Qt.ConnectionType.DirectConnection``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from enum import Enum, StrEnum

from PySide6.QtCore import QObject, QThread, Signal

from desk_app.errors import error_code, user_message
from desk_app.sync.backoff import Backoff
from desk_app.sync.engine import SyncEngine, SyncStatus
from desk_app.sync.transport import OFFLINE_CODES, UNREACHABLE

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0
DEFAULT_IDLE_CHECK_S = 60.0


class LinkState(StrEnum):
    """What the status bar shows about the link to the district server."""

    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """One immutable look at the sync, safe to hand from the sync thread to the GUI.

    ``last_success_at`` is naive UTC, as the engine stores it; ``last_error`` is the
    engine's message and ``last_error_code`` its stable code (``sync.unreachable``...),
    which is what the status bar decides on; ``next_retry_in_s`` is the wait before the
    next attempt, counted from the moment the snapshot was taken (``None`` while a round
    runs).
    """

    state: LinkState
    pending: int
    last_success_at: dt.datetime | None
    last_error: str | None
    next_retry_in_s: float | None
    last_error_code: str | None = None
    # Our events kept queued until the server is updated ("máy chủ cần cập nhật"), and
    # pulled events set aside because this desk cannot apply them.
    held: int = 0
    set_aside: int = 0


class _Wake(Enum):
    TIMEOUT = "timeout"
    NOW = "now"
    LOCAL = "local"
    STOP = "stop"


class SyncWorker(QObject):
    """Drives the desk's sync on its own thread; reports ``SyncSnapshot``s to the GUI."""

    status_changed = Signal(object)
    #: events of other desks were applied here in the last round (how many)
    pulled = Signal(int)

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        idle_check_s: float = DEFAULT_IDLE_CHECK_S,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 300.0,
    ) -> None:
        super().__init__()  # no parent: the object moves to its own thread
        self._engine = engine
        self._interval_s = interval_s
        self._idle_check_s = idle_check_s
        self._backoff = Backoff(base_s=backoff_base_s, cap_s=backoff_cap_s)
        self._cond = threading.Condition()
        self._now_requested = False
        self._local_changed = False
        self._stopping = False
        self._started = False
        self._last: SyncSnapshot | None = None
        self._thread = QThread()
        self._joined = False
        self._thread.setObjectName("sync thread")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._run)

    # ------------------------------------------------------------------ control (any thread)

    @property
    def last_snapshot(self) -> SyncSnapshot | None:
        """The latest snapshot emitted, or ``None`` before the first one."""
        with self._cond:
            return self._last

    def start(self) -> None:
        """Start the thread; the first probe happens at once."""
        if self._started:
            return
        self._started = True
        self._thread.start()

    def sync_now(self) -> None:
        """Run a round at once (the officer pressed "Đồng bộ ngay"), even during a back-off."""
        with self._cond:
            self._now_requested = True
            self._cond.notify_all()

    def local_change(self) -> None:
        """New local events were recorded: send them now if the server was answering."""
        with self._cond:
            self._local_changed = True
            self._cond.notify_all()

    def stop(self) -> None:
        """Wake the loop, let a running round finish, and join the thread. Idempotent."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._started and not self._joined:
            self._thread.quit()
            self._thread.wait()
            # Later calls (the window destroyed at exit, after the quit already stopped us)
            # must not touch the QThread, which Qt may have deleted by then.
            self._joined = True

    # ------------------------------------------------------------------ the loop (sync thread)

    def _run(self) -> None:
        delay, backing_off = 0.0, False
        while True:
            deadline = time.monotonic() + delay
            wake = self._sleep_until(deadline)
            while wake is _Wake.LOCAL and backing_off:
                # The server did not answer: keep the back-off, only show the new count.
                self._refresh_pending(deadline)
                wake = self._sleep_until(deadline)
            if wake is _Wake.STOP:
                return
            try:
                delay, backing_off = self._round()
            except Exception as exc:  # a bug or a broken database: keep the loop alive
                log.exception("sync round failed")
                delay, backing_off = self._backoff.next_delay(), True
                with self._cond:
                    since = self._last.last_success_at if self._last else None
                error, code = user_message(exc), error_code(exc)
                self._emit(LinkState.OFFLINE, self._safe_pending(), since, error, delay, code)

    def _sleep_until(self, deadline: float) -> _Wake:
        with self._cond:
            while True:
                if self._stopping:
                    return _Wake.STOP
                if self._now_requested:
                    self._now_requested = self._local_changed = False
                    return _Wake.NOW
                if self._local_changed:
                    self._local_changed = False
                    return _Wake.LOCAL
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return _Wake.TIMEOUT
                self._cond.wait(remaining)

    def _round(self) -> tuple[float, bool]:
        """One probe and, when the server answers, one round; returns (wait, backing off)."""
        status = self._engine.status()
        if not status.enrolled:
            self._backoff.reset()
            self._emit_status(LinkState.NOT_ENROLLED, status, None, self._idle_check_s)
            return self._idle_check_s, False
        if not self._engine.probe():
            delay = self._backoff.next_delay()
            error = f"máy chủ huyện {status.server_url} không trả lời (health check)"
            self._emit_status(LinkState.OFFLINE, status, error, delay, UNREACHABLE)
            return delay, True
        self._emit_status(LinkState.SYNCING, status, None, None)
        summary = self._engine.sync_once()
        if summary.pulled:
            self.pulled.emit(summary.pulled)
        status = self._engine.status()
        if summary.errors:
            error, code = summary.errors[0], summary.error_codes[0]
            reached = summary.online or code not in OFFLINE_CODES
            delay = self._backoff.next_delay()
            state = LinkState.ONLINE if reached else LinkState.OFFLINE
            self._emit(state, summary.pending, status.last_success_at, error, delay, code)
            return delay, True
        self._backoff.reset()
        self._emit(
            LinkState.ONLINE, summary.pending, status.last_success_at, None, self._interval_s
        )
        return self._interval_s, False

    def _refresh_pending(self, deadline: float) -> None:
        with self._cond:
            last = self._last
        if last is None:
            return
        remaining = max(0.0, deadline - time.monotonic())
        self._emit(
            last.state, self._safe_pending(), last.last_success_at, last.last_error, remaining,
            last.last_error_code, held=last.held, set_aside=last.set_aside,
        )  # fmt: skip

    def _safe_pending(self) -> int:
        try:
            return self._engine.pending_count()
        except Exception:
            log.exception("cannot count the pending events")
            with self._cond:
                return self._last.pending if self._last else 0

    def _emit_status(
        self,
        state: LinkState,
        status: SyncStatus,
        error: str | None,
        retry_s: float | None,
        code: str | None = None,
    ) -> None:
        self._emit(
            state, status.pending, status.last_success_at, error, retry_s, code,
            held=status.held, set_aside=len(status.set_aside),
        )  # fmt: skip

    def _emit(
        self,
        state: LinkState,
        pending: int,
        last_success_at: dt.datetime | None,
        error: str | None,
        retry_s: float | None,
        code: str | None = None,
        *,
        held: int = 0,
        set_aside: int = 0,
    ) -> None:
        snapshot = SyncSnapshot(
            state, pending, last_success_at, error, retry_s, code, held, set_aside
        )
        with self._cond:
            self._last = snapshot
        self.status_changed.emit(snapshot)
