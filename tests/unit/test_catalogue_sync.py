"""A catalogue version an administrator loads is a commune event: recorded with the
load, loaded by another desk when pulled (once), set aside when its list is refused."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import event_schema
from desk_app.catalogue import DEFAULT_CATALOGUE
from desk_app.clock import FixedClock, utc_naive
from desk_app.context import DeskContext
from desk_app.db.models import Event, PulledSetAside
from desk_app.dossiers import apply_pulled
from desk_app.dossiers.pulled import CatalogueRefusedError, SetAsideError, set_aside
from tests.unit.intake_fixtures import (
    ADMIN,
    MARRIAGE_STATUS,
    NOW,
    OFFICER,
    PROFILE,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]

FROM = NOW.date() + dt.timedelta(days=7)


def changed_catalogue(tmp_path: Path) -> Path:
    data = json.loads(DEFAULT_CATALOGUE.read_bytes())
    target = next(p for p in data["procedures"] if p["code"] == MARRIAGE_STATUS)
    target["duration"] = {"kind": "working_days", "value": 10}
    path = tmp_path / "tinh.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def other(tmp_path: Path) -> Any:
    ctx = DeskContext.open(tmp_path / "desk2", FixedClock(NOW))
    ctx.profiles.save(dataclasses.replace(PROFILE, desk_number=2), utc_naive(ctx.clock))
    yield ctx
    ctx.close()


def pull(ctx: DeskContext, payload: dict[str, Any], seq: int = 1, uuid: str = "") -> Event:
    """Store a pulled catalogue event in ``ctx`` and apply it as the sync does."""
    with ctx.db.write() as s:
        event = Event(
            uuid=uuid or f"00000000-0000-4000-8000-{seq:012d}", dossier_uuid=None,
            kind="catalogue.version_loaded", version=1, payload=payload,
            occurred_at=utc_naive(ctx.clock), actor=ADMIN.username,
            origin_agency_code=PROFILE.agency_code, origin_desk=1, origin_seq=seq,
            is_local=False, server_seq=seq,
        )  # fmt: skip
        s.add(event)
        s.flush()
        try:
            apply_pulled(s, event, own=False)
        except SetAsideError as exc:
            set_aside(s, event, exc, utc_naive(ctx.clock))
        s.expunge(event)
    return event


def versions(ctx: DeskContext) -> list[tuple[str, dt.date]]:
    return [(label, eff) for _, label, eff, _ in ctx.catalogue.versions()]


def test_applying_an_import_records_one_commune_event(desk: DeskContext, tmp_path: Path) -> None:
    preview = desk.catalogue_import.preview(changed_catalogue(tmp_path), FROM)
    assert desk.catalogue_import.apply(preview, ADMIN)
    assert not desk.catalogue_import.apply(preview, ADMIN)  # once: no second event
    (kind, raw, actor, dossier) = rows(
        desk, "SELECT kind, payload, actor, dossier_uuid FROM events"
    )[0]
    assert (kind, actor, dossier) == ("catalogue.version_loaded", ADMIN.username, None)
    assert len(rows(desk, "SELECT seq FROM events")) == 1
    payload = event_schema.parse(kind, 1, json.loads(raw))
    assert isinstance(payload, event_schema.CatalogueVersionLoadedV1)
    assert (payload.effective_from, payload.source_name) == (FROM, "tinh.json")
    assert payload.data["format"] == 2
    assert versions(desk)[0][1] == FROM
    found = desk.catalogue.find(MARRIAGE_STATUS, FROM)
    assert found is not None and found.duration.value == 10
    assert rows(desk, "SELECT COUNT(*) FROM audit_log WHERE action='catalogue_loaded'") == [(1,)]


def test_another_desk_loads_it_once_and_keeps_its_dossiers(
    desk: DeskContext, other: DeskContext, tmp_path: Path
) -> None:
    before = other.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    query = "SELECT due_at, duration_value, procedure_id FROM dossiers WHERE code = :c"
    kept = rows(other, query, c=before.code)
    assert kept[0][1] == 3
    preview = desk.catalogue_import.preview(changed_catalogue(tmp_path), FROM)
    desk.catalogue_import.apply(preview, ADMIN)
    (uuid, raw) = rows(desk, "SELECT uuid, payload FROM events")[0]
    shipped = other.catalogue.find(MARRIAGE_STATUS, FROM)
    assert shipped is not None and shipped.duration.value == 3

    pull(other, json.loads(raw), uuid=uuid)
    assert versions(other)[0][1] == FROM
    found = other.catalogue.find(MARRIAGE_STATUS, FROM)
    assert found is not None and found.duration.value == 10
    still = other.catalogue.find(MARRIAGE_STATUS, FROM - dt.timedelta(days=1))
    assert still is not None and still.duration.value == 3
    assert rows(other, query, c=before.code) == kept

    count = len(versions(other))
    pull(other, json.loads(raw), seq=2)  # the same version again: nothing changes
    assert len(versions(other)) == count
    assert rows(other, "SELECT COUNT(*) FROM pulled_set_aside") == [(0,)]


def test_a_list_the_loader_refuses_is_set_aside_with_its_reason(
    desk: DeskContext, other: DeskContext, tmp_path: Path
) -> None:
    preview = desk.catalogue_import.preview(changed_catalogue(tmp_path), FROM)
    desk.catalogue_import.apply(preview, ADMIN)
    (raw,) = rows(desk, "SELECT payload FROM events")[0]
    bad = json.loads(raw)
    bad["data"]["procedures"][0]["documents"] = [{"name": "Tờ khai", "kind": "photo", "count": 1}]
    count = len(versions(other))
    event = pull(other, bad)
    assert len(versions(other)) == count
    with other.db.read() as s:
        row = s.get(PulledSetAside, event.uuid)
        assert row is not None
        assert row.code == CatalogueRefusedError.default_code
        assert "loại (kind) phải là một trong" in row.reason


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["data"].update(format=1),
        lambda p: p["data"].update(effective_from="2020-01-01"),
        lambda p: p.update(data=[1, 2]),
        lambda p: p["data"].update(padding="x" * event_schema.MAX_CATALOGUE_BYTES),
        lambda p: p.update(extra=1),
    ],
    ids=["format 1", "another date", "not an object", "too large", "unknown field"],
)
def test_a_payload_without_its_shape_is_set_aside_as_unreadable(
    desk: DeskContext, other: DeskContext, tmp_path: Path, change: Any
) -> None:
    preview = desk.catalogue_import.preview(changed_catalogue(tmp_path), FROM)
    desk.catalogue_import.apply(preview, ADMIN)
    (raw,) = rows(desk, "SELECT payload FROM events")[0]
    bad = copy.deepcopy(json.loads(raw))
    change(bad)
    with pytest.raises(event_schema.PayloadError):
        event_schema.parse("catalogue.version_loaded", 1, bad)
    count = len(versions(other))
    event = pull(other, bad)
    assert len(versions(other)) == count
    assert rows(other, "SELECT code FROM pulled_set_aside WHERE event_uuid = :u", u=event.uuid) == [
        ("sync.event_unreadable",)
    ]


def test_the_shipped_catalogue_fits_well_inside_the_limit() -> None:
    data = json.loads(DEFAULT_CATALOGUE.read_bytes())
    assert event_schema.catalogue.catalogue_size(data) < event_schema.MAX_CATALOGUE_BYTES / 3
