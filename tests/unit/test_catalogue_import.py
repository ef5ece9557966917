"""Loading the province's list from JSON or XLSX: the difference shown first, the new
version in force from the chosen date, old dossiers keeping their durations and dates."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from desk_app.catalogue import DEFAULT_CATALOGUE, CatalogueError
from desk_app.catalogue_import import XLSX_COLUMNS, CatalogueImport, read_catalogue_file
from desk_app.context import DeskContext
from tests.unit.intake_fixtures import (
    ADMIN,
    MARRIAGE_STATUS,
    NOW,
    OFFICER,
    clock_of,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]


def shipped() -> dict[str, object]:
    return json.loads(DEFAULT_CATALOGUE.read_bytes())


def importer(ctx: DeskContext) -> CatalogueImport:
    return CatalogueImport(ctx.db, ctx.catalogue, ctx.clock, ctx.profiles)


def test_a_changed_duration_leaves_old_dossiers_alone(desk: DeskContext, tmp_path: Path) -> None:
    old = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    data = copy.deepcopy(shipped())
    procs = data["procedures"]
    assert isinstance(procs, list)
    target = next(p for p in procs if p["code"] == MARRIAGE_STATUS)
    target["duration"] = {"kind": "working_days", "value": 10}
    removed = procs.pop(0)
    procs.append({**copy.deepcopy(target), "code": "9.999999", "name": "Thủ tục thử mới"})
    path = tmp_path / "tinh.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    preview = importer(desk).preview(path, NOW.date() + dt.timedelta(days=7))
    diff = preview.diff
    assert diff.added == (("9.999999", "Thủ tục thử mới"),)
    assert [c for c, _ in diff.removed] == [removed["code"]]
    assert [(c.code, [f.field for f in c.changes]) for c in diff.changed] == [
        (MARRIAGE_STATUS, ["duration"])
    ]
    assert diff.changed[0].changes[0].new == "10 ngày làm việc"
    assert importer(desk).apply(preview, ADMIN)
    assert not importer(desk).apply(preview, ADMIN)  # the same version once

    (due_before,) = rows(desk, "SELECT due_at FROM dossiers WHERE code = :c", c=old.code)[0]
    clock_of(desk).advance(dt.timedelta(days=8))
    new = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    assert (new.duration_kind, new.duration_value) == ("working_days", 10)
    after = rows(desk, "SELECT due_at, duration_value FROM dossiers WHERE code = :c", c=old.code)
    assert after == [(due_before, 3)]
    assert rows(desk, "SELECT username, detail FROM audit_log WHERE action='catalogue_loaded'") == [
        (ADMIN.username, f"from {(NOW.date() + dt.timedelta(days=7)).isoformat()}; +1 -1 ~1")
    ]


def test_an_effective_date_before_the_catalogue_in_force_is_refused(
    desk: DeskContext, tmp_path: Path
) -> None:
    path = tmp_path / "tinh.json"
    path.write_bytes(DEFAULT_CATALOGUE.read_bytes())
    with pytest.raises(CatalogueError) as caught:
        importer(desk).preview(path, dt.date(2020, 1, 1))
    assert caught.value.code == "catalogue.effective_too_early"


def write_xlsx(path: Path, header: list[str], body: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in body:
        sheet.append(row)
    book.save(path)


def test_the_documented_xlsx_layout_reads(tmp_path: Path) -> None:
    path = tmp_path / "danh-muc-tinh.xlsx"
    header = [XLSX_COLUMNS[k] for k in ("name", "code", "field", "duration_kind",
                                        "duration_value", "fee", "documents")]  # fmt: skip
    write_xlsx(path, header, [
        ["Đăng ký khai sinh", "1.001193", "Hộ tịch", "same_day", None, "Miễn phí",
         "Tờ khai đăng ký khai sinh | original | 1\nGiấy chứng sinh | original"],
        ["Chứng thực bản sao", "2.000815", "Chứng thực", "working_days", 2, "2.000 đồng/trang",
         "Bản chính giấy tờ | original | 1"],
    ])  # fmt: skip
    data = read_catalogue_file(path)
    assert [p["code"] for p in data["procedures"]] == ["1.001193", "2.000815"]
    first = data["procedures"][0]
    assert first["documents"][1] == {"name": "Giấy chứng sinh", "kind": "original", "count": 1}
    assert data["procedures"][1]["duration"] == {"kind": "working_days", "value": 2}


def test_a_bad_xlsx_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    header = [XLSX_COLUMNS[k] for k in ("code", "name", "field", "duration_kind", "documents")]
    write_xlsx(path, header, [["1.1", "Tên", "Lĩnh vực", "working_days", "Giấy | scan | 1"]])
    with pytest.raises(CatalogueError, match="dòng 2"):
        read_catalogue_file(path)
    write_xlsx(path, header[:2], [["1.1", "Tên"]])
    with pytest.raises(CatalogueError, match="thiếu cột linh_vuc"):
        read_catalogue_file(path)
