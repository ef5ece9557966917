"""events keep their envelope's JSON text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Pulls are served from the stored text, so new events no longer fill ``payload``; rows
stored before this revision keep their ``payload`` and have no ``envelope``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("envelope", sa.Text(), nullable=True))
        batch_op.alter_column("payload", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    # Give rows stored since the upgrade their payload back from the envelope text before
    # the column becomes required again.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE events SET payload = (envelope::json -> 'payload') WHERE payload IS NULL"
        )
    else:
        op.execute(
            "UPDATE events SET payload = json_extract(envelope, '$.payload') WHERE payload IS NULL"
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("envelope")
