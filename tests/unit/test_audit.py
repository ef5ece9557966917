"""The audit log: append-only in the database itself, newest first, never a full CCCD."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError

from desk_app import audit
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db import cipher
from desk_app.db.models import AuditEntry
from desk_app.intake import IntakeValidationError, RepresentativeInput
from tests.helpers.desk_files import connect_desk
from tests.unit.intake_fixtures import (
    CCCD,
    CHAIR,
    OFFICER,
    PASSWORD,
    count,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

AT = dt.datetime(2026, 11, 23, 2, 0)


def add_entry(ctx: DeskContext, ref: str = "000.20.33.H12-261123-1001") -> None:
    with ctx.db.write() as s:
        audit.record(
            s, at_utc=AT, username="lan.nt", action="print", object_type="dossier",
            object_ref=ref, detail="receipt",
        )  # fmt: skip


def test_recent_is_newest_first_and_filters_by_object(desk: DeskContext) -> None:
    base = count(desk, "audit_log")  # the template's account creations
    add_entry(desk, "A")
    add_entry(desk, "B")
    add_entry(desk, "A")
    newest = audit.recent(desk.db, limit=3)
    assert [r.object_ref for r in newest] == ["A", "B", "A"]
    assert len(audit.recent(desk.db)) == base + 3
    only_a = audit.recent(desk.db, object_ref="A")
    assert [(r.username, r.action, r.object_type, r.detail) for r in only_a] == [
        ("lan.nt", "print", "dossier", "receipt")
    ] * 2
    assert only_a[0].at == AT


def test_record_takes_an_aware_time_as_naive_utc(desk: DeskContext) -> None:
    with desk.db.write() as s:
        audit.record(
            s, at_utc=AT.replace(tzinfo=dt.UTC), username="x.y", action="lock",
            object_type="session", object_ref="x.y",
        )  # fmt: skip
    assert audit.recent(desk.db, limit=1)[0].at == AT


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET detail = 'sửa' WHERE id = (SELECT max(id) FROM audit_log)",
        "UPDATE audit_log SET at = '2020-01-01 00:00:00'",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_rewrite_the_log(desk: DeskContext, sql: str) -> None:
    add_entry(desk)
    before = rows(desk, "SELECT * FROM audit_log ORDER BY id")
    conn = connect_desk(desk.data_dir / DATABASE_FILE)
    try:
        with pytest.raises(cipher.driver.IntegrityError, match="append-only"):
            conn.execute(sql)
        conn.rollback()
    finally:
        conn.close()
    with pytest.raises(IntegrityError, match="append-only"), desk.db.write() as s:
        s.execute(text(sql))
    assert rows(desk, "SELECT * FROM audit_log ORDER BY id") == before


def test_the_orm_cannot_rewrite_the_log_either(desk: DeskContext) -> None:
    add_entry(desk)
    before = rows(desk, "SELECT * FROM audit_log ORDER BY id")
    with pytest.raises(IntegrityError), desk.db.write() as s:
        s.execute(update(AuditEntry).values(username="ai.do"))
    with pytest.raises(IntegrityError), desk.db.write() as s:
        s.execute(delete(AuditEntry))
    with desk.db.read() as s:
        entry = s.get(AuditEntry, before[-1][0])
    assert entry is not None
    with pytest.raises(IntegrityError), desk.db.write() as s:
        s.delete(s.merge(entry))
    assert rows(desk, "SELECT * FROM audit_log ORDER BY id") == before


def test_a_whole_working_day_never_logs_a_full_cccd(desk: DeskContext) -> None:
    rep_cccd = "075090001122"
    with pytest.raises(IntakeValidationError):  # a refused save logs nothing at all
        desk.intake.receive(request(applicant={"name": "Nhung"}), OFFICER)
    code = desk.intake.receive(
        request(representative=RepresentativeInput("Lê Văn Tám", cccd=rep_cccd)), OFFICER
    ).dossier.code
    desk.intake.receive(request(applicant={"cccd": "999301001234"}), OFFICER)
    desk.users.authenticate(OFFICER.username, PASSWORD)
    desk.intake.get(code, CHAIR)
    desk.intake.receipt(code, OFFICER)
    desk.intake.receipt(code, CHAIR, action="export")
    desk.intake.list_received(CHAIR)
    desk.lifecycle.change_status(code, "in_progress", OFFICER, note=f"CCCD {CCCD[:4]}…")
    actions = [a for (a,) in rows(desk, "SELECT action FROM audit_log ORDER BY id")]
    assert actions[-8:] == [
        "create",
        "create",
        "login",
        "view",
        "print",
        "export",
        "view",
        "change",
    ]  # the second view is the list of dossiers
    for row in rows(desk, "SELECT * FROM audit_log"):
        for value in row:
            for number in (CCCD, rep_cccd, "999301001234"):
                assert number not in str(value), row
