"""catalogue provenance and review flags on procedures

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("confidence", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("review", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_column("review")
        batch_op.drop_column("confidence")
        batch_op.drop_column("source")
