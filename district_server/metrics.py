"""The operator's view: counters and latencies in the Prometheus text format at ``/metrics``.

With several workers each process counts for itself; prometheus-client's multiprocess
mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``district-server run`` before any worker
starts) keeps the counts in files that ``/metrics`` adds up, whichever worker answers.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ROUTES = frozenset(
    {"/api/v1/health", "/api/v1/enroll", "/api/v1/events", "/metrics", "/openapi.json"}
)

REQUESTS = Counter(
    "district_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "district_request_duration_seconds",
    "Time from a request's arrival to the end of its answer.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60),
)
IN_PROGRESS = Gauge(
    "district_requests_in_progress", "Requests being answered.", multiprocess_mode="livesum"
)
PUSHES_IN_PROGRESS = Gauge(
    "district_pushes_in_progress",
    "Pushes admitted and not yet answered.",
    multiprocess_mode="livesum",
)
BUSY_REFUSALS = Counter(
    "district_busy_refusals_total", "Pushes answered 503 with Retry-After (back-pressure)."
)
EVENTS_STORED = Counter("district_events_stored_total", "Events stored (new).")
EVENTS_DUPLICATE = Counter(
    "district_events_duplicate_total", "Events pushed again and acknowledged without storing."
)
EVENTS_SERVED = Counter("district_events_served_total", "Events sent to pulling desks.")
EVENTS_REFUSED = Counter(
    "district_events_refused_total", "Pushed batches refused for one event (schema, code, kind)."
)
REFUSALS = Counter(
    "district_refusals_total",
    "Requests refused for what they carry or who sends them (4xx), by status.",
    ["status"],
)
ENROLMENT_THROTTLED = Counter(
    "district_enrolment_throttled_total", "Enrolment attempts refused with 429 (too many)."
)


def route_of(path: str) -> str:
    """A bounded label for a path: unknown paths share one label."""
    return path if path in ROUTES else "other"


# The labelled series of each (method, path, status) seen, looked up once: the labels
# call takes a lock and builds its key on every request otherwise. Unknown paths share
# the "other" series, so only the first MAX_CACHED keys are kept.
_CHILDREN: dict[tuple[str, str, int], tuple[Counter, Histogram, Counter | None]] = {}
MAX_CACHED = 256


def _children(method: str, path: str, status: int) -> tuple[Counter, Histogram, Counter | None]:
    route = route_of(path)
    children = (
        REQUESTS.labels(method, route, str(status)),
        LATENCY.labels(method, route),
        REFUSALS.labels(str(status)) if 400 <= status < 500 and status != 404 else None,
    )
    if len(_CHILDREN) < MAX_CACHED:
        _CHILDREN[(method, path, status)] = children
    return children


class MetricsMiddleware:
    """Counts every HTTP request and times it to the end of its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            IN_PROGRESS.dec()
            key = (scope["method"], scope["path"], status)
            children = _CHILDREN.get(key)
            if children is None:
                children = _children(*key)
            requests, latency, refusals = children
            requests.inc()
            latency.observe(time.perf_counter() - started)
            if refusals is not None:
                refusals.inc()


def exposition() -> bytes:
    """The metrics of every worker, in the Prometheus text format."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


async def metrics_endpoint(_request: Request) -> Response:
    """``GET /metrics``: cheap, on the event loop, no database."""
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


def worker_exited(pid: int) -> None:
    """Drop an exiting worker's live gauges from the sums."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
