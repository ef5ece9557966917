"""report history: each dossier's state over time, ratings; returned_at index

Revision ID: 0014
Revises: 0009
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in desk_app.db.models (a migration keeps its own copy: models change, it must not)
OPEN_WHERE = "status IN ('received', 'in_progress', 'extended', 'waiting_supplement')"
OPEN_INDEX_COLUMNS = (
    "status", "due_at", "original_due_at", "received_at", "returned_at", "origin_desk",
    "procedure_code", "procedure_id", "holder", "received_by", "extension_count", "code",
    "applicant_name", "procedure_name",
)  # fmt: skip


def upgrade() -> None:
    """Upgrade schema. The history starts empty: the report takes the events in on its
    first run (``desk_app.report_history.catch_up``)."""
    op.create_table(
        "report_dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_uuid", sa.String(length=36), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("first_state", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), server_default="", nullable=False),
        sa.Column("procedure_code", sa.String(length=32), server_default="", nullable=False),
        sa.Column("channel", sa.String(length=16), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_dossiers")),
        sa.UniqueConstraint("dossier_uuid", name=op.f("uq_report_dossiers_dossier_uuid")),
    )
    op.create_index("ix_report_dossiers_received", "report_dossiers", ["received"])
    op.create_table(
        "report_segments",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=False),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("original_due", sa.Integer(), nullable=True),
        sa.Column("classification", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dossier_id", "valid_from", name=op.f("pk_report_segments")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_report_segments_to", "report_segments", ["valid_to", "state", "valid_from"])
    op.create_index("ix_report_segments_from", "report_segments", ["valid_from", "state"])
    op.create_table(
        "report_ratings",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Integer(), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_report_ratings")),
    )
    op.create_index("ix_report_ratings_at", "report_ratings", ["at"])
    op.create_table(
        "report_watermark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_watermark")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index("ix_dossiers_returned_at", ["returned_at"], unique=False)
    # The backlog reads every open dossier on each refresh: a partial index holding just
    # them, with every column the backlog reads, answers without touching the table.
    op.create_index(
        "ix_dossiers_open",
        "dossiers",
        list(OPEN_INDEX_COLUMNS),
        sqlite_where=sa.text(OPEN_WHERE),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_dossiers_open", table_name="dossiers")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_returned_at")
    op.drop_table("report_watermark")
    op.drop_index("ix_report_ratings_at", table_name="report_ratings")
    op.drop_table("report_ratings")
    op.drop_index("ix_report_segments_from", table_name="report_segments")
    op.drop_index("ix_report_segments_to", table_name="report_segments")
    op.drop_table("report_segments")
    op.drop_index("ix_report_dossiers_received", table_name="report_dossiers")
    op.drop_table("report_dossiers")
