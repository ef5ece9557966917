"""Build the shipped procedure catalogue from the commune-level reference list.

Run by hand from the repository root when the reference list changes::

    .venv/bin/python scripts/build_catalogue.py \\
        ../shared/catalogue/commune-procedures-2026.csv \\
        --effective-from 2026-07-01 \\
        --out resources/procedures/catalogue.json

then review the diff of ``catalogue.json`` and run ``tests/unit/test_catalogue.py``.

The reference (columns code, name, field, duration, duration_condition, fee, documents,
source, confidence) is the national portal's text. This script turns it into the
catalogue's format 2:

- Residence procedures (lĩnh vực "Đăng ký, quản lý cư trú") are left out: the commune
  police receive them, not the People's Committee's one-stop desk.
- Each duration text becomes a catalogue unit: same day, N working days, N calendar days
  (only where the portal writes "Ngày" without "làm việc"), or none. Where the portal
  gives a bare number without a unit, the number is read as working days and flagged;
  where the Civil Status Law's rule stands beside it (``LAW_RULES``), the law's rule is
  used and the note says so. A duration that differs by channel uses the in-person value
  (the desk receives in person). The condition text is kept as ``duration_note``; the
  reviewer's remarks in it (unverified, to cross-check, secondary sources) go to the
  review flags instead, so that the officer does not read them at intake.
- The documents list "name (1 bản chính); name (1 bản sao); …" becomes
  ``{name, kind, count}`` entries, those needed only in some cases last; names the
  reference cut with "…" stay as they are and are flagged, as are lists cut short
  ("+N mục khác"). "1 bản chính, 1 bản sao" is read as one original, flagged.
- Fee text is kept as given, except the bare markers of an unknown fee ("Chưa xác minh",
  "Không có thông tin"), which become empty and flagged.
- Every procedure keeps its ``source`` and ``confidence`` and gets a ``review`` list:
  what an administrator must check before trusting the value. The officer's intake
  screen never shows it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POLICE_FIELD = "Đăng ký, quản lý cư trú"

# Rows whose duration needs a judgement the text alone cannot give, with the reason.
# kind/value are the catalogue's; note replaces the condition text shown to the officer.
LAW_RULES: dict[str, dict[str, Any]] = {
    "1.000689": {
        "duration": {"kind": "working_days", "value": 3},
        "note": "03 ngày làm việc theo Luật Hộ tịch Đ25 (Cổng ghi 3, không ghi đơn vị); "
        "cần xác minh: thêm không quá 05 ngày làm việc.",
        "flag": None,
    },
    "1.004859": {
        "duration": {"kind": "working_days", "value": 3},
        "note": "03 ngày làm việc theo Luật Hộ tịch Đ28; cần xác minh: thêm không quá "
        "03 ngày làm việc; bổ sung thông tin hộ tịch: giải quyết ngay (Đ29), tiếp nhận "
        "sau 15 giờ thì hẹn ngày làm việc tiếp theo.",
        "flag": (
            "duration_conflict",
            "Cổng ghi 1 (không ghi đơn vị), Luật Hộ tịch Đ28 ghi 03 ngày làm việc "
            "(+03 nếu cần xác minh): danh mục dùng 03 ngày làm việc theo Luật.",
        ),
    },
    "1.004873": {
        "duration": {"kind": "working_days", "value": 3},
        "note": "03 ngày làm việc; người yêu cầu không nộp lại được Giấy xác nhận tình "
        "trạng hôn nhân cũ: trong 03 ngày làm việc cơ quan có văn bản trao đổi nơi dự định "
        "kết hôn trước để xác minh.",
        "flag": (
            "duration_unit_assumed",
            "Cổng ghi 3 (không ghi đơn vị); nguồn phụ (Cổng cũ) ghi 03 ngày làm việc, "
            "xác minh không quá 23 ngày: danh mục dùng 03 ngày làm việc.",
        ),
    },
    "2.001263": {
        "duration": {"kind": "calendar_days", "value": 30},
        "note": "Lấy ý kiến 10 ngày + thay đổi ý kiến 15 ngày + đăng ký, giao nhận 05 ngày; "
        "xác minh hoàn cảnh người nhận con nuôi: 05 ngày làm việc (UBND xã nơi ở hiện tại).",
        "flag": (
            "duration_derived",
            "Cổng không ghi thời hạn; 30 ngày là tổng các bước của trình tự trên Cổng "
            "(10 + 15 + 05 ngày).",
        ),
    },
    "1.011606": {
        "duration": {"kind": "none"},
        "note": "Thủ tục rà soát định kỳ hằng năm. Niêm yết/thông báo công khai 03 ngày làm "
        "việc; phúc tra khi có khiếu nại ≤07 ngày làm việc; Chủ tịch UBND tỉnh trả lời trong "
        "05 ngày làm việc.",
        "flag": (
            "duration_blank",
            "Cổng ghi 1 (không ghi đơn vị) cho thủ tục rà soát định kỳ hằng năm: danh mục "
            "không đặt ngày hẹn.",
        ),
    },
    "2.000815": {
        "duration": {"kind": "same_day"},
        "note": "Tiếp nhận sau 15 giờ: trả kết quả trong ngày làm việc tiếp theo; nhiều bản "
        "chính, nhiều trang hoặc phức tạp: kéo dài không quá 02 ngày làm việc hoặc theo "
        "thỏa thuận.",
        "flag": (
            "duration_unverified",
            "Cổng 2026 không công bố thời hạn; 'trong ngày' lấy từ nguồn phụ (Cổng cũ).",
        ),
    },
    "2.000884": {
        "duration": {"kind": "same_day"},
        "note": "Tiếp nhận sau 15 giờ: trả kết quả trong ngày làm việc tiếp theo; kéo dài "
        "theo thỏa thuận phải có phiếu hẹn.",
        "flag": (
            "duration_unverified",
            "Cổng 2026 không công bố thời hạn; 'trong ngày' lấy từ nguồn phụ (Cổng cũ).",
        ),
    },
}

# Sentences of a condition that are remarks for whoever checks the data, not for the
# officer: they go to the review flags.
_REVIEWER_SENTENCE = re.compile(
    r"Cổng DVCQG bản 2026|Chưa xác minh|cần đối chiếu|Bản ghi Cổng dùng", re.IGNORECASE
)
_REVIEWER_PAREN = re.compile(r"\s*\((?:[^()]*(?:index id|chưa đối chiếu|seeder)[^()]*)\)")
_BLANK_FEES = {"chưa xác minh", "cổng: không có thông tin", "không có thông tin"}
_COUNTED = re.compile(r"(\d+)\s+(ngày làm việc|ngày|giờ)\b", re.IGNORECASE)
_ITEM = re.compile(
    r"(?P<name>.*?) \((?P<a>\d+) bản (?P<ak>chính|sao)(?:, (?P<b>\d+) bản (?P<bk>chính|sao))?\)"
    r"(?:; |$)",
    re.DOTALL,
)
# Papers needed only in some cases ("Trường hợp …", "(nếu có)", a power of attorney, the
# online form): listed after those every applicant brings, so the officer's checklist
# starts with what is always there. Their order among themselves is the portal's.
_CONDITIONAL = re.compile(
    r"^(\([ivx]+\) )?(Trường hợp|Văn bản ủy quyền|Mẫu hộ tịch điện tử)|\(nếu có|"
    r"trong trường hợp|đối với trường hợp|hình thức trực tuyến\)",
    re.IGNORECASE,
)
# "(ii) Trường hợp …", "a) Đối với …": a case heading of the portal's nested list, flattened.
_ENUMERATED = re.compile(r"^(\([ivx]+\)|[a-zđ]\)|\(\d+(\.\d+)*\)) ")
_MORE = re.compile(r"…\s*\(\+(\d+) mục khác, xem nguồn\)\s*$")


@dataclass
class Built:
    duration: dict[str, Any]
    note: str
    review: list[dict[str, str]] = field(default_factory=list)

    def flag(self, code: str, target: str, detail: str) -> None:
        self.review.append({"code": code, "field": target, "detail": detail})


def split_condition(condition: str) -> tuple[str, list[str]]:
    """The officer's part of a condition text, and the reviewer's remarks taken out of it."""
    remarks = [m.group(0).strip(" ()") for m in _REVIEWER_PAREN.finditer(condition)]
    text = _REVIEWER_PAREN.sub("", condition).strip()
    if text.upper().startswith("CẦN ĐỐI CHIẾU:"):
        remarks.append("Nguồn ghi: cần đối chiếu.")
        text = text[len("CẦN ĐỐI CHIẾU:") :].strip()
    kept: list[str] = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ0-9])", text):
        if _REVIEWER_SENTENCE.search(sentence):
            remarks.append(sentence.strip())
        elif sentence.strip():
            kept.append(sentence.strip())
    return " ".join(kept), remarks


def _counted(kind_text: str, value: int) -> dict[str, Any]:
    unit = kind_text.lower()
    if unit == "ngày làm việc":
        return {"kind": "working_days", "value": value}
    if unit == "giờ":
        return {"kind": "working_hours", "value": value}
    return {"kind": "calendar_days", "value": value}


def convert_duration(code: str, text: str, condition: str) -> Built:
    """The catalogue duration for one reference row, with its note and review flags."""
    note, remarks = split_condition(condition)
    if code in LAW_RULES:
        rule = LAW_RULES[code]
        built = Built(dict(rule["duration"]), rule["note"])
        if rule["flag"]:
            built.flag(rule["flag"][0], "duration", rule["flag"][1])
        return built
    built = _convert_text(text, note)
    if remarks:
        said = " ".join(r.rstrip(".") + "." for r in remarks)
        if built.review:
            built.review[0]["detail"] += f" {said}"
        else:
            built.flag("duration_unverified", "duration", said)
    return built


def _convert_text(text: str, note: str) -> Built:
    raw = f"Nguồn ghi: “{text}”."
    low = text.lower()
    column = re.search(r"cột Thời gian: (\d+)", text)
    if low.startswith(("chưa xác minh", "không có thông tin")):
        secondary = re.search(r"nguồn phụ: (\d+) ngày làm việc", text)
        if secondary:
            built = Built({"kind": "working_days", "value": int(secondary.group(1))}, note)
            built.flag("duration_unverified", "duration", f"{raw} Chưa xác minh từ Cổng.")
            return built
        built = Built({"kind": "none"}, note)
        built.flag("duration_blank", "duration", f"{raw} Cần nhập thời hạn giải quyết.")
        return built
    if low.startswith("không quy định thời gian"):
        return Built({"kind": "none"}, note)
    if low.startswith("trong ngày"):
        return Built({"kind": "same_day"}, note)
    bare = re.fullmatch(r"Cổng: (\d+) \(không ghi đơn vị\)", text)
    if bare:
        built = Built({"kind": "working_days", "value": int(bare.group(1))}, note)
        built.flag(
            "duration_unit_assumed",
            "duration",
            f"{raw} Cổng không ghi đơn vị: danh mục tính {bare.group(1)} ngày làm việc.",
        )
        return built
    if "Trực tiếp:" in text:
        m = re.search(r"Trực tiếp: (\d+) (Ngày làm việc|Ngày)", text)
        assert m, text
        built = Built(
            _counted(m.group(2), int(m.group(1))),
            _join(f"Thời hạn theo hình thức nộp: {text}", note),
        )
        built.flag(
            "duration_by_channel",
            "duration",
            f"{raw} Thời hạn khác nhau theo hình thức nộp: danh mục dùng thời hạn nộp trực tiếp.",
        )
        return built
    counted = _COUNTED.findall(text)
    if not counted:
        raise ValueError(f"no duration in {text!r}")
    values = {(int(v), u.lower()) for v, u in counted if not column or v != column.group(1)}
    value, unit = max(values)
    built = Built(_counted(unit, value), note)
    if len(values) > 1:
        built.note = _join(f"Thời hạn: {text}", note)
        built.flag(
            "duration_several",
            "duration",
            f"{raw} Nhiều thời hạn theo trường hợp: danh mục dùng thời hạn dài nhất.",
        )
    if "kể từ" in low:
        built.note = _join(text, note)
    if "kể từ ngày bắt đầu" in low:
        built.flag(
            "duration_start",
            "duration",
            f"{raw} Thời hạn không tính từ ngày nhận hồ sơ: ngày hẹn trên phiếu là ước tính.",
        )
    if column and int(column.group(1)) != value:
        built.flag(
            "duration_conflict",
            "duration",
            f"{raw} Cột Thời gian trên Cổng ghi {column.group(1)}, trình tự ghi {value}.",
        )
    if "cổng cũ" in low:
        built.flag("duration_unverified", "duration", f"{raw} Lấy từ trang Cổng cũ.")
    return built


def _join(first: str, second: str) -> str:
    return "; ".join(p.rstrip(".; ") for p in (first, second) if p) + "."


def convert_fee(text: str) -> tuple[str, list[dict[str, str]]]:
    flags: list[dict[str, str]] = []
    fee = text.strip()
    if fee.lower() in _BLANK_FEES:
        flags.append(
            {"code": "fee_blank", "field": "fee", "detail": f"Nguồn ghi: “{fee}”. Cần nhập lệ phí."}
        )
        return "", flags
    if re.search(r"Hội đồng nhân dân|HĐND", fee):
        flags.append(
            {
                "code": "fee_set_by_council",
                "field": "fee",
                "detail": "Mức lệ phí do HĐND tỉnh quyết định: ghi mức theo nghị quyết của tỉnh.",
            }
        )
    return fee, flags


@dataclass
class Documents:
    items: list[dict[str, Any]]
    review: list[dict[str, str]]


def convert_documents(text: str) -> Documents:
    """``name (1 bản chính); name (1 bản sao); …`` as catalogue document entries."""
    review: list[dict[str, str]] = []

    def flag(code: str, detail: str) -> None:
        review.append({"code": code, "field": "documents", "detail": detail})

    text = text.strip()
    if not text:
        flag("documents_blank", "Nguồn không có danh sách giấy tờ: cần nhập thành phần hồ sơ.")
        return Documents([], review)
    more = _MORE.search(text)
    if more:
        text = text[: more.start()].rstrip("; ")
        flag(
            "documents_list_cut",
            f"Danh sách bị cắt: còn {more.group(1)} mục khác ở nguồn cần bổ sung.",
        )
    raw_items: list[tuple[str, str, int]] = []
    prefix = re.match(r"Theo cấu hình ứng dụng[^:]*:\s*", text)
    if prefix:
        flag(
            "documents_not_from_portal",
            "Danh sách lấy từ cấu hình một ứng dụng, không phải văn bản Cổng: cần đối chiếu.",
        )
        for part in text[prefix.end() :].split("; "):
            name = part.strip()
            low = name.lower()
            if low.startswith("bản sao chứng thực"):
                kind = "certified_copy"
            elif low.startswith("bản sao"):
                kind = "copy"
            else:
                kind = "original"
            raw_items.append((name, kind, 1))
    else:
        both = suspect = 0
        pos = 0
        for m in _ITEM.finditer(text):
            if m.start() != pos:
                raise ValueError(f"unparsed documents text: {text[pos : m.start()]!r}")
            pos = m.end()
            counts = {m.group("ak"): int(m.group("a"))}
            if m.group("b"):
                counts[m.group("bk")] = int(m.group("b"))
            originals, copies = counts.get("chính", 0), counts.get("sao", 0)
            if originals and copies:
                both += 1
            kind, count = ("original", originals) if originals else ("copy", copies)
            if count > 10:
                suspect += 1
                flag("documents_count_suspect", f"“{m.group('name')[:60]}…”: nguồn ghi {count}.")
                count = 1
            raw_items.append((m.group("name").strip(), kind, count))
        if pos != len(text):
            raise ValueError(f"unparsed documents text: {text[pos:]!r}")
        if both:
            flag(
                "documents_kind_both",
                f"{both} giấy tờ ghi cả bản chính và bản sao: danh mục ghi bản chính.",
            )
    items: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for name, kind, count in raw_items:
        if (name, kind) in seen:
            continue
        seen.add((name, kind))
        items.append({"name": name, "kind": kind, "count": count})
    items.sort(key=lambda d: bool(_CONDITIONAL.search(d["name"])))
    if len(items) < len(raw_items):
        flag("documents_repeated", f"Bỏ {len(raw_items) - len(items)} mục lặp lại ở nguồn.")
    nested = sum(1 for d in items if _ENUMERATED.match(d["name"]))
    if nested:
        flag(
            "documents_nested",
            f"{nested} mục là tiêu đề trường hợp của danh sách lồng nhau trên Cổng "
            "(“(i) Trường hợp …”, “a) Đối với …”): cần tách thành giấy tờ cụ thể.",
        )
    cut = sum(1 for d in items if d["name"].endswith("…"))
    if cut:
        flag("documents_name_cut", f"{cut} tên giấy tờ bị cắt ở nguồn (kết thúc bằng “…”).")
    return Documents(items, review)


def convert_row(row: dict[str, str]) -> dict[str, Any]:
    code = row["code"].strip()
    built = convert_duration(code, row["duration"].strip(), row["duration_condition"].strip())
    fee, fee_flags = convert_fee(row["fee"])
    docs = convert_documents(row["documents"])
    review = list(built.review) + fee_flags + docs.review
    if row["confidence"] != "confirmed":
        review.insert(
            0,
            {
                "code": "confidence_likely",
                "field": "procedure",
                "detail": "Mã và tên đã xác nhận; thời hạn, lệ phí, giấy tờ chưa đối chiếu Cổng.",
            },
        )
    return {
        "code": code,
        "national_code": code,
        "name": row["name"].strip(),
        "field": row["field"].strip(),
        "duration": built.duration,
        "duration_note": built.note,
        "fee": fee,
        "documents": docs.items,
        "source": row["source"].strip(),
        "confidence": row["confidence"].strip(),
        "review": review,
    }


def build(csv_path: Path, effective_from: str) -> dict[str, Any]:
    raw = csv_path.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    procedures = [convert_row(r) for r in rows if r["field"].strip() != POLICE_FIELD]
    return {
        "format": 2,
        "label": f"{effective_from[:7]} (TTHC cấp xã, Cổng DVCQG 06–07/2026)",
        "effective_from": effective_from,
        "note": (
            "Commune-level procedures of the one-stop desk (residence procedures, handled by "
            "the commune police, left out), built by scripts/build_catalogue.py from "
            f"{csv_path.name}. Each procedure's 'review' lists what an administrator must "
            "check; the officer's intake screen does not show it."
        ),
        "built_from": {"file": csv_path.name, "sha256": hashlib.sha256(raw).hexdigest()},
        "procedures": procedures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--effective-from", required=True, help="ISO date the version is in force")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    data = build(args.csv, args.effective_from)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    flagged = sum(1 for p in data["procedures"] if p["review"])
    print(f"{len(data['procedures'])} procedures, {flagged} with review flags -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
