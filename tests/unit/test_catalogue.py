"""The procedure catalogue: shipped data, versions by effective date, strict loading, search."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk_app.catalogue import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    ProcedureInfo,
    ReviewFlag,
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
    assert len(procs) == 90
    birth = by_code(procs)["1.001193"]
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.national_code == "1.001193"
    assert birth.field == "Hộ tịch"
    assert birth.duration.kind == "same_day"
    assert birth.documents, "the required documents are listed"
    assert "dichvucong.gov.vn" in birth.source
    assert birth.confidence == "confirmed"


def test_shipped_catalogue_has_national_codes_only(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert all(re.fullmatch(r"[123]\.\d{6}", p.code) for p in procs)
    assert all(p.national_code == p.code for p in procs)


def test_residence_procedures_are_left_to_the_commune_police(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert not [p for p in procs if "cư trú" in p.field]
    assert "1.004222" not in by_code(procs)  # Đăng ký thường trú
    # The joint birth + residence procedure is the civil-status desk's own, and stays.
    assert by_code(procs)["2.000986"].field == "Hộ tịch"


@pytest.mark.parametrize(
    ("code", "kind", "value", "flags"),
    [
        ("1.001193", "same_day", None, set()),  # "Trong ngày tiếp nhận"
        ("1.003583", "working_days", 5, set()),  # "5 Ngày làm việc"
        ("1.004772", "working_days", 5, {"duration_unit_assumed"}),  # "Cổng: 5 (không ghi đơn vị)"
        ("1.004859", "working_days", 3, {"duration_conflict"}),  # portal 1, law 3 working days
        ("2.000779", "calendar_days", 10, set()),  # "10 Ngày"
        ("2.001019", "none", None, {"duration_blank"}),  # certification, nothing published
        ("1.012812", "calendar_days", 40, {"duration_by_channel"}),  # in person: 40 Ngày
        ("1.013978", "working_days", 27, {"duration_by_channel"}),
        (
            "2.000575",
            "working_days",
            3,
            {"duration_several", "duration_conflict"},
        ),  # 01 or 03 working days
        ("1.001653", "none", None, {"duration_blank"}),  # social assistance, unverified
    ],
)
def test_shipped_durations_and_their_review_flags(
    desk_ctx: DeskContext, code: str, kind: str, value: int | None, flags: set[str]
) -> None:
    p = by_code(desk_ctx.catalogue.in_force(TODAY))[code]
    assert (p.duration.kind, p.duration.value) == (kind, value)
    duration_flags = {f.code for f in p.review if f.field == "duration"}
    assert duration_flags == flags


def test_unverified_values_are_flagged_for_the_administrator(desk_ctx: DeskContext) -> None:
    procs = by_code(desk_ctx.catalogue.in_force(TODAY))
    likely = [p for p in procs.values() if p.confidence == "likely"]
    assert len(likely) == 8
    assert all(p.review[0].code == "confidence_likely" for p in likely)
    # A fee the provincial council sets, and a fee the reference does not know.
    assert "fee_set_by_council" in {f.code for f in procs["1.001612"].review}
    assert procs["1.013855"].fee_text == ""
    assert "fee_blank" in {f.code for f in procs["1.013855"].review}
    # Names cut with "…" stay as they are, flagged; a cut list says how much is missing.
    birth = procs["1.001193"]
    assert any(d.name.endswith("…") for d in birth.documents)
    assert "documents_name_cut" in {f.code for f in birth.review}
    land = {f.code: f.detail for f in procs["1.013978"].review}
    assert "11" in land["documents_list_cut"]
    # Every flag says something to the administrator.
    assert all(f.detail.strip() for p in procs.values() for f in p.review)


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
        assert info.duration_note == raw["duration_note"]
        assert info.fee_text == raw["fee"]
        assert info.source == raw["source"]
        assert info.confidence == raw["confidence"]
        assert [f.to_json() for f in info.review] == raw["review"]


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
        if p["code"] == "1.004873":
            p["duration"] = {"kind": "working_days", "value": 5}
    return data


def test_newer_version_applies_from_its_date_and_old_rows_stay(
    desk_ctx: DeskContext, tmp_path: Path
) -> None:
    old = by_code(desk_ctx.catalogue.in_force(TODAY))["1.004873"]
    assert old.duration.value == 3

    path = write_catalogue(tmp_path / "catalogue-2027.json", newer_catalogue())
    assert desk_ctx.catalogue.load_file(path, NOW) is True
    assert counts(desk_ctx) == (2, 2 * len(SHIPPED["procedures"]))

    before = by_code(desk_ctx.catalogue.in_force(dt.date(2026, 12, 31)))["1.004873"]
    after = by_code(desk_ctx.catalogue.in_force(dt.date(2027, 1, 1)))["1.004873"]
    assert before == old, "until its effective date the old version is in force"
    assert after.duration.value == 5
    assert after.id != old.id
    # A dossier received in 2026 keeps the row it references, unchanged.
    assert desk_ctx.catalogue.get(old.id) == old
    # Asking about an earlier day again after the cache saw the new version.
    assert by_code(desk_ctx.catalogue.in_force(TODAY))["1.004873"] == old


def test_loading_the_newer_file_twice_is_a_no_op(desk_ctx: DeskContext, tmp_path: Path) -> None:
    path = write_catalogue(tmp_path / "catalogue-2027.json", newer_catalogue())
    assert desk_ctx.catalogue.load_file(path, NOW) is True
    assert desk_ctx.catalogue.load_file(path, NOW) is False
    assert counts(desk_ctx) == (2, 2 * len(SHIPPED["procedures"]))


def test_a_format_1_file_still_loads_without_provenance(
    desk_ctx: DeskContext, tmp_path: Path
) -> None:
    data = newer_catalogue()
    data["format"] = 1
    for p in data["procedures"]:
        for key in ("source", "confidence", "review"):
            del p[key]
    assert desk_ctx.catalogue.load_file(write_catalogue(tmp_path / "v1.json", data), NOW)
    birth = by_code(desk_ctx.catalogue.in_force(dt.date(2027, 1, 1)))["1.001193"]
    assert (birth.source, birth.confidence, birth.review) == ("", None, ())
    assert birth.admin_json() == {"source": "", "confidence": None, "flags": []}


def test_review_flags_are_kept_apart_from_what_the_officer_sees(desk_ctx: DeskContext) -> None:
    p = by_code(desk_ctx.catalogue.in_force(TODAY))["1.004859"]
    assert p.review[0] == ReviewFlag("duration_conflict", "duration", p.review[0].detail)
    assert "review" not in p.to_json() and "source" not in p.to_json()
    assert p.admin_json()["flags"][0]["code"] == "duration_conflict"
    assert "Luật" in p.duration_note  # the officer reads the rule applied, not the doubt


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
        _delete(("procedures", 0, "name")), r"1\.001193.*thiếu trường 'name'", id="missing-name"
    ),
    pytest.param(
        _delete(("effective_from",)), "thiếu trường 'effective_from'", id="missing-effective"
    ),
    pytest.param(_set(("effective_from",), "2027-13-01"), "không phải một ngày", id="bad-date"),
    pytest.param(_set(("procedures",), []), "không có thủ tục nào", id="no-procedures"),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "weeks", "value": 2}),
        r"1\.004772.*thời hạn \(duration\) không hợp lệ: kind 'weeks'",
        id="bad-duration-kind",
    ),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days"}),
        r"1\.004772.*duration",
        id="duration-without-count",
    ),
    pytest.param(
        _set(("procedures", 0, "documents", 0, "count"), 0),
        r"1\.001193: giấy tờ #1: số bản \(count\) phải từ 1 trở lên",
        id="count-0",
    ),
    pytest.param(
        _set(("procedures", 0, "documents", 0, "kind"), "photocopy"),
        r"giấy tờ #1: loại \(kind\) phải là một trong",
        id="bad-document-kind",
    ),
    pytest.param(
        _set(("procedures", 0, "field"), 7),
        r"trường 'field' phải là chuỗi chữ \(str\)",
        id="field-not-text",
    ),
    pytest.param(_repeat_first_code, r"1\.001193.*repeated", id="repeated-code"),
    pytest.param(
        _set(("format",), 3),
        r"định dạng \(format\) 3 không phải loại quầy này đọc được",
        id="format-3",
    ),
    pytest.param(
        _set(("procedures", 0, "confidence"), "maybe"),
        r"1\.001193: confidence phải là một trong confirmed, likely",
        id="bad-confidence",
    ),
    pytest.param(
        _set(("procedures", 0, "review"), "check the fee"),
        r"1\.001193: trường 'review' phải là danh sách \(list\)",
        id="review-not-a-list",
    ),
    pytest.param(
        _set(("procedures", 0, "review", 0, "detail"), " "),
        r"1\.001193: điểm cần rà soát \(review\) #1: trường 'detail' đang trống",
        id="review-flag-without-detail",
    ),
    pytest.param(
        _delete(("procedures", 0, "review", 0, "code")),
        r"1\.001193: điểm cần rà soát \(review\) #1: thiếu trường 'code'",
        id="review-flag-without-code",
    ),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days", "value": "3"}),
        r"1\.004772.*duration",
        id="duration-count-as-text",
    ),
    pytest.param(
        _set(("procedures", 3, "duration"), {"kind": "working_days", "value": 2.5}),
        r"1\.004772.*duration",
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
        (b'{"label": "x", "effective_from": ', r"không phải JSON hợp lệ \(dòng 1, cột 34\)"),
        (b"\xff\xfe not utf-8", "không phải JSON hợp lệ"),
        (b'["a list"]', "cấp ngoài cùng phải là một đối tượng JSON"),
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
        ("chung thuc ban sao", "2.000815"),
        # "tu" is also in "thủ tục": the phrase and the plain procedure come first.
        ("khai tu", "1.000656"),
        ("ket hon", "1.000894"),
        ("giam ho", "1.004837"),
        ("ho kinh doanh", "1.001612"),
    ],
)
def test_search_puts_the_right_procedure_first(
    desk_ctx: DeskContext, query: str, expected_first: str
) -> None:
    hits = search_procedures(desk_ctx.catalogue.in_force(TODAY), query)
    assert hits, query
    assert hits[0].code == expected_first


def test_search_chung_thuc_finds_every_certification(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    hits = search_procedures(procs, "chung thuc")
    certification = {p.code for p in procs if p.field == "Chứng thực"}
    assert len(certification) == 12
    assert certification <= {h.code for h in hits}
    # Substrings match too ("chứng nhận … thực hiện"), but after every certification.
    named = [h.code for h in hits if h.field == "Chứng thực" or "chứng thực" in h.name.lower()]
    assert [h.code for h in hits[: len(named)]] == named


def test_search_dat_dai_folds_the_d_with_stroke(desk_ctx: DeskContext) -> None:
    hits = search_procedures(desk_ctx.catalogue.in_force(TODAY), "dat dai")
    assert {h.code for h in hits} == {"1.012812", "1.013967", "1.013978", "1.012817", "1.013979"}
    assert all(h.field == "Đất đai" for h in hits)


def test_search_requires_every_word(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert search_procedures(procs, "khai sinh dat dai") == []
    assert search_procedures(procs, "xyz khong co") == []


def test_empty_search_lists_everything(desk_ctx: DeskContext) -> None:
    procs = desk_ctx.catalogue.in_force(TODAY)
    assert search_procedures(procs, "   ") == procs
