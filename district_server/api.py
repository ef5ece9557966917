"""The HTTP endpoints, under ``/api/v1``.

Each request runs in its own transaction and the response is sent only after the commit,
so an acknowledgement always means "stored for good".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session, sessionmaker

from district_server.auth import DeskIdentity, get_read_sessions, get_sessions, require_desk
from district_server.enrollment import redeem_code
from district_server.events import read_page, store_batch
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
)

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)

Sessions = Annotated[sessionmaker[Session], Depends(get_sessions)]
ReadSessions = Annotated[sessionmaker[Session], Depends(get_read_sessions)]
Caller = Annotated[DeskIdentity, Depends(require_desk)]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        401: "Missing, unknown or revoked credentials.",
        403: "An event claims another commune or desk than the caller's.",
        409: "An event reuses a stored uuid with different content.",
        410: "The enrolment code was used, has expired or was withdrawn.",
        413: "The request body is too large.",
        422: "The request does not match the schema.",
        503: "The database is unavailable; retry later.",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in codes}


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/health", tags=["health"])
def health() -> HealthResponse:
    """Unauthenticated probe: desks call it to know whether the server is reachable."""
    return HealthResponse(status="ok", server_time=_now())


@router.post("/enroll", tags=["enrolment"], responses=_errors(401, 410, 413, 422, 503))
def enroll(body: EnrollRequest, sessions: Sessions) -> EnrollResponse:
    """Trade a one-time enrolment code for the desk's bearer token."""
    with sessions.begin() as session:
        enrolled = redeem_code(session, body.code, _now())
    return EnrollResponse(
        token=enrolled.token,
        agency_code=enrolled.agency_code,
        desk=enrolled.desk,
        desk_id=str(enrolled.desk_id),
        last_origin_seq=enrolled.last_origin_seq,
    )


@router.post("/events", tags=["events"], responses=_errors(401, 403, 409, 413, 422, 503))
def push_events(body: PushRequest, caller: Caller, sessions: Sessions) -> PushResponse:
    """Store a batch of the caller's events, all of them or none (idempotent on uuid)."""
    with sessions.begin() as session:
        outcome = store_batch(session, caller, body.events, _now())
    return outcome


@router.get("/events", tags=["events"], responses=_errors(401, 422, 503))
def pull_events(
    caller: Caller,
    sessions: ReadSessions,
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
) -> PullResponse:
    """A page of the caller's commune log (all its desks), in server_seq order."""
    with sessions() as session:
        return read_page(session, caller, after, limit, exclude_own_upto=exclude_own_upto)
