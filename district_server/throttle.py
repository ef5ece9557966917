"""A per-client limit on failed enrolment attempts.

An enrolment code has 80 bits, so guessing one is hopeless, but an unthrottled endpoint
lets one client try hundreds of codes a second, fills the logs and costs a database
look-up each. Each client (its address; behind a reverse proxy, the address the proxy
forwards, see uvicorn's ``--forwarded-allow-ips``) has a bucket of ``burst`` failures that
refills at ``per_minute``; an empty bucket gets ``429`` with ``Retry-After`` before the
code is looked at. Only failures are charged, so a commune office enrolling all its desks
from one address is never slowed down.

Each worker process keeps its own buckets: with N workers a client gets up to N times
the limit, which still ends guessing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

DEFAULT_BURST = 10
DEFAULT_PER_MINUTE = 10
MAX_CLIENTS = 10_000


class FailureLimiter:
    """Token buckets of allowed failures, one per client key. Thread-safe."""

    def __init__(
        self,
        burst: int = DEFAULT_BURST,
        per_minute: int = DEFAULT_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, as of)

    def _tokens(self, key: str, now: float) -> float:
        tokens, since = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - since) * self.rate)

    def wait_s(self, key: str) -> int:
        """Seconds before ``key`` may try again; 0 when it may try now."""
        with self._lock:
            tokens = self._tokens(key, self.clock())
        if tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def charge(self, key: str) -> None:
        """Count one failure of ``key``."""
        with self._lock:
            now = self.clock()
            self._buckets[key] = (max(0.0, self._tokens(key, now) - 1.0), now)
            if len(self._buckets) > MAX_CLIENTS:
                self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        for key in [k for k in self._buckets if self._tokens(k, now) >= self.burst]:
            del self._buckets[key]
