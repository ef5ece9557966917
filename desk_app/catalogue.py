"""The procedure catalogue (danh mục thủ tục hành chính), loaded from data files.

A catalogue file (``resources/procedures/catalogue.json``, or one an administrator
imports) is a version in force from its ``effective_from`` date. Loading a file never
touches existing rows: a new version gets new procedure rows, and each dossier keeps a
reference to the row it was received under, with its duration, fee and documents.

Format 2 (``"format": 2``) adds to each procedure where its values come from (``source``),
how sure the reference is (``confidence``: confirmed or likely) and a ``review`` list of
what an administrator must check (a blank duration, a fee the provincial council sets, a
document list cut short…). They are kept for the administration screens; the officer's
intake screen does not show them. Format 1 files, without them, still load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.calendar import DURATION_KINDS, Duration
from desk_app.db.engine import Database
from desk_app.db.models import CatalogueVersion, Procedure
from desk_app.errors import InvalidInputError
from desk_app.paths import resource_path
from desk_app.text import fold
from desk_app.vocabulary import DOCUMENT_KINDS

CATALOGUE_FORMATS = (1, 2)
CONFIDENCE_LEVELS = ("confirmed", "likely")
_OFFICIAL_PREFIX = "thu tuc "
DEFAULT_CATALOGUE = resource_path("procedures", "catalogue.json")


class CatalogueError(InvalidInputError):
    """A catalogue file is malformed; the message names the entry and field."""

    default_code = "catalogue.invalid"


@dataclass(frozen=True)
class RequiredDocument:
    name: str
    kind: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "count": self.count}


@dataclass(frozen=True)
class ReviewFlag:
    """One thing an administrator must check in a procedure's catalogue entry.

    ``code`` is stable (``duration_blank``, ``fee_set_by_council``…), ``field`` names the
    part concerned (duration, fee, documents, procedure), ``detail`` says it in Vietnamese.
    """

    code: str
    field: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "detail": self.detail}


@dataclass(frozen=True)
class ProcedureInfo:
    """A procedure as the desk shows it: plain data, no database session attached."""

    id: int
    code: str
    national_code: str | None
    name: str
    field: str
    duration: Duration
    duration_note: str
    fee_text: str
    documents: tuple[RequiredDocument, ...]
    search_text: str
    source: str = ""
    confidence: str | None = None
    review: tuple[ReviewFlag, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """What the desk officer works with; provenance is in ``admin_json``."""
        return {
            "code": self.code,
            "national_code": self.national_code,
            "name": self.name,
            "field": self.field,
            "duration": {"kind": self.duration.kind, "value": self.duration.value},
            "duration_note": self.duration_note,
            "fee": self.fee_text,
            "documents": [d.to_json() for d in self.documents],
        }

    def admin_json(self) -> dict[str, Any]:
        """Provenance and review flags, for administrators only."""
        return {
            "source": self.source,
            "confidence": self.confidence,
            "flags": [f.to_json() for f in self.review],
        }


def _info(p: Procedure) -> ProcedureInfo:
    kind = p.duration_kind
    assert kind in DURATION_KINDS
    return ProcedureInfo(
        id=p.id,
        code=p.code,
        national_code=p.national_code,
        name=p.name,
        field=p.field,
        duration=Duration(kind, p.duration_value),
        duration_note=p.duration_note,
        fee_text=p.fee_text,
        documents=tuple(RequiredDocument(**d) for d in p.documents),
        search_text=p.search_text,
        source=p.source,
        confidence=p.confidence,
        review=tuple(ReviewFlag(**f) for f in p.review),
    )


_KIND_WORDS = {
    str: "chuỗi chữ (str)",
    int: "số nguyên (int)",
    list: "danh sách (list)",
    dict: "đối tượng JSON (dict)",
    bool: "true hoặc false (bool)",
}


def _require(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise CatalogueError(f"{where}: thiếu trường {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CatalogueError(f"{where}: trường {key!r} phải là {_KIND_WORDS[kind]}")
    return value


def parse_catalogue(raw: bytes, source: str = "catalogue") -> dict[str, Any]:
    """Check a catalogue file completely; raise ``CatalogueError`` at the first fault."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            f"{source}: không phải JSON hợp lệ (không phải văn bản UTF-8, byte thứ {exc.start + 1})"
        ) from exc
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{source}: không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})"
        ) from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{source}: cấp ngoài cùng phải là một đối tượng JSON")
    fmt = data.get("format", 1)
    if fmt not in CATALOGUE_FORMATS or isinstance(fmt, bool):
        raise CatalogueError(
            f"{source}: định dạng (format) {fmt!r} không phải loại quầy này đọc được "
            f"({', '.join(map(str, CATALOGUE_FORMATS))})"
        )
    _require(data, "label", str, source)
    eff = _require(data, "effective_from", str, source)
    try:
        dt.date.fromisoformat(eff)
    except ValueError as exc:
        raise CatalogueError(
            f"{source}: effective_from {eff!r} không phải một ngày (YYYY-MM-DD)"
        ) from exc
    procs = _require(data, "procedures", list, source)
    if not procs:
        raise CatalogueError(f"{source}: danh mục không có thủ tục nào")
    seen: set[str] = set()
    for i, p in enumerate(procs, 1):
        where = f"{source}: thủ tục #{i}"
        if not isinstance(p, dict):
            raise CatalogueError(f"{where}: phải là một đối tượng JSON")
        code = _require(p, "code", str, where).strip()
        where = f"{source}: thủ tục {code or '#' + str(i)}"
        if not code or code in seen:
            raise CatalogueError(f"{where}: mã thủ tục trống hoặc bị lặp (repeated)")
        seen.add(code)
        _require(p, "name", str, where)
        _require(p, "field", str, where)
        duration = _require(p, "duration", dict, where)
        value = duration.get("value")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise CatalogueError(f"{where}: thời hạn (duration): value phải là số nguyên")
        try:
            Duration(duration.get("kind"), duration.get("value"))
        except ValueError as exc:
            raise CatalogueError(
                f"{where}: thời hạn (duration) không hợp lệ: kind {duration.get('kind')!r} "
                f"(một trong {', '.join(DURATION_KINDS)}), value {duration.get('value')!r} "
                "(số từ 0 trở lên cho ngày/giờ làm việc và ngày lịch, không có cho loại khác)"
            ) from exc
        for j, d in enumerate(_require(p, "documents", list, where), 1):
            dwhere = f"{where}: giấy tờ #{j}"
            if not isinstance(d, dict):
                raise CatalogueError(f"{dwhere}: phải là một đối tượng JSON")
            _require(d, "name", str, dwhere)
            if d.get("kind") not in DOCUMENT_KINDS:
                raise CatalogueError(
                    f"{dwhere}: loại (kind) phải là một trong {', '.join(DOCUMENT_KINDS)}"
                )
            count = _require(d, "count", int, dwhere)
            if count < 1:
                raise CatalogueError(f"{dwhere}: số bản (count) phải từ 1 trở lên")
        _check_provenance(p, where)
    return data


def _check_provenance(p: dict[str, Any], where: str) -> None:
    """The optional format-2 fields: source, confidence and review flags."""
    if "source" in p:
        _require(p, "source", str, where)
    confidence = p.get("confidence")
    if confidence is not None and confidence not in CONFIDENCE_LEVELS:
        raise CatalogueError(
            f"{where}: confidence phải là một trong {', '.join(CONFIDENCE_LEVELS)}"
        )
    flags = _require(p, "review", list, where) if "review" in p else []
    for j, flag in enumerate(flags, 1):
        fwhere = f"{where}: điểm cần rà soát (review) #{j}"
        if not isinstance(flag, dict):
            raise CatalogueError(f"{fwhere}: phải là một đối tượng JSON")
        for key in ("code", "field", "detail"):
            if not _require(flag, key, str, fwhere).strip():
                raise CatalogueError(f"{fwhere}: trường {key!r} đang trống")


_FLAG_KEYS = ("code", "field", "detail")


def catalogue_digest(data: dict[str, Any]) -> str:
    """What identifies a catalogue version on every desk: the same list in force from
    another date is another version."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(canonical).hexdigest()


def has_version(s: Session, digest: str) -> bool:
    query = select(CatalogueVersion.id).where(CatalogueVersion.source_sha256 == digest)
    return s.scalar(query) is not None


def store_version(s: Session, data: dict[str, Any], digest: str, now: dt.datetime) -> bool:
    """Store a checked catalogue in ``s`` as a version, unless one with the same ``digest``
    is stored already (then False)."""
    s.flush()  # one page may carry the same version twice
    if has_version(s, digest):
        return False
    version = CatalogueVersion(
        label=data["label"],
        effective_from=dt.date.fromisoformat(data["effective_from"]),
        source_sha256=digest,
        loaded_at=now,
    )
    s.add(version)
    s.flush()
    for p in data["procedures"]:
        s.add(
            Procedure(
                catalogue_version_id=version.id,
                code=p["code"].strip(),
                national_code=p.get("national_code"),
                name=p["name"],
                field=p["field"],
                duration_kind=p["duration"]["kind"],
                duration_value=p["duration"].get("value"),
                duration_note=p.get("duration_note", ""),
                fee_text=p.get("fee", ""),
                documents=p["documents"],
                source=p.get("source", ""),
                confidence=p.get("confidence"),
                review=[
                    {k: f[k] for k in ("code", "field", "detail")} for f in p.get("review", [])
                ],
                search_text=fold(
                    " ".join([p["code"], p.get("national_code") or "", p["name"], p["field"]])
                ),
            )
        )
    return True


class CatalogueService:
    """Loads catalogue files and answers which procedures are in force."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: tuple[int, dt.date, list[ProcedureInfo]] | None = None

    def load_file(self, path: Path, now: dt.datetime) -> bool:
        """Load ``path`` as a catalogue version; False when that exact file is loaded already."""
        raw = path.read_bytes()
        data = parse_catalogue(raw, path.name)
        return self.load_data(data, hashlib.sha256(raw).hexdigest(), now)

    def load_data(self, data: dict[str, Any], digest: str, now: dt.datetime) -> bool:
        """Store a checked catalogue (``parse_catalogue``'s result) as a version, unless one
        with the same ``digest`` is stored already (then False)."""
        with self._db.write() as s:
            loaded = store_version(s, data, digest, now)
        self._cache = None
        return loaded

    def versions(self) -> list[tuple[int, str, dt.date, dt.datetime]]:
        """Every loaded version: id, label, in force from, loaded at; newest first."""
        with self._db.read() as s:
            rows = s.execute(
                select(
                    CatalogueVersion.id, CatalogueVersion.label,
                    CatalogueVersion.effective_from, CatalogueVersion.loaded_at,
                ).order_by(CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc())
            ).all()  # fmt: skip
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def ensure_default(self, now: dt.datetime) -> None:
        """Load the shipped catalogue if this database has not seen that file yet."""
        self.load_file(DEFAULT_CATALOGUE, now)

    def _version_for(self, day: dt.date) -> int | None:
        with self._db.read() as s:
            return s.scalar(
                select(CatalogueVersion.id)
                .where(CatalogueVersion.effective_from <= day)
                .order_by(CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc())
                .limit(1)
            )

    def in_force(self, day: dt.date) -> list[ProcedureInfo]:
        """The procedures of the catalogue version in force on ``day``."""
        version = self._version_for(day)
        if version is None:
            return []
        if self._cache and self._cache[0] == version:
            return self._cache[2]
        with self._db.read() as s:
            rows = s.scalars(
                select(Procedure)
                .where(Procedure.catalogue_version_id == version)
                .order_by(Procedure.field, Procedure.name)
            ).all()
            infos = [_info(p) for p in rows]
        self._cache = (version, day, infos)
        return infos

    def find(self, code: str, day: dt.date) -> ProcedureInfo | None:
        code = code.strip()
        return next((p for p in self.in_force(day) if p.code == code), None)

    def get(self, procedure_id: int) -> ProcedureInfo | None:
        with self._db.read() as s:
            row = s.get(Procedure, procedure_id)
            return _info(row) if row else None


@lru_cache(maxsize=4096)
def _core_name(name: str) -> str:
    """The folded name past a leading "Thủ tục": folded once, not on every keystroke."""
    return fold(name).removeprefix(_OFFICIAL_PREFIX)


def search_procedures(procedures: list[ProcedureInfo], query: str) -> list[ProcedureInfo]:
    """Procedures whose code, name or field contain every word of ``query``.

    Diacritics and đ are ignored ("chung thuc" finds "Chứng thực"). Best first: a code
    the query starts; a name that starts with the query, past the "Thủ tục" many official
    names begin with; the query as a phrase in the name or field; every word at a word's start;
    then the rest. Within each, the shorter name — the plain procedure ("đăng ký khai
    sinh") before its variants ("… lưu động", "… có yếu tố nước ngoài").
    """
    words = fold(query).split()
    if not words:
        return list(procedures)
    hits = [p for p in procedures if all(w in p.search_text for w in words)]
    q = query.strip()
    phrase = " ".join(words)
    in_phrase = re.compile(r"\b" + re.escape(phrase))
    at_starts = [re.compile(r"\b" + re.escape(w)) for w in words]

    def rank(p: ProcedureInfo) -> tuple[int, int]:
        core = _core_name(p.name)
        if p.code.startswith(q):
            tier = 0
        elif core.startswith(phrase):
            tier = 1
        elif in_phrase.search(p.search_text):
            tier = 2
        elif all(w.search(p.search_text) for w in at_starts):
            tier = 3
        else:
            tier = 4
        return (tier, len(core))

    hits.sort(key=rank)
    return hits
