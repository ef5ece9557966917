"""the lifecycle: result and extensions on dossiers, intake outcomes, the hand-over
directory and commune settings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ALTER TABLE ADD COLUMN: no copy of a table of a million dossiers.
    op.add_column("dossiers", sa.Column("result_at", sa.DateTime(), nullable=True))
    op.add_column("dossiers", sa.Column("outcome", sa.String(length=16), nullable=True))
    op.add_column(
        "dossiers",
        sa.Column("extension_count", sa.Integer(), server_default="0", nullable=False),
    )
    # Results of old data: a dossier with a classification had its result; its time is
    # not stored, so old rows keep result_at empty until their events are folded again.
    op.execute("UPDATE dossiers SET outcome = 'approved' WHERE classification IS NOT NULL")
    op.create_table(
        "intake_outcomes",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.String(length=300), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_name_folded", sa.String(length=200), nullable=False),
        sa.Column("applicant_cccd", sa.String(length=12), nullable=True),
        sa.Column("applicant_phone", sa.String(length=20), nullable=False),
        sa.Column("applicant_address", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("officer_name", sa.String(length=200), nullable=False),
        sa.Column("origin_agency_code", sa.String(length=32), nullable=False),
        sa.Column("origin_desk", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_intake_outcomes")),
    )
    op.create_index("ix_intake_outcomes_at", "intake_outcomes", ["at"], unique=False)
    op.create_table(
        "handover_directory",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_handover_directory")),
    )
    op.create_index(
        op.f("ix_handover_directory_name_folded"),
        "handover_directory",
        ["name_folded"],
        unique=False,
    )
    op.create_table(
        "commune_settings",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_commune_settings")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("commune_settings")
    op.drop_index(op.f("ix_handover_directory_name_folded"), table_name="handover_directory")
    op.drop_table("handover_directory")
    op.drop_index("ix_intake_outcomes_at", table_name="intake_outcomes")
    op.drop_table("intake_outcomes")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("extension_count")
        batch_op.drop_column("outcome")
        batch_op.drop_column("result_at")
