"""Enrolling desks: issuing one-time codes, trading a code for a token, revoking a desk.

An administrator runs ``district-server enroll`` and reads the code to the desk officer,
who types it into the desk app. The desk trades it once for a bearer token. Revoking a
desk ends all its tokens and withdraws its unused codes; the desk can be enrolled again
with a new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import CursorResult, Update, func, select, update
from sqlalchemy.orm import Session

from district_server.errors import (
    EnrollmentCodeGoneError,
    UnknownDeskError,
    UnknownEnrollmentCodeError,
)
from district_server.models import Commune, Credential, Desk, EnrollmentCode, Event
from district_server.tokens import (
    hash_secret,
    new_enrollment_code,
    new_token,
    normalize_enrollment_code,
)

DEFAULT_CODE_LIFETIME = timedelta(days=7)
_INVALID = "The enrolment code is not valid; check it and retry."
_USED = "The enrolment code has already been used; ask for a new one."


@dataclass(frozen=True)
class IssuedCode:
    """A code to hand to a desk (shown once; only its hash is stored)."""

    code: str
    agency_code: str
    desk: int
    expires_at: datetime


@dataclass(frozen=True)
class Enrollment:
    """What a desk gets for a valid code."""

    token: str
    agency_code: str
    desk: int
    desk_id: UUID
    # The highest event number this desk number already has on the server: a replacement
    # machine numbers its events above it, so it never reuses one.
    last_origin_seq: int


@dataclass(frozen=True)
class Revocation:
    """How much a revocation ended."""

    credentials: int
    codes: int


def _changed_rows(session: Session, statement: Update) -> int:
    """Run an UPDATE and count the rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    assert isinstance(result, CursorResult)  # an UPDATE without RETURNING
    return result.rowcount


def _find_desk(session: Session, agency_code: str, number: int) -> tuple[Commune, Desk] | None:
    row = session.execute(
        select(Commune, Desk)
        .join(Desk, Desk.commune_id == Commune.id)
        .where(Commune.agency_code == agency_code, Desk.number == number)
    ).first()
    if row is None:
        return None
    return row[0], row[1]


def _get_or_create_desk(session: Session, agency_code: str, number: int, now: datetime) -> Desk:
    commune = session.scalars(select(Commune).where(Commune.agency_code == agency_code)).first()
    if commune is None:
        commune = Commune(agency_code=agency_code, last_server_seq=0, created_at=now)
        session.add(commune)
        session.flush()
    desk = session.scalars(
        select(Desk).where(Desk.commune_id == commune.id, Desk.number == number)
    ).first()
    if desk is None:
        desk = Desk(commune_id=commune.id, number=number, created_at=now)
        session.add(desk)
        session.flush()
    return desk


def issue_code(
    session: Session,
    agency_code: str,
    desk_number: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_CODE_LIFETIME,
) -> IssuedCode:
    """Create the commune and desk when new, and a one-time code for the desk."""
    desk = _get_or_create_desk(session, agency_code, desk_number, now)
    code = new_enrollment_code()
    canonical = normalize_enrollment_code(code)
    assert canonical is not None
    expires_at = now + lifetime
    session.add(
        EnrollmentCode(
            desk_id=desk.id,
            code_hash=hash_secret(canonical),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return IssuedCode(code=code, agency_code=agency_code, desk=desk_number, expires_at=expires_at)


def issue_codes(
    session: Session,
    desks: list[tuple[str, int]],
    now: datetime,
    lifetime: timedelta = DEFAULT_CODE_LIFETIME,
) -> list[IssuedCode]:
    """One code per ``(agency code, desk)`` row, in the rows' order (a province's roll-out)."""
    return [issue_code(session, agency, number, now, lifetime) for agency, number in desks]


def redeem_code(session: Session, typed_code: str, now: datetime) -> Enrollment:
    """Trade a valid code for a new bearer token; the code cannot be used again."""
    canonical = normalize_enrollment_code(typed_code)
    if canonical is None:
        raise UnknownEnrollmentCodeError(_INVALID)
    code = session.scalars(
        select(EnrollmentCode).where(EnrollmentCode.code_hash == hash_secret(canonical))
    ).first()
    if code is None:
        raise UnknownEnrollmentCodeError(_INVALID)
    if code.revoked_at is not None:
        raise EnrollmentCodeGoneError("The enrolment code was withdrawn; ask for a new one.")
    if code.used_at is not None:
        raise EnrollmentCodeGoneError(_USED)
    if code.expires_at <= now:
        raise EnrollmentCodeGoneError("The enrolment code has expired; ask for a new one.")
    # Conditional update: of two concurrent redemptions, only one changes the row.
    claimed = _changed_rows(
        session,
        update(EnrollmentCode)
        .where(EnrollmentCode.id == code.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now),
    )
    if claimed != 1:
        raise EnrollmentCodeGoneError(_USED)
    desk = session.get_one(Desk, code.desk_id)
    commune = session.get_one(Commune, desk.commune_id)
    token = new_token()
    session.add(
        Credential(
            desk_id=desk.id,
            token_hash=hash_secret(token),
            enrollment_code_id=code.id,
            created_at=now,
        )
    )
    session.flush()
    last_origin_seq = session.scalar(
        select(func.max(Event.origin_seq)).where(
            Event.commune_id == commune.id, Event.origin_desk == desk.number
        )
    )
    return Enrollment(
        token=token,
        agency_code=commune.agency_code,
        desk=desk.number,
        desk_id=desk.id,
        last_origin_seq=int(last_origin_seq or 0),
    )


def revoke_desk(session: Session, agency_code: str, desk_number: int, now: datetime) -> Revocation:
    """End every token of the desk and withdraw its unused codes."""
    found = _find_desk(session, agency_code, desk_number)
    if found is None:
        raise UnknownDeskError(f"Desk {desk_number} of commune {agency_code} was never enrolled.")
    _commune, desk = found
    credentials = _changed_rows(
        session,
        update(Credential)
        .where(Credential.desk_id == desk.id, Credential.revoked_at.is_(None))
        .values(revoked_at=now),
    )
    codes = _changed_rows(
        session,
        update(EnrollmentCode)
        .where(
            EnrollmentCode.desk_id == desk.id,
            EnrollmentCode.used_at.is_(None),
            EnrollmentCode.revoked_at.is_(None),
        )
        .values(revoked_at=now),
    )
    return Revocation(credentials=credentials, codes=codes)
