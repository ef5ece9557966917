"""Who is calling: the desk behind a bearer token.

Every endpoint but ``/health`` and ``/enroll`` depends on :func:`require_desk`. A missing,
unknown or revoked token gets a 401. The lookup runs in its own short read-only
transaction, so it does not wait for the pushes in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from district_server.errors import NotAuthenticatedError
from district_server.models import Commune, Credential, Desk
from district_server.tokens import hash_secret

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="The token a desk got from POST /api/v1/enroll.",
)


@dataclass(frozen=True)
class DeskIdentity:
    """The authenticated desk and its commune."""

    desk_id: UUID
    desk: int
    commune_id: int
    agency_code: str


def identify(session: Session | Connection, token: str) -> DeskIdentity | None:
    """The desk owning a live token, or ``None``."""
    row = session.execute(
        select(Desk.id, Desk.number, Commune.id, Commune.agency_code)
        .join(Credential, Credential.desk_id == Desk.id)
        .join(Commune, Commune.id == Desk.commune_id)
        .where(Credential.token_hash == hash_secret(token), Credential.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return DeskIdentity(desk_id=row[0], desk=row[1], commune_id=row[2], agency_code=row[3])


# The two getters are coroutines so that FastAPI calls them on the event loop: a plain
# function dependency costs a hop to the thread pool and back on every request.


async def get_sessions(request: Request) -> sessionmaker[Session]:
    """The session factory of the running app, for work that may write."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


async def get_read_engine(request: Request) -> Engine:
    """The engine of the running app for work that only reads, without ORM sessions:
    every pull and every token look-up goes through it, so it is kept lean."""
    engine: Engine = request.app.state.read_engine
    return engine


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    """The bearer token of the request; a 401 when there is none."""
    if credentials is None or not credentials.credentials:
        raise NotAuthenticatedError(
            "Authentication is required: send the desk's token as 'Authorization: Bearer ...'."
        )
    return credentials.credentials


def unknown_token() -> NotAuthenticatedError:
    return NotAuthenticatedError("The token is unknown or has been revoked; enrol the desk again.")


def desk_for_token(engine: Engine, token: str) -> DeskIdentity:
    """The desk owning a live ``token``, looked up in a short read; a 401 otherwise."""
    with engine.connect() as connection:
        identity = identify(connection, token)
    if identity is None:
        raise unknown_token()
    return identity


def require_desk(
    credentials: Credentials, engine: Annotated[Engine, Depends(get_read_engine)]
) -> DeskIdentity:
    """The calling desk; a 401 when the request has no live bearer token."""
    return desk_for_token(engine, bearer_token(credentials))
