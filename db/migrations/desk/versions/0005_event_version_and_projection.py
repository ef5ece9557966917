"""event version and the dossier's richer projection

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Events get the version of their payload schema (every event so far is version 1). The
dossier row gets the rest of its projection: holder, the appointment before any
extension, the pauses of the clock and the classification of its result. Existing rows
are filled from their events: the receipt snapshot gives the holder and the original
appointment (a plain UPDATE, fast on a million rows); dossiers that moved on since are
folded by the desk's own fold, so a migrated dossier reads as one projected today.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS_NO_DELETE = """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"""
_REWRITE = """CREATE TRIGGER events_no_rewrite BEFORE UPDATE ON events
    WHEN NEW.uuid IS NOT OLD.uuid OR NEW.dossier_uuid IS NOT OLD.dossier_uuid
      OR NEW.kind IS NOT OLD.kind OR NEW.payload IS NOT OLD.payload
      OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.actor IS NOT OLD.actor
      OR NEW.origin_agency_code IS NOT OLD.origin_agency_code
      OR NEW.origin_desk IS NOT OLD.origin_desk OR NEW.origin_seq IS NOT OLD.origin_seq
      OR NEW.is_local IS NOT OLD.is_local OR NEW.seq IS NOT OLD.seq{extra}
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"""
EVENTS_NO_REWRITE = _REWRITE.format(extra="\n      OR NEW.version IS NOT OLD.version")
EVENTS_NO_REWRITE_0001 = _REWRITE.format(extra="")

_dossiers = sa.table(
    "dossiers",
    sa.column("uuid", sa.String),
    sa.column("status", sa.String),
    sa.column("holder", sa.String),
    sa.column("due_at", sa.DateTime),
    sa.column("original_due_at", sa.DateTime),
    sa.column("pauses", sa.JSON),
    sa.column("classification", sa.String),
    sa.column("returned_at", sa.DateTime),
)
_events = sa.table(
    "events",
    sa.column("seq", sa.Integer),
    sa.column("server_seq", sa.Integer),
    sa.column("dossier_uuid", sa.String),
    sa.column("kind", sa.String),
    sa.column("version", sa.Integer),
    sa.column("payload", sa.Text),
    sa.column("actor", sa.String),
)


@dataclass(frozen=True)
class _Row:
    seq: int
    server_seq: int | None
    kind: str
    version: int
    payload: dict[str, Any]
    actor: str


def _drop_event_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS events_no_delete")
    op.execute("DROP TRIGGER IF EXISTS events_no_rewrite")


def upgrade() -> None:
    """Upgrade schema."""
    # The append-only triggers are dropped around the change (a batch operation may
    # rebuild the table) and come back guarding the new column too.
    _drop_event_triggers()
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.execute(EVENTS_NO_DELETE)
    op.execute(EVENTS_NO_REWRITE)

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("original_due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("pauses", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("classification", sa.String(length=8), nullable=True))

    op.execute("UPDATE dossiers SET holder = received_by, original_due_at = due_at")
    _fold_dossiers_that_moved(op.get_bind())


def _fold_dossiers_that_moved(bind: sa.Connection) -> None:
    # Imported here: only this step needs the desk's fold (loading the module must not).
    from desk_app.dossiers.kinds import fold
    from desk_app.dossiers.projection import Projection

    moved = (
        sa.select(_events.c.dossier_uuid)
        .where(_events.c.kind != "dossier.received", _events.c.dossier_uuid.is_not(None))
        .distinct()
        .subquery()
    )
    rows = bind.execute(
        sa.select(
            _events.c.dossier_uuid, _events.c.seq, _events.c.server_seq, _events.c.kind,
            _events.c.version, _events.c.payload, _events.c.actor,
        )
        .where(_events.c.dossier_uuid.in_(sa.select(moved.c.dossier_uuid)))
        .order_by(_events.c.dossier_uuid, _events.c.seq)
    ).all()  # fmt: skip
    by_dossier: dict[str, list[_Row]] = {}
    for r in rows:
        by_dossier.setdefault(r.dossier_uuid, []).append(
            _Row(r.seq, r.server_seq, r.kind, r.version, json.loads(r.payload), r.actor)
        )
    for uuid, events in by_dossier.items():
        current = bind.execute(
            sa.select(_dossiers.c.holder, _dossiers.c.due_at, _dossiers.c.original_due_at).where(
                _dossiers.c.uuid == uuid
            )
        ).first()
        if current is None:
            continue  # events of a dossier this desk never had
        start = Projection(
            holder=current.holder, due_at=current.due_at, original_due_at=current.original_due_at
        )
        p, _ = fold(events, start)
        bind.execute(
            _dossiers.update()
            .where(_dossiers.c.uuid == uuid)
            .values(
                status=p.status,
                holder=p.holder,
                due_at=p.due_at,
                original_due_at=p.original_due_at,
                pauses=[x.to_json() for x in p.pauses],
                classification=p.classification,
                returned_at=p.returned_at if p.status == "returned" else None,
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("classification")
        batch_op.drop_column("pauses")
        batch_op.drop_column("original_due_at")
        batch_op.drop_column("holder")

    _drop_event_triggers()
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("version")
    op.execute(EVENTS_NO_DELETE)
    op.execute(EVENTS_NO_REWRITE_0001)
