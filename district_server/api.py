"""The HTTP endpoints, under ``/api/v1``.

Each request runs in its own transaction and the response is sent only after the commit,
so an acknowledgement always means "stored for good".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from district_server import metrics
from district_server.auth import (
    Credentials,
    DeskIdentity,
    bearer_token,
    desk_for_token,
    get_read_engine,
    get_sessions,
    require_desk,
)
from district_server.enrollment import redeem_code
from district_server.errors import (
    EnrollmentCodeGoneError,
    TooManyAttemptsError,
    UnknownEnrollmentCodeError,
)
from district_server.events import check_origins, pull_page, store_batch
from district_server.operator import replace_set_aside
from district_server.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_SEQ,
    EnrollRequest,
    EnrollResponse,
    ErrorResponse,
    HealthResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    SetAsideAnswer,
    SetAsideReport,
)
from district_server.throttle import FailureLimiter
from district_server.validation import EventRefusedError, check_events, record_refusal

JSON_MEDIA_TYPE = "application/json"
# The push body is read and validated by the endpoint itself (see push_events); the
# published schema still describes it, through this reference.
PUSH_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)

Sessions = Annotated[sessionmaker[Session], Depends(get_sessions)]
ReadEngine = Annotated[Engine, Depends(get_read_engine)]
Caller = Annotated[DeskIdentity, Depends(require_desk)]


T = TypeVar("T")


@dataclass(frozen=True)
class Lanes:
    """The worker threads pushes and pulls run on, apart from each other.

    Pushes have threads of their own, as many as the pushes admitted at once (see
    ``admission``), so an admitted push starts at once instead of queueing behind the
    pulls of hundreds of polling desks; pulls share what is left of the connection pool,
    so they never hold every connection a push needs. Everything else (enrolment,
    set-aside reports) uses the default thread pool.
    """

    push: CapacityLimiter
    pull: CapacityLimiter

    @classmethod
    def for_pool(cls, pool_size: int, max_pushes: int) -> Lanes:
        return cls(CapacityLimiter(max_pushes), CapacityLimiter(max(1, pool_size - max_pushes)))


async def _on_lane(lane: CapacityLimiter, work: Callable[..., T], *args: Any) -> T:
    return await anyio.to_thread.run_sync(work, *args, limiter=lane)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        401: "Missing, unknown or revoked credentials.",
        403: "An event claims another commune or desk than the caller's.",
        409: "An event reuses a stored uuid with different content.",
        410: "The enrolment code was used, has expired or was withdrawn.",
        413: "The request body is too large.",
        429: "Too many failed attempts from this client; retry after Retry-After seconds.",
        422: "The request does not match the schema, or an event is refused (its payload "
        "does not match its kind and version, its dossier code is not the sending desk's, "
        "or its kind and version are unknown here: code event.unknown_kind).",
        503: "The database is unavailable; retry later.",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in codes}


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/health", tags=["health"], response_model=HealthResponse)
async def health() -> Response:
    """Unauthenticated probe: desks call it to know whether the server is reachable.

    Asynchronous, so it runs on the event loop: it never queues for the thread pool or a
    database connection behind the pushes in progress, and a desk's 3-second probe is
    answered even when the server is at its busiest. Every desk probes before each sync,
    so the answer is written directly (the same JSON as ``HealthResponse``, without
    validating it on every call).
    """
    stamp = _now().isoformat().replace("+00:00", "Z")
    return Response('{"status":"ok","server_time":"' + stamp + '"}', media_type=JSON_MEDIA_TYPE)


@router.post("/enroll", tags=["enrolment"], responses=_errors(401, 410, 413, 422, 429, 503))
def enroll(body: EnrollRequest, request: Request, sessions: Sessions) -> EnrollResponse:
    """Trade a one-time enrolment code for the desk's bearer token."""
    limiter: FailureLimiter = request.app.state.enrol_failures
    client = request.client.host if request.client else "unknown"
    wait = limiter.wait_s(client)
    if wait:
        metrics.ENROLMENT_THROTTLED.inc()
        raise TooManyAttemptsError(
            f"Too many failed enrolment attempts from this address; try again in {wait} s.",
            wait,
        )
    try:
        with sessions.begin() as session:
            enrolled = redeem_code(session, body.code, _now())
    except (UnknownEnrollmentCodeError, EnrollmentCodeGoneError):
        limiter.charge(client)
        raise
    return EnrollResponse(
        token=enrolled.token,
        agency_code=enrolled.agency_code,
        desk=enrolled.desk,
        desk_id=str(enrolled.desk_id),
        last_origin_seq=enrolled.last_origin_seq,
    )


def parse_push(raw: bytes) -> PushRequest:
    """Parse and validate a push body in one pass over its bytes.

    Errors leave as FastAPI's own would, so they get the usual one-sentence detail.
    """
    try:
        return PushRequest.model_validate_json(raw)
    except ValidationError as exc:
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors, body=body) from None


def _store(raw: bytes, token: str, engine: Engine, sessions: sessionmaker[Session]) -> bytes:
    """A push, from the token check to the answer, in one trip to a push thread (the
    token is not looked up by a dependency on another thread first). The body is read
    and checked outside any transaction: on SQLite a writing one holds the write lock."""
    caller = desk_for_token(engine, token)
    batch = parse_push(raw)
    check_origins(caller, batch.events)
    try:
        check_events(caller, batch.events)
    except EventRefusedError as refusal:
        with sessions.begin() as session:
            record_refusal(session, caller, refusal, _now())
        metrics.EVENTS_REFUSED.inc()
        raise
    with sessions.begin() as session:
        outcome = store_batch(session, caller, batch.events, _now())
    metrics.EVENTS_STORED.inc(outcome.stored)
    metrics.EVENTS_DUPLICATE.inc(outcome.duplicates)
    return outcome.model_dump_json().encode("ascii")


@router.post(
    "/events",
    tags=["events"],
    responses=_errors(401, 403, 409, 413, 422, 503),
    response_model=PushResponse,
    openapi_extra=PUSH_REQUEST_BODY,
)
async def push_events(
    request: Request, credentials: Credentials, engine: ReadEngine, sessions: Sessions
) -> Response:
    """Store a batch of the caller's events, all of them or none (idempotent on uuid)."""
    token = bearer_token(credentials)
    # The body is taken as bytes and validated off the event loop, once: FastAPI would
    # decode it to Python objects on the loop first, then validate those objects.
    raw = await request.body()
    lanes: Lanes = request.app.state.lanes
    answer = await _on_lane(lanes.push, _store, raw, token, engine, sessions)
    return Response(answer, media_type=JSON_MEDIA_TYPE)


@router.get(
    "/events",
    tags=["events"],
    responses=_errors(401, 422, 503),
    response_model=PullResponse,
)
async def pull_events(
    request: Request,
    credentials: Credentials,
    engine: ReadEngine,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQ, description="Return events with a greater server_seq.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    exclude_own_upto: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_SEQ,
            description="Leave out the calling desk's own events numbered up to this "
            "origin_seq: it has them, and learnt their server_seq from the push answers.",
        ),
    ] = None,
) -> Response:
    """A page of the caller's commune log (all its desks), in server_seq order."""
    # The token is checked with the page, in one trip to the thread pool and the database.
    lanes: Lanes = request.app.state.lanes
    body, count = await _on_lane(
        lanes.pull, partial(pull_page, exclude_own_upto=exclude_own_upto),
        engine, bearer_token(credentials), after, limit,
    )  # fmt: skip
    metrics.EVENTS_SERVED.inc(count)
    return Response(body, media_type=JSON_MEDIA_TYPE)


@router.post("/set-aside", tags=["events"], responses=_errors(401, 413, 422, 503))
def report_set_aside(body: SetAsideReport, caller: Caller, sessions: Sessions) -> SetAsideAnswer:
    """The events of the commune's log the calling desk could not apply (its whole list,
    replacing the previous one), for the operator's ``district-server events set-aside``."""
    with sessions.begin() as session:
        count = replace_set_aside(
            session, caller, [item.model_dump() for item in body.events], _now()
        )
    return SetAsideAnswer(recorded=count)
