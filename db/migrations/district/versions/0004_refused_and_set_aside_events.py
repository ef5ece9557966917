"""the events the server refused and those desks set aside

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

The upstream operator lists both per desk (``district-server events refused|set-aside``)
and retracts an event with a compensating ``event.retracted`` written by the district
itself, under desk number 0 of the commune (a desk row no credential is ever issued for).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column[object]:
    # Frozen copy of district_server.models.UtcDateTime's storage type.
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Uuid(), nullable=False),
        sa.Column("event_uuid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f(f"fk_{table}_commune_id_communes")
        ),
        sa.ForeignKeyConstraint(["desk_id"], ["desks.id"], name=op.f(f"fk_{table}_desk_id_desks")),
        sa.UniqueConstraint("desk_id", "event_uuid", name=op.f(f"uq_{table}_desk_id_event_uuid")),
    ]


def upgrade() -> None:
    op.create_table(
        "refused_events",
        *_common("refused_events"),
        sa.Column("detail", sa.Text(), nullable=False),
        _timestamp("first_refused_at"),
        _timestamp("last_refused_at"),
        sa.Column("times", sa.Integer(), nullable=False),
    )
    op.create_index(
        op.f("ix_refused_events_commune_id"), "refused_events", ["commune_id"], unique=False
    )
    op.create_table(
        "set_aside_events",
        *_common("set_aside_events"),
        sa.Column("reason", sa.Text(), nullable=False),
        _timestamp("reported_at"),
    )
    op.create_index(
        op.f("ix_set_aside_events_commune_id"), "set_aside_events", ["commune_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("set_aside_events")
    op.drop_table("refused_events")
