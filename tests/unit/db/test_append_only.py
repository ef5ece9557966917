"""The event log and the audit log are append-only, enforced by the database itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db import cipher
from desk_app.db.models import AuditEntry, Event
from desk_app.events import append_event
from tests.helpers.desk_files import connect_desk

OCCURRED = dt.datetime(2026, 11, 23, 2, 0)


def record_event(ctx: DeskContext, payload: dict[str, object] | None = None) -> int:
    with ctx.db.write() as s:
        event = append_event(
            s,
            kind="dossier.received",
            payload=payload or {"code": "000.20.33.H12-261123-1001"},
            actor="canbo1",
            agency_code="000.20.33.H12",
            desk=1,
            occurred_at_utc=OCCURRED,
            dossier_uuid="0195f0a0-0000-7000-8000-000000000001",
        )
        s.flush()
        return event.seq


def record_audit(ctx: DeskContext) -> int:
    with ctx.db.write() as s:
        entry = AuditEntry(
            at=OCCURRED,
            username="canbo1",
            action="print",
            object_type="dossier",
            object_ref="000.20.33.H12-261123-1001",
            detail="Mẫu 01",
        )
        s.add(entry)
        s.flush()
        return entry.id


def load_event(ctx: DeskContext, seq: int) -> Event:
    with ctx.db.read() as s:
        return s.scalars(select(Event).where(Event.seq == seq)).one()


def test_events_get_gapless_origin_seq(desk_ctx: DeskContext) -> None:
    seqs = [record_event(desk_ctx) for _ in range(3)]
    assert [load_event(desk_ctx, s).origin_seq for s in seqs] == [1, 2, 3]


def test_deleting_an_event_is_refused(desk_ctx: DeskContext) -> None:
    seq = record_event(desk_ctx)
    with pytest.raises(IntegrityError, match="append-only"), desk_ctx.db.write() as s:
        s.execute(delete(Event).where(Event.seq == seq))
    assert load_event(desk_ctx, seq).kind == "dossier.received"


@pytest.mark.parametrize(
    "values",
    [
        {"payload": {"code": "forged"}},
        {"kind": "dossier.returned"},
        {"actor": "someone_else"},
        {"occurred_at": OCCURRED + dt.timedelta(hours=1)},
        {"origin_seq": 99},
        {"dossier_uuid": None},
        {"is_local": False},
    ],
    ids=lambda v: next(iter(v)),
)
def test_rewriting_an_event_is_refused(desk_ctx: DeskContext, values: dict[str, object]) -> None:
    seq = record_event(desk_ctx)
    before = load_event(desk_ctx, seq)
    with pytest.raises(IntegrityError, match="append-only"), desk_ctx.db.write() as s:
        s.execute(update(Event).where(Event.seq == seq).values(**values))
    after = load_event(desk_ctx, seq)
    assert (after.payload, after.kind, after.actor) == (before.payload, before.kind, before.actor)


def test_sync_bookkeeping_may_be_updated(desk_ctx: DeskContext) -> None:
    seq = record_event(desk_ctx)
    pushed = OCCURRED + dt.timedelta(minutes=5)
    with desk_ctx.db.write() as s:
        s.execute(update(Event).where(Event.seq == seq).values(pushed_at=pushed, server_seq=4711))
    event = load_event(desk_ctx, seq)
    assert (event.pushed_at, event.server_seq) == (pushed, 4711)


def test_a_refused_rewrite_rolls_back_the_whole_transaction(desk_ctx: DeskContext) -> None:
    seq = record_event(desk_ctx)

    def allowed_update_then_delete() -> None:
        with desk_ctx.db.write() as s:
            s.execute(update(Event).where(Event.seq == seq).values(pushed_at=OCCURRED))
            s.execute(delete(Event).where(Event.seq == seq))

    with pytest.raises(IntegrityError):
        allowed_update_then_delete()
    assert load_event(desk_ctx, seq).pushed_at is None


def test_raw_sql_cannot_delete_events_either(desk_ctx: DeskContext) -> None:
    record_event(desk_ctx)
    conn = connect_desk(desk_ctx.data_dir / DATABASE_FILE)
    try:
        with pytest.raises(cipher.driver.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
    finally:
        conn.close()


def test_insert_or_replace_cannot_rewrite_an_event(desk_ctx: DeskContext) -> None:
    seq = record_event(desk_ctx)
    with pytest.raises(IntegrityError, match="append-only"), desk_ctx.db.write() as s:
        s.execute(
            text(
                "INSERT OR REPLACE INTO events (seq, uuid, kind, payload, occurred_at, actor, "
                "origin_agency_code, origin_desk, origin_seq, is_local) "
                "SELECT seq, uuid, 'forged', '{}', occurred_at, 'intruder', "
                "origin_agency_code, origin_desk, origin_seq, is_local FROM events WHERE seq = :s"
            ),
            {"s": seq},
        )
    assert load_event(desk_ctx, seq).kind == "dossier.received"


def test_audit_log_refuses_update(desk_ctx: DeskContext) -> None:
    entry = record_audit(desk_ctx)
    with pytest.raises(IntegrityError, match="append-only"), desk_ctx.db.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == entry).values(detail="sửa"))
    with desk_ctx.db.read() as s:
        assert s.get(AuditEntry, entry).detail == "Mẫu 01"  # type: ignore[union-attr]


def test_audit_log_refuses_delete(desk_ctx: DeskContext) -> None:
    entry = record_audit(desk_ctx)
    with pytest.raises(IntegrityError, match="append-only"), desk_ctx.db.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == entry))
    with desk_ctx.db.read() as s:
        assert s.get(AuditEntry, entry) is not None


def test_audit_log_accepts_new_entries(desk_ctx: DeskContext) -> None:
    first, second = record_audit(desk_ctx), record_audit(desk_ctx)
    assert second > first
