"""the search index over every dossier (code, PIN, folded name, CCCD, phone)

Revision ID: 0010
Revises: 0009 (0008 on its own branch; re-chained after the lifecycle merge)
Create Date: 2026-11-30

An FTS5 table kept in step with ``dossiers`` by triggers, filled here from the rows
already stored (about 25 s for a million dossiers). See ``desk_app.search``.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from desk_app.search import install_index

    install_index(op.get_bind())


def downgrade() -> None:
    from desk_app.search import drop_index

    drop_index(op.get_bind())
