"""A fault-injecting HTTP/1.1 proxy on loopback, between a desk and the district server.

The proxy understands just enough HTTP/1.1 (request and response heads, ``Content-Length``
and chunked bodies, keep-alive) to act on one request at a time, so a fault can hit "the
first push" even when the client reuses its connection. Modes:

``pass``
    Forward both ways unchanged.
``drop_response_after_request``
    Forward the request, wait for the server's complete answer (so the server has
    committed), then close the client connection without sending a byte of it: "the
    response was lost after the server committed".
``hang_after_request``
    Forward the request, swallow the answer and keep the client waiting: the client
    times out although the server committed.
``blackhole``
    Accept the request and never answer (nothing is forwarded): the client times out.
``http_503``
    Answer ``503 Service Unavailable`` without forwarding anything.
``reset``
    Close the client connection as soon as the request has arrived (nothing forwarded).

A slow link (``delay()`` or ``set_link(latency_s=..., bytes_per_s=...)``) applies to everything that
is forwarded, whatever the mode: each message waits ``latency_s`` and is then sent in
chunks no faster than ``bytes_per_s``.

A fault can be limited to requests matching a method and a path prefix and to a number
of occurrences (``times``); afterwards the proxy passes traffic through again.

Safety: it listens on 127.0.0.1 only and forwards only to a loopback upstream; every
socket operation has a time-out, every wait is bounded, and the proxy stops by itself
after ``max_lifetime_s`` even if nobody calls ``stop()``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal[
    "pass", "drop_response_after_request", "hang_after_request", "blackhole", "http_503", "reset"
]
MODES: tuple[Mode, ...] = (
    "pass",
    "drop_response_after_request",
    "hang_after_request",
    "blackhole",
    "http_503",
    "reset",
)

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
RECV_SIZE = 64 * 1024
MAX_LOGGED_BODY = 256 * 1024
UPSTREAM_IDLE_S = 1.0  # well below uvicorn's 5 s keep-alive time-out


class _ClosedError(Exception):
    """The peer closed the connection (or the proxy is stopping)."""


@dataclass
class Fault:
    mode: Mode
    method: str | None = None
    path_prefix: str | None = None
    times: int | None = None  # None: until changed
    skip: int = 0  # let this many matching requests through first

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method.upper() != self.method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    action: Mode
    upstream_status: int | None  # the server's answer, when the request was forwarded
    request_bytes: int
    response_body: bytes | None = None  # its start (delivered or not)


@dataclass
class _Link:
    latency_s: float = 0.0
    bytes_per_s: float | None = None
    chunk_bytes: int = 16 * 1024


@dataclass
class _Message:
    head: bytes
    body: bytes
    first_line: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def wants_close(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FaultProxy:
    """``with FaultProxy(port_of_server) as proxy: desk talks to proxy.url``."""

    def __init__(
        self,
        upstream_port: int,
        upstream_host: str = "127.0.0.1",
        *,
        io_timeout_s: float = 60.0,
        hold_s: float = 120.0,
        max_lifetime_s: float = 600.0,
    ) -> None:
        if not _is_loopback(upstream_host):
            raise ValueError(f"the fault proxy only forwards to loopback, not {upstream_host!r}")
        self._upstream = (upstream_host, upstream_port)
        self._io_timeout_s = io_timeout_s
        self._hold_s = hold_s
        self._max_lifetime_s = max_lifetime_s
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._link = _Link()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._watchdog: threading.Timer | None = None
        self.log: list[LoggedRequest] = []
        self.port = 0

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        self.port = listener.getsockname()[1]
        thread = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        self._watchdog = threading.Timer(self._max_lifetime_s, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.cancel()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        current = threading.current_thread()
        for thread in list(self._threads):
            if thread is not current:
                thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def set_mode(
        self,
        mode: Mode,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> None:
        """Apply ``mode`` to matching requests (all by default) ``times`` times (or until
        changed), after letting ``skip`` of them through; replaces any previous fault."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self._faults = [] if mode == "pass" else [Fault(mode, method, path_prefix, times, skip)]

    def passthrough(self) -> None:
        self.set_mode("pass")

    def set_link(
        self, *, latency_s: float = 0.0, bytes_per_s: float | None = None, chunk_bytes: int = 16384
    ) -> None:
        """A slow link for everything forwarded from now on (``set_link()`` for a fast one)."""
        with self._lock:
            self._link = _Link(latency_s, bytes_per_s, max(1, chunk_bytes))

    def delay(
        self, latency_s: float = 0.3, bytes_per_s: float = 64 * 1024, chunk_bytes: int = 16384
    ) -> None:
        """The slow link of a commune: ``latency_s`` per message, ``bytes_per_s`` per chunk."""
        self.set_link(latency_s=latency_s, bytes_per_s=bytes_per_s, chunk_bytes=chunk_bytes)

    def set_upstream(self, port: int, host: str = "127.0.0.1") -> None:
        if not _is_loopback(host):
            raise ValueError(f"the fault proxy only forwards to loopback, not {host!r}")
        with self._lock:
            self._upstream = (host, port)

    @property
    def pending_faults(self) -> int:
        """How many fault occurrences remain (-1: unlimited)."""
        with self._lock:
            if not self._faults:
                return 0
            times = self._faults[0].times
            return -1 if times is None else times

    def actions(self, method: str | None = None, path_prefix: str | None = None) -> list[Mode]:
        return [
            r.action
            for r in list(self.log)
            if (method is None or r.method == method)
            and (path_prefix is None or r.path.startswith(path_prefix))
        ]

    # ------------------------------------------------------------------ internals

    def _take_fault(self, method: str, path: str) -> Mode:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return "pass"
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault.mode
        return "pass"

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.close()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(self._io_timeout_s)
            self._track(client)
            thread = threading.Thread(
                target=self._serve, args=(client,), name="faultproxy-conn", daemon=True
            )
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        upstream_used = 0.0
        buffer = bytearray()
        try:
            while not self._stopping.is_set():
                try:
                    request = self._read_message(client, buffer, is_request=True)
                except _ClosedError:
                    return
                method, path = self._method_path(request.first_line)
                action = self._take_fault(method, path)
                if action == "http_503":
                    self._log(method, path, action, None, request)
                    body = b'{"detail": "Service unavailable (fault proxy)."}'
                    self._send(
                        client,
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
                        + f"content-length: {len(body)}\r\n\r\n".encode()
                        + body,
                        throttle=False,
                    )
                    if request.wants_close:
                        return
                    continue
                if action == "reset":
                    self._log(method, path, action, None, request)
                    return
                if action == "blackhole":
                    self._log(method, path, action, None, request)
                    self._hold(client)
                    return
                if upstream is not None and time.monotonic() - upstream_used > UPSTREAM_IDLE_S:
                    # The server may be closing its idle keep-alive end right now; a fresh
                    # connection avoids forwarding into a socket that is going away.
                    self._untrack(upstream)
                    upstream = None
                if upstream is None:
                    try:
                        upstream = socket.create_connection(
                            self._upstream_address(), timeout=self._io_timeout_s
                        )
                    except OSError:
                        self._log(method, path, "reset", None, request)
                        return  # as if the server were down: the client sees a closed link
                    self._track(upstream)
                try:
                    self._send(upstream, request.raw, throttle=True)
                    response = self._read_message(
                        upstream, bytearray(), is_request=False, method=method
                    )
                except (_ClosedError, OSError):
                    self._log(method, path, "reset", None, request)
                    return
                upstream_used = time.monotonic()
                status = self._status(response.first_line)
                self._log(method, path, action, status, request, response.body[:MAX_LOGGED_BODY])
                if action == "drop_response_after_request":
                    return
                if action == "hang_after_request":
                    self._hold(client)
                    return
                self._send(client, response.raw, throttle=True)
                if request.wants_close or response.wants_close:
                    return
                # A response without a length ends with the connection.
                if "content-length" not in response.headers and "chunked" not in (
                    response.headers.get("transfer-encoding", "").lower()
                ):
                    return
        except (OSError, _ClosedError):
            return
        finally:
            self._untrack(client)
            if upstream is not None:
                self._untrack(upstream)

    def _upstream_address(self) -> tuple[str, int]:
        with self._lock:
            return self._upstream

    def _log(
        self,
        method: str,
        path: str,
        action: Mode,
        status: int | None,
        request: _Message,
        response_body: bytes | None = None,
    ) -> None:
        entry = LoggedRequest(method, path, action, status, len(request.raw), response_body)
        with self._lock:
            self.log.append(entry)

    def _hold(self, client: socket.socket) -> None:
        """Keep the connection open without answering until the client gives up."""
        deadline = time.monotonic() + self._hold_s
        client.settimeout(0.2)
        while not self._stopping.is_set() and time.monotonic() < deadline:
            try:
                data = client.recv(RECV_SIZE)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return

    def _send(self, sock: socket.socket, data: bytes, *, throttle: bool) -> None:
        with self._lock:
            link = self._link
        if not throttle or (link.latency_s <= 0 and not link.bytes_per_s):
            sock.sendall(data)
            return
        if link.latency_s > 0 and self._stopping.wait(link.latency_s):
            raise _ClosedError
        view = memoryview(data)
        for start in range(0, len(view), link.chunk_bytes):
            chunk = view[start : start + link.chunk_bytes]
            sock.sendall(chunk)
            if link.bytes_per_s and self._stopping.wait(len(chunk) / link.bytes_per_s):
                raise _ClosedError

    @staticmethod
    def _method_path(first_line: str) -> tuple[str, str]:
        parts = first_line.split(" ")
        if len(parts) < 2:
            return "?", "?"
        return parts[0].upper(), parts[1]

    @staticmethod
    def _status(first_line: str) -> int | None:
        parts = first_line.split(" ")
        try:
            return int(parts[1])
        except (IndexError, ValueError):
            return None

    def _recv(self, sock: socket.socket) -> bytes:
        if self._stopping.is_set():
            raise _ClosedError
        try:
            data = sock.recv(RECV_SIZE)
        except TimeoutError as exc:
            raise _ClosedError from exc
        if not data:
            raise _ClosedError
        return data

    def _read_message(
        self,
        sock: socket.socket,
        buffer: bytearray,
        *,
        is_request: bool,
        method: str = "GET",
    ) -> _Message:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD_BYTES:
                raise _ClosedError
            buffer += self._recv(sock)
        end = buffer.index(b"\r\n\r\n") + 4
        head = bytes(buffer[:end])
        del buffer[:end]
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        status = None if is_request else self._status(lines[0])
        no_body = (not is_request) and (
            method == "HEAD" or status in (204, 304) or (status is not None and status < 200)
        )
        if no_body:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked(sock, buffer)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY_BYTES:
                raise _ClosedError
            while len(buffer) < length:
                buffer += self._recv(sock)
            body = bytes(buffer[:length])
            del buffer[:length]
        elif is_request:
            body = b""
        else:  # delimited by the end of the connection
            chunks = [bytes(buffer)]
            buffer.clear()
            total = len(chunks[0])
            while total <= MAX_BODY_BYTES:
                try:
                    data = self._recv(sock)
                except _ClosedError:
                    break
                chunks.append(data)
                total += len(data)
            body = b"".join(chunks)
        return _Message(head, body, lines[0], headers)

    def _read_chunked(self, sock: socket.socket, buffer: bytearray) -> bytes:
        out = bytearray()
        while True:
            while b"\r\n" not in buffer:
                buffer += self._recv(sock)
            end = buffer.index(b"\r\n") + 2
            size_line = bytes(buffer[:end])
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            need = end + size + 2
            while len(buffer) < need:
                buffer += self._recv(sock)
            if size == 0:
                # Trailers, if any, end with an empty line.
                while not bytes(buffer[end:]).startswith(b"\r\n") and b"\r\n\r\n" not in buffer:
                    buffer += self._recv(sock)
                stop = (
                    end + 2
                    if bytes(buffer[end:]).startswith(b"\r\n")
                    else buffer.index(b"\r\n\r\n") + 4
                )
                out += buffer[:stop]
                del buffer[:stop]
                return bytes(out)
            out += buffer[:need]
            del buffer[:need]
            if len(out) > MAX_BODY_BYTES:
                raise _ClosedError


@contextlib.contextmanager
def fault_proxy(upstream_port: int, **kwargs: float) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream_port, **kwargs)  # type: ignore[arg-type]
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
