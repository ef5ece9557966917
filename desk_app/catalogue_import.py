"""Loading the province's published procedure list (JSON or XLSX) as a new catalogue
version, shown first as a difference against the catalogue in force.

The XLSX layout is documented in ``docs/catalogue-xlsx.md``: one sheet, the first row
names the columns (in any order), one procedure a row, documents one a line in their
cell. Either file is turned into the catalogue's JSON format and checked by
``catalogue.parse_catalogue`` like the shipped file, so both paths refuse the same faults.

Loading never changes stored procedures: the new version gets new rows, in force from
the date the administrator chose. Each dossier keeps the row, duration and due date it
was received under. Loading is a ``catalogue.version_loaded`` event: every desk of the
commune loads the same version, from the same date, when it pulls it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import event_schema
from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.calendar import Duration
from desk_app.catalogue import (
    CatalogueError,
    CatalogueService,
    ProcedureInfo,
    catalogue_digest,
    has_version,
    parse_catalogue,
)
from desk_app.clock import Clock, local_now, utc_naive
from desk_app.db.engine import Database
from desk_app.dossiers import record_shared
from desk_app.profile import ProfileService
from desk_app.vocabulary import DOCUMENT_KINDS, duration_text
from event_schema import CatalogueVersionLoadedV1

#: The XLSX columns (first row), by the catalogue field they fill.
XLSX_COLUMNS = {
    "code": "ma_thu_tuc",
    "national_code": "ma_quoc_gia",
    "name": "ten_thu_tuc",
    "field": "linh_vuc",
    "duration_kind": "loai_thoi_han",
    "duration_value": "so_thoi_han",
    "duration_note": "ghi_chu_thoi_han",
    "fee": "phi_le_phi",
    "documents": "thanh_phan_ho_so",
}
_REQUIRED = ("code", "name", "field", "duration_kind", "documents")
#: What the difference compares, with the label the screen shows.
COMPARED_FIELDS = {
    "name": "Tên thủ tục",
    "national_code": "Mã quốc gia",
    "field": "Lĩnh vực",
    "duration": "Thời hạn giải quyết",
    "duration_note": "Ghi chú thời hạn",
    "fee": "Phí, lệ phí",
    "documents": "Thành phần hồ sơ",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ProcedureChange:
    code: str
    name: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class CatalogueDiff:
    added: tuple[tuple[str, str], ...]  # (code, name)
    removed: tuple[tuple[str, str], ...]
    changed: tuple[ProcedureChange, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class ImportPreview:
    """A checked file, what it would change, and from when; nothing stored yet."""

    source_name: str
    data: dict[str, Any] = field(repr=False)
    digest: str
    effective_from: dt.date
    diff: CatalogueDiff
    procedures: int


def read_catalogue_file(path: Path) -> dict[str, Any]:
    """The catalogue in ``path`` (``.json`` or ``.xlsx``) in the JSON format, checked."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(
            f"không đọc được tệp {path.name}: {exc.strerror or exc}", code="catalogue.unreadable"
        ) from exc
    if suffix == ".json":
        return parse_catalogue(raw, path.name)
    if suffix == ".xlsx":
        data = _from_xlsx(path)
        return parse_catalogue(json.dumps(data, ensure_ascii=False).encode(), path.name)
    raise CatalogueError(f"{path.name}: chỉ nhận tệp .json hoặc .xlsx", code="catalogue.kind")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _from_xlsx(path: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise CatalogueError(f"{path.name}: không phải tệp Excel (.xlsx) đọc được") from exc
    try:
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise CatalogueError(f"{path.name}: trang tính đầu tiên trống")
    header = [_cell(v).lower() for v in rows[0]]
    where: dict[str, int] = {}
    for key, column in XLSX_COLUMNS.items():
        if column in header:
            where[key] = header.index(column)
    missing = [XLSX_COLUMNS[k] for k in _REQUIRED if k not in where]
    if missing:
        raise CatalogueError(f"{path.name}: thiếu cột {', '.join(missing)} ở dòng 1")
    procedures = []
    for number, row in enumerate(rows[1:], 2):
        values = {k: _cell(row[i]) if i < len(row) else "" for k, i in where.items()}
        if not any(values.values()):
            continue
        procedures.append(_xlsx_procedure(values, f"{path.name}: dòng {number}"))
    return {
        "format": 2,
        "label": path.stem[:64],
        "effective_from": "2000-01-01",  # a placeholder: preview puts the chosen date
        "procedures": procedures,
    }


def _xlsx_procedure(values: dict[str, str], where: str) -> dict[str, Any]:
    value_text = values.get("duration_value", "")
    value: int | None = None
    if value_text:
        try:
            value = int(value_text)
        except ValueError:
            raise CatalogueError(
                f"{where}: so_thoi_han {value_text!r} không phải số nguyên"
            ) from None
    documents = []
    for line in values["documents"].splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        kind = parts[1] if len(parts) > 1 and parts[1] else "original"
        if kind not in DOCUMENT_KINDS:
            raise CatalogueError(
                f"{where}: giấy tờ {parts[0]!r}: hình thức {kind!r} phải là "
                + ", ".join(DOCUMENT_KINDS)
            )
        try:
            count = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        except ValueError:
            raise CatalogueError(f"{where}: giấy tờ {parts[0]!r}: số lượng phải là số") from None
        documents.append({"name": parts[0], "kind": kind, "count": count})
    procedure: dict[str, Any] = {
        "code": values["code"],
        "name": values["name"],
        "field": values["field"],
        "duration": {"kind": values["duration_kind"], "value": value},
        "duration_note": values.get("duration_note", ""),
        "fee": values.get("fee", ""),
        "documents": documents,
        "source": where.split(": ", 1)[0],
    }
    if values.get("national_code"):
        procedure["national_code"] = values["national_code"]
    return procedure


def _documents_text(documents: list[dict[str, Any]]) -> str:
    return "; ".join(f"{d['name']} ({d['kind']} ×{d['count']})" for d in documents)


def _current_values(p: ProcedureInfo) -> dict[str, str]:
    return {
        "name": p.name,
        "national_code": p.national_code or "",
        "field": p.field,
        "duration": duration_text(p.duration),
        "duration_note": p.duration_note,
        "fee": p.fee_text,
        "documents": _documents_text([d.to_json() for d in p.documents]),
    }


def _new_values(p: dict[str, Any]) -> dict[str, str]:
    return {
        "name": p["name"],
        "national_code": p.get("national_code") or "",
        "field": p["field"],
        "duration": duration_text(Duration(p["duration"]["kind"], p["duration"].get("value"))),
        "duration_note": p.get("duration_note", ""),
        "fee": p.get("fee", ""),
        "documents": _documents_text(p["documents"]),
    }


def difference(current: list[ProcedureInfo], data: dict[str, Any]) -> CatalogueDiff:
    """What loading ``data`` would change against the procedures ``current``ly in force."""
    old = {p.code: p for p in current}
    new = {p["code"].strip(): p for p in data["procedures"]}
    added = tuple((code, new[code]["name"]) for code in sorted(new.keys() - old.keys()))
    removed = tuple((code, old[code].name) for code in sorted(old.keys() - new.keys()))
    changed = []
    unchanged = 0
    for code in sorted(old.keys() & new.keys()):
        before, after = _current_values(old[code]), _new_values(new[code])
        fields = tuple(
            FieldChange(key, label, before[key], after[key])
            for key, label in COMPARED_FIELDS.items()
            if before[key] != after[key]
        )
        if fields:
            changed.append(ProcedureChange(code, new[code]["name"], fields))
        else:
            unchanged += 1
    return CatalogueDiff(added, removed, tuple(changed), unchanged)


class CatalogueImport:
    """Preview, then load, a province catalogue file (an administrator's act, audited)."""

    def __init__(
        self, db: Database, catalogue: CatalogueService, clock: Clock, profiles: ProfileService
    ) -> None:
        self._db = db
        self._catalogue = catalogue
        self._clock = clock
        self._profiles = profiles

    def preview(self, path: Path, effective_from: dt.date) -> ImportPreview:
        data = read_catalogue_file(path)
        versions = self._catalogue.versions()
        if versions and effective_from < versions[0][2]:
            raise CatalogueError(
                f"ngày hiệu lực {effective_from:%d/%m/%Y} sớm hơn danh mục đang áp dụng "
                f"(từ {versions[0][2]:%d/%m/%Y}): chọn ngày từ {versions[0][2]:%d/%m/%Y} trở đi",
                code="catalogue.effective_too_early",
            )
        # Format 2 only adds optional fields: every checked file is one, as desks share it.
        data = {**data, "format": 2, "effective_from": effective_from.isoformat()}
        current = self._catalogue.in_force(max(effective_from, local_now(self._clock).date()))
        return ImportPreview(
            source_name=path.name,
            data=data,
            digest=catalogue_digest(data),
            effective_from=effective_from,
            diff=difference(current, data),
            procedures=len(data["procedures"]),
        )

    def apply(self, preview: ImportPreview, by: Officer) -> bool:
        """Store the previewed catalogue for the whole commune (recorded as a
        ``catalogue.version_loaded`` event every desk loads when it pulls it); False when
        this exact version is loaded already."""
        by.require(Permission.ADMINISTER)
        profile = self._profiles.require()
        now = utc_naive(self._clock)
        payload = CatalogueVersionLoadedV1(
            effective_from=preview.effective_from,
            source_name=preview.source_name[:255],
            data=preview.data,
        )
        try:  # what a pulling desk checks: refuse here what the others would set aside
            event_schema.parse(payload.KIND, payload.VERSION, payload.dump())
        except event_schema.PayloadError as exc:
            raise CatalogueError(
                f"{preview.source_name}: danh mục không gửi được cho các quầy khác ({exc})",
                code="catalogue.not_shareable",
            ) from exc
        with self._db.write() as s:
            if has_version(s, preview.digest):
                return False
            record_shared(
                s, payload, actor=by.username, agency_code=profile.agency_code,
                desk=profile.desk_number, occurred_at_utc=now,
            )  # fmt: skip
            d = preview.diff
            audit.record(
                s, at_utc=now, username=by.username, action="catalogue_loaded",
                object_type="catalogue", object_ref=preview.source_name[:100],
                detail=f"from {preview.effective_from.isoformat()}; +{len(d.added)} "
                f"-{len(d.removed)} ~{len(d.changed)}",
            )  # fmt: skip
        return True
