"""Back-pressure: a cap on the pushes in progress, and a fair turn for the desks beyond it.

After an outage every desk of a province comes back at once with a day's backlog. Taking
every push in would make each one wait for all the others: answers arrive after the
desk's 30-second time-out, the desks send everything again, and memory grows with the
events in flight. So a worker takes at most ``max_pushes`` pushes (and ``max_bytes`` of
their bodies) at a time, and answers the others at once with ``503`` and a
``Retry-After``.

The ``Retry-After`` values form a virtual queue: each refused push gets the next free
turn, spaced by how long a push takes here divided by the pushes taken at once, so the
refused desks come back spread over the time the server needs for them, instead of all
together again. A desk that honours it waits about as long as it would have in a real
queue, without holding a connection, a thread or its events' memory on the server.

A push that finds every slot taken first waits a little on the server (``wait_s``, for at
most ``max_waiting`` pushes per worker, first come first served): a slot freed is taken
at once by the next push instead of standing idle until a refused desk's turn comes, and
the refused desks' turns, kept by each worker for itself, matter less when several
workers share the desks. Only beyond that wait is the push refused. A waiting push's body
is not read (the HTTP server stops reading its socket after 64 KiB), so waiting costs no
memory to speak of.

The cap agrees with the desk's time-out: ``max_pushes`` pushes of at most
``MAX_BATCH_EVENTS`` events each are answered well within 30 seconds on the machine this
was measured on (see ``packaging/district-server/README.md``).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from district_server import metrics
from district_server.db import DEFAULT_MAX_PUSHES

PUSH_PATH = "/api/v1/events"
DEFAULT_MAX_BYTES = 48 * 1024 * 1024
# The longest a desk is asked to wait: the turn after it is spread by the jitter the desk
# adds, and a desk back after this long is simply queued again.
MAX_RETRY_AFTER_S = 60
# How long a push that finds every slot taken waits for one, and how many may wait.
DEFAULT_WAIT_S = 2.0
DEFAULT_MAX_WAITING = 8
# A fresh worker has not timed a push yet; this is a 500-event push here, rounded up.
INITIAL_PUSH_SECONDS = 0.5


@dataclass
class AdmissionLimits:
    """How much push work one worker takes at a time."""

    max_pushes: int = DEFAULT_MAX_PUSHES
    max_bytes: int = DEFAULT_MAX_BYTES
    wait_s: float = DEFAULT_WAIT_S
    max_waiting: int = DEFAULT_MAX_WAITING


def busy_sentence(retry_after: int) -> str:
    """The detail of a back-pressure 503."""
    return (
        "The server is busy with other desks' events; nothing was stored. "
        f"Retry in {retry_after} s."
    )


class AdmissionMiddleware:
    """Admit at most ``limits.max_pushes`` pushes at once; refuse the rest with a turn.

    Runs on the event loop, one instance per worker process, so its counters need no lock.
    """

    def __init__(
        self,
        app: ASGIApp,
        limits: AdmissionLimits,
        body_limit: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limits = limits
        self.body_limit = body_limit
        self.clock = clock
        self.pushes = 0
        self.bytes = 0
        self.push_seconds = INITIAL_PUSH_SECONDS  # moving average of admitted pushes
        self.next_turn = 0.0
        self.waiters: deque[asyncio.Future[None]] = deque()

    def _reserve(self, scope: Scope) -> int | None:
        """The bytes reserved for an admitted push, or ``None`` when it must wait."""
        declared = Headers(scope=scope).get("content-length")
        size = int(declared) if declared is not None and declared.isdigit() else self.body_limit
        size = min(size, self.body_limit)
        if self.pushes >= self.limits.max_pushes:
            return None
        if self.pushes and self.bytes + size > self.limits.max_bytes:
            return None
        return size

    def _turn(self) -> int:
        """Seconds until the next free turn of the virtual queue (see the module doc)."""
        now = self.clock()
        spacing = self.push_seconds / self.limits.max_pushes
        self.next_turn = max(self.next_turn, now) + spacing
        wait = min(self.next_turn - now, MAX_RETRY_AFTER_S)
        if self.next_turn - now > MAX_RETRY_AFTER_S:
            self.next_turn = now + MAX_RETRY_AFTER_S
        return max(1, math.ceil(wait))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == PUSH_PATH
        ):
            await self.app(scope, receive, send)
            return
        # Pushes already waiting go first.
        size = None if self.waiters else self._reserve(scope)
        if size is None:
            size = await self._wait_for_slot(scope)
        if size is None:
            await self._refuse(scope, receive, send)
            return
        self.pushes += 1
        self.bytes += size
        metrics.PUSHES_IN_PROGRESS.inc()
        started = self.clock()
        try:
            await self.app(scope, receive, send)
        finally:
            self.pushes -= 1
            self.bytes -= size
            metrics.PUSHES_IN_PROGRESS.dec()
            elapsed = self.clock() - started
            self.push_seconds = 0.8 * self.push_seconds + 0.2 * elapsed
            self._wake_next()

    async def _wait_for_slot(self, scope: Scope) -> int | None:
        """The bytes reserved once a slot frees within ``wait_s``, or ``None``."""
        if self.limits.wait_s <= 0 or len(self.waiters) >= self.limits.max_waiting:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.wait_s
        while (remaining := deadline - loop.time()) > 0:
            waiter: asyncio.Future[None] = loop.create_future()
            self.waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_next()  # woken as its time ran out: pass the slot on
                return None
            finally:
                if waiter in self.waiters:
                    self.waiters.remove(waiter)
            size = self._reserve(scope)
            if size is not None:
                return size
        return None

    def _wake_next(self) -> None:
        """Hand a freed slot to the push that has waited longest."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        retry_after = self._turn()
        metrics.BUSY_REFUSALS.inc()
        # Read the body to its end (without keeping it) before answering: a server that
        # answers and closes while the client is still sending makes the client's TCP
        # stack drop the answer, and the desk would see a reset instead of its turn.
        more = True
        while more:
            message: Message = await receive()
            if message["type"] != "http.request":
                return
            more = bool(message.get("more_body", False))
        response = JSONResponse(
            {"detail": busy_sentence(retry_after)},
            status_code=503,
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
