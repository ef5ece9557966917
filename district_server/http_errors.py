"""Every error of the API leaves as ``{"detail": "<one English sentence>"}``.

That includes the errors FastAPI and Starlette raise themselves (bad JSON, schema
violations, unknown path, body too large), so a desk can show or log the detail as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from district_server.body_limit import too_large_sentence
from district_server.errors import (
    DistrictServerError,
    NotAuthenticatedError,
    TooManyAttemptsError,
)
from district_server.validation import EventRefusedError

MAX_BODY_BYTES = 8 * 1024 * 1024

logger = logging.getLogger(__name__)


def _place(location: Sequence[Any]) -> str:
    parts = list(location)
    if parts and parts[0] == "query" and len(parts) > 1:
        return f"query parameter '{parts[1]}'"
    if parts and parts[0] == "header" and len(parts) > 1:
        return f"header '{parts[1]}'"
    if parts and parts[0] == "body":
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"'{text}'" if text else "the body"


def _event_uuid(body: Any, index: int) -> str | None:
    try:
        uuid = body["events"][index]["uuid"]
    except (KeyError, IndexError, TypeError):
        return None
    return uuid if isinstance(uuid, str) and len(uuid) <= 64 else None


def describe_validation_errors(errors: Sequence[Any], body: Any) -> str:
    """One sentence for the first problem of a request, saying how many more there are."""
    if not errors:
        return "The request is malformed."
    first = errors[0]
    location = tuple(first.get("loc", ()))
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        sentence = "The request body is not valid JSON"
    elif len(location) >= 3 and location[:2] == ("body", "events") and isinstance(location[2], int):
        index = location[2]
        uuid = _event_uuid(body, index)
        which = f"Event {index + 1} of the batch" + (f" ({uuid})" if uuid else "")
        field = _place(location[3:])
        where = "" if field == "the body" else f" at {field}"
        sentence = f"{which} is malformed{where}: {message}"
    else:
        sentence = f"The request is malformed at {_place(location)}: {message}"
    sentence = sentence.rstrip(".")
    if len(errors) > 1:
        more = len(errors) - 1
        sentence += f" (and {more} more problem{'s' if more > 1 else ''})"
    if location[:1] == ("body",) or first.get("type") == "json_invalid":
        sentence += "; nothing was stored"
    return sentence + "."


_STATUS_SENTENCES = {
    404: "There is no such endpoint; the API lives under /api/v1.",
    405: "This endpoint does not accept that HTTP method.",
    413: too_large_sentence(MAX_BODY_BYTES),
}


async def _on_district_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DistrictServerError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticatedError) else None
    if isinstance(exc, TooManyAttemptsError):
        headers = {"Retry-After": str(exc.retry_after)}
    body: dict[str, str] = {"detail": exc.message}
    if isinstance(exc, EventRefusedError):
        # For programs: which event, and why in a stable word (the desk keeps an event
        # refused as event.unknown_kind queued instead of setting it aside).
        body["code"] = exc.code
        body["event"] = exc.event_uuid
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = describe_validation_errors(exc.errors(), exc.body)
    return JSONResponse({"detail": detail}, status_code=422)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = ""
    if exc.status_code in _STATUS_SENTENCES and (detail == phrase or not detail):
        detail = _STATUS_SENTENCES[exc.status_code]
    elif not isinstance(detail, str) or not detail:
        detail = f"The request failed: {phrase or exc.status_code}."
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _on_database_down(_request: Request, exc: Exception) -> JSONResponse:
    # The desk keeps its events and retries; 503 tells it that nothing was applied.
    logger.error("database unavailable: %s", str(exc).splitlines()[0])
    return JSONResponse(
        {"detail": "The database is unavailable; nothing was stored. Retry later."},
        status_code=503,
    )


async def _on_pool_exhausted(_request: Request, exc: Exception) -> JSONResponse:
    # Every connection of this worker's pool stayed busy for POOL_TIMEOUT_S: the server is
    # overloaded, not broken, so the desk is told when to come back.
    logger.warning("no database connection free: %s", str(exc).splitlines()[0])
    return JSONResponse(
        {"detail": "The server is busy; nothing was stored. Retry in 5 s."},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a ``{"detail": sentence}`` document."""
    app.add_exception_handler(DistrictServerError, _on_district_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(OperationalError, _on_database_down)
    # The same, raised by the driver itself where a statement goes to it directly (pulls,
    # the reads and inserts of a push on PostgreSQL).
    app.add_exception_handler(psycopg.OperationalError, _on_database_down)
    app.add_exception_handler(PoolTimeoutError, _on_pool_exhausted)
