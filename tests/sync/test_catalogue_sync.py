"""A catalogue version an administrator loads on one desk reaches the other desks of the
commune through a real district server, in force from the same date; dossiers received
before keep the duration and due date they were received under."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from desk_app.catalogue import DEFAULT_CATALOGUE
from tests.sync.conftest import DESK_START, Desk, SharedServer, new_agency, settle


def test_a_loaded_catalogue_reaches_the_other_desk(
    shared_server: SharedServer, make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    agency = new_agency()
    one, two = make_desk(agency, 1), make_desk(agency, 2)
    for desk in (one, two):
        desk.enroll(shared_server.db_url, shared_server.url)
    (code,) = two.intake(1)
    query = "SELECT procedure_code, duration_value, due_at, procedure_id FROM dossiers"
    (kept,) = two.query(query + " WHERE code = ?", code)
    procedure = kept[0]
    old = two.ctx.catalogue.find(procedure, DESK_START.date())
    assert old is not None and old.duration.value is not None

    data = json.loads(DEFAULT_CATALOGUE.read_bytes())
    target = next(p for p in data["procedures"] if p["code"] == procedure)
    target["duration"] = {"kind": "working_days", "value": old.duration.value + 7}
    path = tmp_path / "danh-muc-tinh.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    start = DESK_START.date() + dt.timedelta(days=7)
    preview = one.ctx.catalogue_import.preview(path, start)
    assert one.ctx.catalogue_import.apply(preview, one.officer)
    settle([one, two])

    assert two.query("SELECT COUNT(*) FROM pulled_set_aside") == [(0,)]
    assert two.ctx.catalogue.versions()[0][2] == start
    now = two.ctx.catalogue.find(procedure, start)
    assert now is not None and now.duration.value == old.duration.value + 7
    before = two.ctx.catalogue.find(procedure, start - dt.timedelta(days=1))
    assert before is not None and before.duration.value == old.duration.value
    assert two.query(query + " WHERE code = ?", code) == [kept]
    # Loaded once on each desk, whoever pulls it back.
    for desk in (one, two):
        assert len(desk.ctx.catalogue.versions()) == 2
