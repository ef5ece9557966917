"""uvicorn's HTTP/1.1 protocol with time limits for slow clients.

uvicorn closes a connection that stays idle after an answer (``timeout_keep_alive``) but
waits for ever for the headers of a request, and for its body: a few clients sending one
byte now and then hold connections, memory and (for a body) a push slot indefinitely.
This protocol closes a connection whose request headers are not complete
``HEADER_TIMEOUT_S`` after the connection opened or the previous answer went out, and one
whose request body is not complete ``BODY_TIMEOUT_S`` after its headers. The body limit
is generous: a full 500-event push is about 0.7 MB, 22 s over a 256 kbit/s commune line.

``GuardedHttpToolsProtocol`` (httptools' C parser) is the one the server runs: parsing
request bodies in pure Python (h11) was a good part of a push's CPU. The h11 variant stays
for a platform without the httptools wheel.
"""

from __future__ import annotations

import asyncio
import logging
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Set by ``district-server run --header-timeout/--body-timeout`` for every worker.
HEADER_TIMEOUT_ENV_VAR = "DISTRICT_SERVER_HEADER_TIMEOUT"
BODY_TIMEOUT_ENV_VAR = "DISTRICT_SERVER_BODY_TIMEOUT"
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 60.0
# Longer than the desk's own 5 s (httpx's pool expiry): when the server closes an idle
# connection first, a desk reusing it at that moment gets "disconnected without a
# response" and sends its batch again. Measured: 3 such resends of 600 desks at 5 s.
KEEP_ALIVE_TIMEOUT_S = 20


class _Deadline:
    """The one deadline a connection has at a time: for its headers or for its body."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    logger: logging.Logger
    header_timeout_s = HEADER_TIMEOUT_S
    body_timeout_s = BODY_TIMEOUT_S
    _deadline: asyncio.TimerHandle | None = None
    _waiting_for: str = ""

    def _read_timeouts(self) -> None:
        self.header_timeout_s = float(os.environ.get(HEADER_TIMEOUT_ENV_VAR, HEADER_TIMEOUT_S))
        self.body_timeout_s = float(os.environ.get(BODY_TIMEOUT_ENV_VAR, BODY_TIMEOUT_S))

    def _arm(self, what: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_for = ""

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection too slow to send its %s", self._waiting_for)
            self.transport.close()
        self._waiting_for = ""


class GuardedHttpToolsProtocol(_Deadline, HttpToolsProtocol):
    """uvicorn's httptools protocol (C parser) with the deadlines of this module."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_timeouts()
        self._arm("headers", self.header_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._waiting_for != "headers":
            self._arm("headers", self.header_timeout_s)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm("body", self.body_timeout_s)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()


class GuardedH11Protocol(_Deadline, H11Protocol):
    """``H11Protocol`` (pure Python) with the deadlines of this module."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_timeouts()
        self._arm("headers", self.header_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        """Arm the deadline for what the connection now waits for from the client."""
        if self.transport.is_closing():
            self._disarm()
            return
        in_request = self.cycle is not None and not self.cycle.response_complete
        if not in_request:
            # Between requests: uvicorn's keep-alive timer covers the idle wait; once bytes
            # of a next request come, its headers must be complete in time.
            if self.timeout_keep_alive_task is not None:
                self._disarm()
            elif self._waiting_for != "headers":
                self._arm("headers", self.header_timeout_s)
        elif self.conn.their_state is h11.SEND_BODY:
            if self._waiting_for != "body":
                self._arm("body", self.body_timeout_s)
        else:
            self._disarm()


def http_protocol(name: str) -> type[asyncio.Protocol]:
    """The guarded protocol class for uvicorn's ``http`` setting."""
    return GuardedH11Protocol if name == "h11" else GuardedHttpToolsProtocol
