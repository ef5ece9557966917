"""account administration: forced password change, recovery code, receipt texts

Revision ID: 0015
Revises: 0009 (0008 on the h/admin branch before the lifecycle merge)
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("commune_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("receipt_unit_name", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("receipt_notes", sa.JSON(), server_default="[]", nullable=False)
        )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("recovery_codes")
    with op.batch_alter_table("commune_profile", schema=None) as batch_op:
        batch_op.drop_column("receipt_notes")
        batch_op.drop_column("receipt_unit_name")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
