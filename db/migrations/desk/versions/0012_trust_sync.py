"""events held for an updated server, pulled events set aside, import keys

Revision ID: 0012
Revises: 0011 (0008 on its own branch; re-chained by the integrator)
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "outbox_holds",
        sa.Column("event_uuid", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_uuid"], ["events.uuid"], name=op.f("fk_outbox_holds_event_uuid_events")
        ),
        sa.PrimaryKeyConstraint("event_uuid", name=op.f("pk_outbox_holds")),
    )
    op.create_table(
        "pulled_set_aside",
        sa.Column("event_uuid", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_aside_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_uuid"], ["events.uuid"], name=op.f("fk_pulled_set_aside_event_uuid_events")
        ),
        sa.PrimaryKeyConstraint("event_uuid", name=op.f("pk_pulled_set_aside")),
    )
    op.create_table(
        "import_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("dossier_code", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_import_keys")),
    )
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("set_aside_unreported", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("set_aside_unreported")
    op.drop_table("import_keys")
    op.drop_table("pulled_set_aside")
    op.drop_table("outbox_holds")
