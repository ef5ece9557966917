"""report summary: per-day counts kept beside the report history; ratings covered

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. The history is emptied: the next report rebuilds it, with the
    summary, in one pass (``desk_app.report_history.catch_up``), showing its progress."""
    op.create_table(
        "report_daily",
        sa.Column("metric", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric", "day", "field", "procedure_code", name=op.f("pk_report_daily")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_complex",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_report_complex")),
    )
    # The report no longer scans the segments by time (the summary answers): only the
    # per-dossier primary key is read, so the two time indexes only slowed the writes.
    op.drop_index("ix_report_segments_to", table_name="report_segments")
    op.drop_index("ix_report_segments_from", table_name="report_segments")
    # The satisfaction summary reads (at, officer, rating) for a year of returns.
    op.drop_index("ix_report_ratings_at", table_name="report_ratings")
    op.create_index("ix_report_ratings_at", "report_ratings", ["at", "officer", "rating"])
    # The report's backlog by age: the segments open or waiting (1, 2) in force at a moment.
    op.create_index(
        "ix_report_segments_alive",
        "report_segments",
        ["valid_to"],
        sqlite_where=sa.text("state IN (1, 2)"),
    )
    for table in ("report_segments", "report_ratings", "report_dossiers", "report_watermark"):
        op.execute(f"DELETE FROM {table}")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_report_segments_alive", table_name="report_segments")
    op.drop_index("ix_report_ratings_at", table_name="report_ratings")
    op.create_index("ix_report_ratings_at", "report_ratings", ["at"])
    op.create_index("ix_report_segments_from", "report_segments", ["valid_from", "state"])
    op.create_index("ix_report_segments_to", "report_segments", ["valid_to", "state", "valid_from"])
    op.drop_table("report_complex")
    op.drop_table("report_daily")
    for table in ("report_segments", "report_ratings", "report_dossiers", "report_watermark"):
        op.execute(f"DELETE FROM {table}")
