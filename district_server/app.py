"""The FastAPI application of the district server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from district_server.api import router
from district_server.body_limit import BodyLimitMiddleware
from district_server.db import make_engine, make_session_factory
from district_server.http_errors import MAX_BODY_BYTES, install_error_handlers


def create_app(db_url: str) -> FastAPI:
    """The API bound to a database (the schema must already be migrated)."""
    engine = make_engine(db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="District server",
        summary="Receives the event logs of commune one-stop desks and serves them back.",
        version="1",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.state.sessions = make_session_factory(engine)
    app.state.read_sessions = make_session_factory(engine, read_only=True)
    install_error_handlers(app)
    app.include_router(router)
    return app
