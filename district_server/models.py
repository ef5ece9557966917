"""The tables of the district server.

The server knows communes (one row per agency code), the desks of each commune, the
one-time enrolment codes an administrator hands to a desk, the bearer credentials a desk
gets in exchange, and the events the desks push.

Events are append-only: a row is written once and never updated. Each commune row carries
the counter from which its events get their ``server_seq`` (see ``district_server.events``
for why the counter lives there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that later migrations (and batch mode on SQLite) can refer
# to constraints by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGENCY_CODE_LENGTH = 32
TEXT_LENGTH = 200
HASH_LENGTH = 64
ISO_TIMESTAMP_LENGTH = 64


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, always handed back as an aware UTC datetime.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored
    as naive UTC there (which also keeps its text form sortable).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every district server table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Commune(Base):
    """A commune, identified by its QCVN 102 agency code, e.g. ``000.20.33.H12``."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(AGENCY_CODE_LENGTH), unique=True)
    # Highest server_seq given to an event of this commune; 0 before the first event.
    last_server_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Desk(Base):
    """One desk (workstation) of a commune, numbered from 1 within its commune."""

    __tablename__ = "desks"
    __table_args__ = (UniqueConstraint("commune_id", "number"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EnrollmentCode(Base):
    """A one-time code that lets a desk obtain its bearer token. Only its hash is kept."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[UUID] = mapped_column(ForeignKey("desks.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Credential(Base):
    """A bearer token of a desk. Only its hash is kept; revoking sets ``revoked_at``."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[UUID] = mapped_column(ForeignKey("desks.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    enrollment_code_id: Mapped[int] = mapped_column(ForeignKey("enrollment_codes.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Event(Base):
    """One event of a commune's log, as a desk sent it, numbered by ``server_seq``.

    The origin agency code is the commune's own (the server refuses anything else), so it
    is not repeated here. ``occurred_at`` keeps the desk's ISO text with its UTC offset;
    ``occurred_at_utc`` is the same instant for queries. ``content_hash`` fingerprints the
    envelope so that a re-sent event can be told apart from a different one with the same
    uuid.
    """

    __tablename__ = "events"
    # A desk's event numbers are unique: the per-desk order every desk relies on.
    __table_args__ = (UniqueConstraint("commune_id", "origin_desk", "origin_seq"),)

    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), primary_key=True)
    server_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    uuid: Mapped[UUID] = mapped_column(Uuid, unique=True)
    dossier_uuid: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    # Rows stored before revision 0003 keep the payload here and have no envelope text.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The envelope as canonical JSON (sorted keys, ASCII), with the desk's occurred_at
    # text: pulls serve it as it is, without decoding it.
    envelope: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[str] = mapped_column(String(ISO_TIMESTAMP_LENGTH))
    occurred_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    origin_desk: Mapped[int] = mapped_column(Integer)
    origin_seq: Mapped[int] = mapped_column(BigInteger)
    # The desk whose credential pushed the event (equal to origin_desk's row).
    desk_id: Mapped[UUID] = mapped_column(ForeignKey("desks.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class _DeskEventRow:
    """The columns the operator's lists share: which desk, which event, why."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    desk_id: Mapped[UUID] = mapped_column(ForeignKey("desks.id"))
    event_uuid: Mapped[str] = mapped_column(String(HASH_LENGTH))
    kind: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    version: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(TEXT_LENGTH))


class RefusedEvent(_DeskEventRow, Base):
    """An event the server refused when a desk pushed it (it is not stored in ``events``):
    what the upstream operator lists per desk. One row per desk and event uuid; a desk
    that sends it again (each round, while it waits for an updated server) counts up.
    ``code``: event.invalid, event.code_not_this_desk, event.district_only,
    event.unknown_kind."""

    __tablename__ = "refused_events"
    __table_args__ = (UniqueConstraint("desk_id", "event_uuid"),)

    detail: Mapped[str] = mapped_column(Text)
    first_refused_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_refused_at: Mapped[datetime] = mapped_column(UtcDateTime)
    times: Mapped[int] = mapped_column(Integer, default=1)


class SetAsideEvent(_DeskEventRow, Base):
    """An event of the commune's log a desk pulled and could not apply, as that desk
    reported it: the desk's current list replaces what it reported before."""

    __tablename__ = "set_aside_events"
    __table_args__ = (UniqueConstraint("desk_id", "event_uuid"),)

    reason: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
