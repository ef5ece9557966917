"""scripts/build_catalogue.py: the reference's texts turned into catalogue values."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from desk_app.catalogue import parse_catalogue

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_catalogue.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalogue", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


build = _load()


@pytest.mark.parametrize(
    ("text", "kind", "value", "flags"),
    [
        ("Trong ngày tiếp nhận (Cổng: 1, không ghi đơn vị)", "same_day", None, []),
        ("5 Ngày làm việc", "working_days", 5, []),
        ("03 ngày làm việc (Cổng: 3)", "working_days", 3, []),
        ("10 Ngày", "calendar_days", 10, []),
        ("1 Giờ", "working_hours", 1, []),
        ("Cổng: 5 (không ghi đơn vị)", "working_days", 5, ["duration_unit_assumed"]),
        ("Không có thông tin trên Cổng", "none", None, ["duration_blank"]),
        ("Chưa xác minh", "none", None, ["duration_blank"]),
        (
            "Chưa xác minh từ Cổng (nguồn phụ: 25 ngày làm việc)",
            "working_days",
            25,
            ["duration_unverified"],
        ),
        ("Không quy định thời gian thực hiện (Cổng: N/A)", "none", None, []),
        (
            "Dịch vụ bưu chính: 30 Ngày; Trực tiếp: 40 Ngày",
            "calendar_days",
            40,
            ["duration_by_channel"],
        ),
        (
            "Cấp lại: 01 ngày làm việc; cấp đổi: 03 ngày làm việc (trình tự trên Cổng; "
            "cột Thời gian: 1)",
            "working_days",
            3,
            ["duration_several", "duration_conflict"],
        ),
        ("15 ngày kể từ ngày bắt đầu rà soát", "calendar_days", 15, ["duration_start"]),
        ("03 ngày làm việc (trang Cổng cũ)", "working_days", 3, ["duration_unverified"]),
    ],
)
def test_duration_texts(text: str, kind: str, value: int | None, flags: list[str]) -> None:
    built = build.convert_duration("9.999999", text, "")
    assert built.duration == (
        {"kind": kind, "value": value} if value is not None else {"kind": kind}
    )
    assert [f["code"] for f in built.review] == flags


def test_the_law_beside_a_bare_number_wins_and_the_note_says_so() -> None:
    built = build.convert_duration("1.004859", "Cổng: 1 (không ghi đơn vị)", "CẦN ĐỐI CHIẾU: …")
    assert built.duration == {"kind": "working_days", "value": 3}
    assert "Luật Hộ tịch" in built.note
    assert [f["code"] for f in built.review] == ["duration_conflict"]


def test_reviewer_remarks_leave_the_officer_note() -> None:
    condition = (
        'Cổng DVCQG bản 2026: cột Thời gian "Không có thông tin". Nguồn phụ (Cổng cũ, index '
        "id 69473521909): trong ngày tiếp nhận; sau 15 giờ → ngày làm việc tiếp theo"
    )
    note, remarks = build.split_condition(condition)
    assert note == "Nguồn phụ: trong ngày tiếp nhận; sau 15 giờ → ngày làm việc tiếp theo"
    assert any("index id" in r for r in remarks)
    assert any("Cổng DVCQG" in r for r in remarks)


def test_documents_list() -> None:
    text = (
        "Tờ khai (1 bản chính, 1 bản sao); Hộ chiếu/Thẻ căn cước… (1 bản chính); "
        "Trường hợp ủy quyền: văn bản ủy quyền (1 bản chính); Giấy khai sinh (1 bản sao); "
        "Giấy khai sinh (1 bản sao); Bản vẽ (2 bản chính); Đơn (181 bản chính, 1 bản sao); "
        "… (+4 mục khác, xem nguồn)"
    )
    docs = build.convert_documents(text)
    assert docs.items == [
        {"name": "Tờ khai", "kind": "original", "count": 1},
        {"name": "Hộ chiếu/Thẻ căn cước…", "kind": "original", "count": 1},
        {"name": "Giấy khai sinh", "kind": "copy", "count": 1},
        {"name": "Bản vẽ", "kind": "original", "count": 2},
        {"name": "Đơn", "kind": "original", "count": 1},
        {"name": "Trường hợp ủy quyền: văn bản ủy quyền", "kind": "original", "count": 1},
    ]
    codes = [f["code"] for f in docs.review]
    assert codes == [
        "documents_list_cut",
        "documents_count_suspect",
        "documents_kind_both",
        "documents_repeated",
        "documents_name_cut",
    ]


def test_a_documents_list_not_from_the_portal() -> None:
    docs = build.convert_documents(
        "Theo cấu hình ứng dụng: Đơn đề nghị (Mẫu số 01); Bản sao giấy tờ liên quan; "
        "Bản sao chứng thực Bằng Tổ quốc ghi công"
    )
    assert [(d["name"], d["kind"]) for d in docs.items] == [
        ("Đơn đề nghị (Mẫu số 01)", "original"),
        ("Bản sao giấy tờ liên quan", "copy"),
        ("Bản sao chứng thực Bằng Tổ quốc ghi công", "certified_copy"),
    ]
    assert [f["code"] for f in docs.review] == ["documents_not_from_portal"]


def test_an_unparsable_documents_text_stops_the_build() -> None:
    with pytest.raises(ValueError, match="unparsed documents text"):
        build.convert_documents("Tờ khai (1 bản chính); Giấy tờ không ghi số bản")


@pytest.mark.parametrize(
    ("fee", "kept", "flags"),
    [
        ("Cổng: Miễn phí", "Cổng: Miễn phí", []),
        ("Chưa xác minh", "", ["fee_blank"]),
        ("Cổng: Không có thông tin", "", ["fee_blank"]),
        (
            "Lệ phí do HĐND tỉnh quyết định",
            "Lệ phí do HĐND tỉnh quyết định",
            ["fee_set_by_council"],
        ),
    ],
)
def test_fees(fee: str, kept: str, flags: list[str]) -> None:
    text, review = build.convert_fee(fee)
    assert text == kept
    assert [f["code"] for f in review] == flags


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_built_file_loads_and_leaves_the_police_procedures_out(tmp_path: Path) -> None:
    row: dict[str, Any] = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "duration": "Trong ngày tiếp nhận (Cổng: 1, không ghi đơn vị)",
        "duration_condition": "Tiếp nhận sau 15 giờ: trả kết quả trong ngày làm việc tiếp theo",
        "fee": "Cổng: Miễn phí",
        "documents": "Tờ khai đăng ký khai sinh (1 bản chính)",
        "source": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x",
        "confidence": "confirmed",
    }
    police = dict(row, code="1.004222", name="Đăng ký thường trú", field=build.POLICE_FIELD)
    source = tmp_path / "reference.csv"
    source.write_text(_csv([row, police]), encoding="utf-8")
    out = tmp_path / "catalogue.json"
    assert build.main([str(source), "--effective-from", "2026-07-01", "--out", str(out)]) == 0
    data = parse_catalogue(out.read_bytes(), out.name)
    assert data["format"] == 2 and data["effective_from"] == "2026-07-01"
    assert [p["code"] for p in data["procedures"]] == ["1.001193"]
    birth = data["procedures"][0]
    assert birth["duration"] == {"kind": "same_day"}
    assert birth["source"] == row["source"] and birth["review"] == []
    assert json.loads(out.read_text(encoding="utf-8")) == data
