"""The FastAPI application of the district server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from district_server import metrics
from district_server.admission import AdmissionLimits, AdmissionMiddleware
from district_server.api import Lanes, router
from district_server.body_limit import BodyLimitMiddleware
from district_server.db import (
    DB_ENV_VAR,
    DEFAULT_POOL_SIZE,
    make_engine,
    make_session_factory,
    read_only_engine,
)
from district_server.http_errors import MAX_BODY_BYTES, install_error_handlers
from district_server.schemas import PushRequest
from district_server.throttle import DEFAULT_PER_MINUTE, FailureLimiter

# How ``district-server run --workers N`` hands its settings to the worker processes.
MAX_PUSHES_ENV_VAR = "DISTRICT_SERVER_MAX_PUSHES"
POOL_SIZE_ENV_VAR = "DISTRICT_SERVER_POOL_SIZE"
ENROL_FAILURES_ENV_VAR = "DISTRICT_SERVER_ENROL_FAILURES"


def create_app(
    db_url: str,
    limits: AdmissionLimits | None = None,
    pool_size: int | None = None,
    enrol_failures_per_minute: int = DEFAULT_PER_MINUTE,
) -> FastAPI:
    """The API bound to a database (the schema must already be migrated)."""
    engine = make_engine(db_url, pool_size=pool_size)
    limits = limits or AdmissionLimits()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        metrics.worker_exited(os.getpid())

    app = FastAPI(
        title="District server",
        summary="Receives the event logs of commune one-stop desks and serves them back.",
        version="1",
        lifespan=lifespan,
    )
    # The last one added runs first: count every request, then refuse pushes beyond the
    # cap before anything reads their bodies.
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(AdmissionMiddleware, limits=limits, body_limit=MAX_BODY_BYTES)
    app.add_middleware(metrics.MetricsMiddleware)
    app.state.sessions = make_session_factory(engine)
    app.state.read_engine = read_only_engine(engine)
    app.state.lanes = Lanes.for_pool(pool_size or DEFAULT_POOL_SIZE, limits.max_pushes)
    app.state.enrol_failures = FailureLimiter(
        burst=enrol_failures_per_minute, per_minute=enrol_failures_per_minute
    )
    install_error_handlers(app)
    app.include_router(router)
    app.add_route("/metrics", metrics.metrics_endpoint, include_in_schema=False)
    _publish_push_schema(app)
    return app


def app_from_env() -> FastAPI:
    """The app of one worker of ``district-server run --workers N`` (a uvicorn factory)."""
    limits = AdmissionLimits(max_pushes=int(os.environ[MAX_PUSHES_ENV_VAR]))
    pool = os.environ.get(POOL_SIZE_ENV_VAR)
    failures = int(os.environ.get(ENROL_FAILURES_ENV_VAR, DEFAULT_PER_MINUTE))
    return create_app(os.environ[DB_ENV_VAR], limits, int(pool) if pool else None, failures)


def _publish_push_schema(app: FastAPI) -> None:
    """Add the push body's models to the published schema: the endpoint validates the
    body itself, so FastAPI does not know them (see ``api.push_events``)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schema = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["PushRequest"] = schema
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
