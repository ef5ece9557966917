"""The procedure catalogue: shipped data, versions by effective date, strict loading, search."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk_app.catalogue import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    ProcedureInfo,
    search_procedures,
)
from desk_app.context import DeskContext
from desk_app.db.models import CatalogueVersion, Procedure

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 2, 0)
SHIPPED: dict[str, Any] = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def counts(ctx: DeskContext) -> tuple[int, int]:
    with ctx.db.read() as s:
        versions = s.scalar(select(func.count()).select_from(CatalogueVersion))
        procedures = s.scalar(select(func.count()).select_from(Procedure))
    return int(versions or 0), int(procedures or 0)


def write_catalogue(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def by_code(procs: list[ProcedureInfo]) -> dict[str, ProcedureInfo]:
    return {p.code: p for p in procs}


# ------------------------------------------------------------------ the shipped catalogue


def test_shipped_catalogue_is_in_force(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert len(procs) >= 19
    birth = by_code(procs)["1.001193"]
    assert birth.name == "Đăng ký khai sinh"
    assert birth.field == "Hộ tịch"
    assert birth.duration.kind == "same_day"
    assert birth.documents, "the required documents are listed"


def test_shipped_catalogue_is_not_in_force_before_its_date(desk_ctx: DeskContext) -> None:
    effective = dt.date.fromisoformat(SHIPPED["effective_from"])
    assert desk_ctx.catalogue.in_force(effective - dt.timedelta(days=1)) == []
    assert desk_ctx.catalogue.in_force(effective)


def test_procedures_round_trip_the_file(desk_ctx: DeskContext) -> None:
    procs = by_code(desk_ctx.catalogue.in_force(TODAY))
    assert set(procs) == {p["code"] for p in SHIPPED["procedures"]}
    for raw in SHIPPED["procedures"]:
        info = procs[raw["code"]]
        assert info.name == raw["name"]
        assert info.duration.kind == raw["duration"]["kind"]
        assert info.duration.value == raw["duration"].get("value")
        assert [d.to_json() for d in info.documents] == raw["documents"]


def test_find_and_get(desk_ctx: DeskContext) -> None:
    found = desk_ctx.catalogue.find(" 1.001193 ", TODAY)
    assert found is not None
    assert desk_ctx.catalogue.get(found.id) == found
    assert desk_ctx.catalogue.find("9.999999", TODAY) is None
    assert desk_ctx.catalogue.get(10**9) is None


def test_loading_the_same_file_twice_is_a_no_op(desk_ctx: DeskContext) -> None:
    before = counts(desk_ctx)
    assert before == (1, len(SHIPPED["procedures"]))
    assert desk_ctx.catalogue.load_file(DEFAULT_CATALOGUE, NOW) is False
    desk_ctx.catalogue.ensure_default(NOW)
    assert counts(desk_ctx) == before


def test_reopening_the_database_does_not_reload(desk_ctx: DeskContext) -> None:
    desk_ctx.close()
    again = DeskContext.open(desk_ctx.data_dir, clock=desk_ctx.clock)
    try:
        assert counts(again) == (1, len(SHIPPED["procedures"]))
    finally:
        again.close()


# ------------------------------------------------------------------ a newer version


def newer_catalogue() -> dict[str, Any]:
    data = copy.deepcopy(SHIPPED)
    data["label"] = "2027-01 (Quyết định công bố 2026)"
    data["effective_from"] = "2027-01-01"
    for p in data["procedures"]:
        if p["code"] == "XA.HT.04":
            p["duration"] = {"kind": "working_days", "value": 5}
    return data


def test_newer_version_applies_from_its_date_and_old_rows_stay(
    desk_ctx: DeskContext, tmp_path: Path
) -> None:
    old = by_code(desk_ctx.catalogue.in_force(TODAY))["XA.HT.04"]
    assert old.duration.value == 3

    path = write_catalogue(tmp_path / "catalogue-2027.json", newer_catalogue())
    assert desk_ctx.catalogue.load_file(path, NOW) is True
    assert counts(desk_ctx) == (2, 2 * len(SHIPPED["procedures"]))

    before = by_code(desk_ctx.catalogue.in_force(dt.date(2026, 12, 31)))["XA.HT.04"]
    after = by_code(desk_ctx.catalogue.in_force(dt.date(2027, 1, 1)))["XA.HT.04"]
    assert before == old, "until its effective date the old version is in force"
    assert after.duration.value == 5
    assert after.id != old.id
    # A dossier received in 2026 keeps the row it references, unchanged.
    assert desk_ctx.catalogue.get(old.id) == old
    # Asking about an earlier day again after the cache saw the new version.
    assert by_code(desk_ctx.catalogue.in_force(TODAY))["XA.HT.04"] == old


def test_loading_the_newer_file_twice_is_a_no_op(desk_ctx: DeskContext, tmp_path: Path) -> None:
    path = write_catalogue(tmp_path / "catalogue-2027.json", newer_catalogue())
    assert desk_ctx.catalogue.load_file(path, NOW) is True
    assert desk_ctx.catalogue.load_file(path, NOW) is False
    assert counts(desk_ctx) == (2, 2 * len(SHIPPED["procedures"]))


# ------------------------------------------------------------------ malformed files

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _repeat_first_code(data: dict[str, Any]) -> None:
    data["procedures"][1]["code"] = data["procedures"][0]["code"] + " "


MALFORMED: list[Any] = [
    pytest.param(
        _delete(("procedures", 0, "name")), r"1\.001193.*missing field 'name'", id="missing-name"
    ),
    pytest.param(
        _delete(("effective_from",)), "missing field 'effective_from'", id="missing-effective"
    ),
    pytest.param(_set(("effective_from",), "2027-13-01"), "not a date", id="bad-date"),
    pytest.param(_set(("procedures",), []), "no procedure", id="no-procedures"),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "weeks", "value": 2}),
        r"XA\.HT\.04.*unknown duration kind 'weeks'",
        id="bad-duration-kind",
    ),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days"}),
        r"XA\.HT\.04.*duration",
        id="duration-without-count",
    ),
    pytest.param(
        _set(("procedures", 0, "documents", 0, "count"), 0),
        r"1\.001193: document #1: count must be at least 1",
        id="count-0",
    ),
    pytest.param(
        _set(("procedures", 0, "documents", 0, "kind"), "photocopy"),
        r"document #1: kind must be one of",
        id="bad-document-kind",
    ),
    pytest.param(
        _set(("procedures", 0, "field"), 7), r"field 'field' must be a str", id="field-not-text"
    ),
    pytest.param(_repeat_first_code, r"1\.001193.*repeated", id="repeated-code"),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days", "value": "3"}),
        r"XA\.HT\.04.*duration",
        id="duration-count-as-text",
    ),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days", "value": 2.5}),
        r"XA\.HT\.04.*duration",
        id="duration-count-fractional",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), MALFORMED)
def test_malformed_file_is_refused_naming_the_fault_and_writes_nothing(
    desk_ctx: DeskContext, tmp_path: Path, mutate: Mutation, message: str
) -> None:
    data = newer_catalogue()
    mutate(data)
    path = write_catalogue(tmp_path / "bad.json", data)
    before = counts(desk_ctx)
    with pytest.raises(CatalogueError, match=message):
        desk_ctx.catalogue.load_file(path, NOW)
    assert counts(desk_ctx) == before


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"label": "x", "effective_from": ', "not valid JSON"),
        (b"\xff\xfe not utf-8", "not valid JSON"),
        (b'["a list"]', "the top level must be an object"),
    ],
)
def test_unreadable_file_is_refused_and_writes_nothing(
    desk_ctx: DeskContext, tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    before = counts(desk_ctx)
    with pytest.raises(CatalogueError, match=f"broken.json: {message}"):
        desk_ctx.catalogue.load_file(path, NOW)
    assert counts(desk_ctx) == before


# ------------------------------------------------------------------ search


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("khai sinh", "1.001193"),
        ("KHAI SINH", "1.001193"),
        ("đăng ký khai sinh", "1.001193"),
        ("dang ky khai sinh", "1.001193"),
        ("1.001193", "1.001193"),
        ("1.0011", "1.001193"),
        ("chung thuc ban sao", "XA.CT.01"),
    ],
)
def test_search_puts_the_right_procedure_first(
    desk_ctx: DeskContext, query: str, expected_first: str
) -> None:
    hits = search_procedures(desk_ctx.catalogue.in_force(TODAY), query)
    assert hits, query
    assert hits[0].code == expected_first


def test_search_chung_thuc_finds_every_certification(desk_ctx: DeskContext) -> None:
    hits = search_procedures(desk_ctx.catalogue.in_force(TODAY), "chung thuc")
    assert len(hits) >= 4
    assert all(h.field == "Chứng thực" or "Chứng thực" in h.name for h in hits)


def test_search_dat_dai_folds_the_d_with_stroke(desk_ctx: DeskContext) -> None:
    hits = search_procedures(desk_ctx.catalogue.in_force(TODAY), "dat dai")
    assert {h.code for h in hits} == {"XA.DD.01", "XA.DD.02"}
    assert all(h.field == "Đất đai" for h in hits)


def test_search_requires_every_word(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert search_procedures(procs, "khai sinh dat dai") == []
    assert search_procedures(procs, "xyz khong co") == []


def test_empty_search_lists_everything(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert search_procedures(procs, "   ") == procs
