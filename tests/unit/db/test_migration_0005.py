"""Revision 0005 on a database written by 0004: events become version 1 and stay
append-only, and every dossier gets holder, original appointment, pauses and
classification folded from the events it already has."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pytest_alembic import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from tests.unit.db.test_migrations import alembic_config, alembic_engine

__all__ = ["alembic_config", "alembic_engine"]  # fixtures, imported for pytest

AGENCY = "000.20.33.H12"
RECEIVED = dt.datetime(2026, 11, 23, 9, 0)
DUE = dt.datetime(2026, 11, 26, 17, 0)


def dossier(
    uuid: str, code: str, status: str, returned_at: dt.datetime | None = None
) -> dict[str, Any]:
    return {
        "uuid": uuid, "code": code, "lookup_pin": "A1B2C3", "procedure_code": "XA.HT.04",
        "procedure_name": "Xác nhận tình trạng hôn nhân", "status": status,
        "channel": "in_person", "applicant_name": "Trần Thị Hồng Nhung",
        "applicant_name_folded": "tran thi hong nhung", "applicant_phone": "",
        "applicant_address": "Ấp 3", "request_text": "", "documents": [], "sets_count": 1,
        "notes": "", "duration_kind": "working_days", "duration_value": 3,
        "received_at": RECEIVED, "due_at": DUE, "received_by": "lan.nt",
        "received_by_name": "Nguyễn Thị Lan", "origin_agency_code": AGENCY, "origin_desk": 1,
        "returned_at": returned_at, "updated_at": RECEIVED,
    }  # fmt: skip


_seq = iter(range(1, 100))


def event(dossier_uuid: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    n = next(_seq)
    return {
        "uuid": f"0195f0a0-0000-7000-8000-{n:012d}", "dossier_uuid": dossier_uuid,
        "kind": kind, "payload": payload, "occurred_at": RECEIVED, "actor": "lan.nt",
        "origin_agency_code": AGENCY, "origin_desk": 1, "origin_seq": n, "is_local": True,
    }  # fmt: skip


def snapshot(code: str) -> dict[str, Any]:
    return {"code": code, "status": "received", "received_at": RECEIVED.isoformat(),
            "due_at": DUE.isoformat(), "received_by": "lan.nt"}  # fmt: skip


def moved(frm: str, to: str, at: dt.datetime) -> dict[str, Any]:
    return {"from": frm, "to": to, "note": "", "at": at.isoformat(timespec="seconds")}


def projection(conn: Connection, uuid: str) -> dict[str, Any]:
    row = conn.execute(
        text(
            "SELECT status, holder, original_due_at, pauses, classification, returned_at "
            "FROM dossiers WHERE uuid = :u"
        ),
        {"u": uuid},
    ).one()
    return {**row._asdict(), "pauses": json.loads(row.pauses)}


def test_a_0004_database_opens_with_its_projection_folded(
    alembic_runner: MigrationContext, alembic_engine: Connection
) -> None:
    alembic_runner.migrate_up_to("0004")
    returned_at = dt.datetime(2026, 11, 25, 15, 0)
    alembic_runner.insert_into(
        "dossiers",
        [
            dossier("d-still", f"{AGENCY}-261123-1001", "received"),
            dossier("d-done", f"{AGENCY}-261123-1002", "returned", returned_at),
            dossier("d-waits", f"{AGENCY}-261123-1003", "waiting_supplement"),
        ],
    )
    alembic_runner.insert_into(
        "events",
        [
            event("d-still", "dossier.received", snapshot(f"{AGENCY}-261123-1001")),
            event("d-done", "dossier.received", snapshot(f"{AGENCY}-261123-1002")),
            event("d-done", "dossier.status_changed", moved("received", "waiting_supplement",
                                                            dt.datetime(2026, 11, 23, 10, 0))),
            event("d-done", "dossier.status_changed", moved("waiting_supplement", "in_progress",
                                                            dt.datetime(2026, 11, 24, 8, 0))),
            event("d-done", "dossier.status_changed", moved("in_progress", "result_ready",
                                                            dt.datetime(2026, 11, 25, 9, 0))),
            event("d-done", "dossier.status_changed", moved("result_ready", "returned",
                                                            returned_at)),
            event("d-waits", "dossier.received", snapshot(f"{AGENCY}-261123-1003")),
            event("d-waits", "dossier.status_changed", moved("received", "waiting_supplement",
                                                             dt.datetime(2026, 11, 24, 14, 30))),
            event(None, "calendar.override_set",  # type: ignore[arg-type]
                  {"day": "2026-12-31", "kind": "day_off", "reason": "QĐ 12"}),
        ],
    )  # fmt: skip
    alembic_runner.migrate_up_one()
    conn = alembic_engine

    assert projection(conn, "d-still") == {
        "status": "received", "holder": "lan.nt", "original_due_at": "2026-11-26 17:00:00.000000",
        "pauses": [], "classification": None, "returned_at": None,
    }  # fmt: skip
    assert projection(conn, "d-done") == {
        "status": "returned", "holder": "lan.nt", "original_due_at": "2026-11-26 17:00:00.000000",
        "pauses": [{"started_at": "2026-11-23T10:00:00", "ended_at": "2026-11-24T08:00:00",
                    "reason": "waiting_supplement"}],
        "classification": "early", "returned_at": "2026-11-25 15:00:00.000000",
    }  # fmt: skip
    waits = projection(conn, "d-waits")
    assert (waits["status"], waits["classification"]) == ("waiting_supplement", None)
    assert waits["pauses"] == [
        {"started_at": "2026-11-24T14:30:00", "ended_at": None, "reason": "waiting_supplement"}
    ]
    assert conn.execute(text("SELECT DISTINCT version FROM events")).all() == [(1,)]

    # Still append-only, the new column included.
    for sql in (
        "UPDATE events SET version = 2 WHERE origin_seq = 1",
        "UPDATE events SET kind = 'x' WHERE origin_seq = 1",
        "DELETE FROM events WHERE origin_seq = 1",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            conn.execute(text(sql))
