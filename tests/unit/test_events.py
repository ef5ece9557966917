"""The JSON text pushed for an event says exactly what ``envelope`` says (the push path
splices the stored payload text instead of decoding and re-encoding it)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce

from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.db.models import Event
from desk_app.events import append_event, envelope, envelope_json


def test_envelope_json_matches_envelope(tmp_path: Path) -> None:
    ctx = DeskContext.open(tmp_path, FixedClock(dt.datetime(2026, 11, 23, 9, 0)))
    payload = {"name": "Nguyễn Thị Ánh Tuyết", "nested": {"đ": [1, 2.5, None, True]}, "q": '"'}
    try:
        with ctx.db.write() as s:
            append_event(
                s, kind="dossier.received", payload=payload, actor="lan.nt",
                agency_code="000.20.33.H12", desk=1,
                occurred_at_utc=dt.datetime(2026, 11, 23, 2, 0), dossier_uuid="d-1",
            )  # fmt: skip
        with ctx.db.read() as s:
            event = s.scalars(select(Event)).one()
            row = s.execute(
                select(
                    Event.uuid,
                    Event.dossier_uuid,
                    Event.kind,
                    type_coerce(Event.payload, Text),
                    Event.occurred_at,
                    Event.actor,
                    Event.origin_agency_code,
                    Event.origin_desk,
                    Event.origin_seq,
                )
            ).one()
        text = envelope_json(*row)
        assert json.loads(text) == envelope(event)
        assert "Nguyễn" in text  # stored compact UTF-8, not \\u escapes
    finally:
        ctx.close()


def test_an_event_needs_its_actor(tmp_path: Path) -> None:
    ctx = DeskContext.open(tmp_path, FixedClock(dt.datetime(2026, 11, 23, 9, 0)))
    try:
        with pytest.raises(ValueError, match="actor"), ctx.db.write() as s:
            append_event(
                s, kind="x", payload={}, actor=" ", agency_code="000.20.33.H12", desk=1,
                occurred_at_utc=dt.datetime(2026, 11, 23, 2, 0),
            )  # fmt: skip
        with ctx.db.read() as s:
            assert s.scalars(select(Event)).first() is None
    finally:
        ctx.close()
