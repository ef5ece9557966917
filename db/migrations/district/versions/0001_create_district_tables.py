"""Create the district server tables: communes, desks, enrolment codes, credentials, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    # Frozen copy of district_server.models.UtcDateTime's storage type.
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "communes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("last_server_seq", sa.BigInteger(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communes")),
        sa.UniqueConstraint("agency_code", name=op.f("uq_communes_agency_code")),
    )
    op.create_table(
        "desks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_desks_commune_id_communes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desks")),
        sa.UniqueConstraint("commune_id", "number", name=op.f("uq_desks_commune_id_number")),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_enrollment_codes_desk_id_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrollment_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_enrollment_codes_desk_id"), "enrollment_codes", ["desk_id"], unique=False
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("enrollment_code_id", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_credentials_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_code_id"],
            ["enrollment_codes.id"],
            name=op.f("fk_credentials_enrollment_code_id_enrollment_codes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credentials_token_hash")),
    )
    op.create_index(op.f("ix_credentials_desk_id"), "credentials", ["desk_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("server_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("dossier_uuid", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.String(length=64), nullable=False),
        _timestamp("occurred_at_utc"),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("origin_desk", sa.Integer(), nullable=False),
        sa.Column("origin_seq", sa.BigInteger(), nullable=False),
        sa.Column("desk_id", sa.Uuid(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _timestamp("received_at"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_events_commune_id_communes")
        ),
        sa.ForeignKeyConstraint(["desk_id"], ["desks.id"], name=op.f("fk_events_desk_id_desks")),
        sa.PrimaryKeyConstraint("commune_id", "server_seq", name=op.f("pk_events")),
        sa.UniqueConstraint("uuid", name=op.f("uq_events_uuid")),
    )
    op.create_index(op.f("ix_events_desk_id"), "events", ["desk_id"], unique=False)
    op.create_index(op.f("ix_events_dossier_uuid"), "events", ["dossier_uuid"], unique=False)


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("credentials")
    op.drop_table("enrollment_codes")
    op.drop_table("desks")
    op.drop_table("communes")
