"""``intake --json``: importing dossiers from JSON lines, all or nothing, and only once.

* **Every line is checked first** — UTF-8, JSON, the fields, then the intake rules (the
  procedure, names, CCCD, dates) — and nothing is written unless every line is good;
  each bad line is named with its number and a Vietnamese message.
* **One transaction** stores them all (``IntakeService.receive_all``): a full disk or a
  killed process leaves none of them.
* **Once**: each line has a key — its own ``import_id``, or else the SHA-256 of its
  content (the JSON object with sorted keys) — kept in ``import_keys`` with the code of
  the dossier it made. Running the same file again adds nothing and says which lines were
  imported before; a line repeated within one file is imported once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desk_app.clock import LOCAL_ZONE, utc_naive
from desk_app.db.models import ImportKey
from desk_app.intake import (
    ApplicantInput,
    DocumentInput,
    IntakeRequest,
    IntakeResult,
    IntakeValidationError,
    RepresentativeInput,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desk_app.auth import Officer
    from desk_app.context import DeskContext
    from desk_app.intake import DossierView

WHOLE_LINE = "(dòng)"
MAX_IMPORT_ID = 180
KNOWN_FIELDS = frozenset({
    "procedure_code", "applicant", "representative", "received_at", "documents", "channel",
    "notes", "sets_count", "import_id",
})  # fmt: skip


class LineError(Exception):
    """A line that cannot be read as a dossier: the field at fault, in Vietnamese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LineProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        # Vietnamese like the rest of the command's messages; a problem of the whole line
        # (not JSON, not UTF-8) names no field.
        if self.field == WHOLE_LINE:
            return f"dòng {self.line}: {self.message}"
        return f"dòng {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class AlreadyImported:
    line: int
    code: str
    # The earlier line of the same file, when the repeat is within the file.
    same_file_line: int | None = None


@dataclass
class ImportOutcome:
    saved: list[tuple[int, DossierView]] = field(default_factory=list)
    already: list[AlreadyImported] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    # what the officer should know of a saved line (never a block), by line number
    warnings: dict[int, list[str]] = field(default_factory=dict)


# ------------------------------------------------------------------ one line


def _str(obj: dict[str, Any], key: str, path: str, *, required: bool) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise LineError(path, "thiếu trường bắt buộc")
        return ""
    if not isinstance(value, str):
        raise LineError(path, "phải là chuỗi văn bản")
    return value


def _date(obj: dict[str, Any], key: str, path: str) -> dt.date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise LineError(path, "phải là ngày dạng YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LineError(path, f"{value[:40]!r} không phải ngày dạng YYYY-MM-DD") from None


def _whole(obj: dict[str, Any], key: str, path: str, default: int) -> int:
    value = obj.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LineError(path, "phải là số nguyên")
    return value


def read_object(text: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(
            WHOLE_LINE, f"không phải JSON hợp lệ ({exc.msg}, cột {exc.colno})"
        ) from None
    except RecursionError:
        raise LineError(WHOLE_LINE, "JSON lồng nhau quá sâu") from None
    if not isinstance(obj, dict):
        raise LineError(WHOLE_LINE, "mỗi dòng phải là một đối tượng JSON {...}")
    unknown = sorted(set(obj) - KNOWN_FIELDS)
    if unknown:
        raise LineError(unknown[0], "trường không có trong mẫu nhập")
    return obj


def request_of(obj: dict[str, Any]) -> IntakeRequest:
    """One line's object → an ``IntakeRequest``; ``LineError`` names the field at fault."""
    a = obj.get("applicant")
    if not isinstance(a, dict):
        raise LineError("applicant", "thiếu hoặc không phải đối tượng")
    applicant = ApplicantInput(
        name=_str(a, "name", "applicant.name", required=True),
        cccd=_str(a, "cccd", "applicant.cccd", required=True),
        date_of_birth=_date(a, "date_of_birth", "applicant.date_of_birth"),
        phone=_str(a, "phone", "applicant.phone", required=False),
        address=_str(a, "address", "applicant.address", required=True),
        email=_str(a, "email", "applicant.email", required=False) or None,
    )
    rep = None
    r = obj.get("representative")
    if r is not None:
        if not isinstance(r, dict):
            raise LineError("representative", "phải là đối tượng")
        rep = RepresentativeInput(
            name=_str(r, "name", "representative.name", required=True),
            cccd=_str(r, "cccd", "representative.cccd", required=False),
            phone=_str(r, "phone", "representative.phone", required=False),
        )
    received = None
    raw_received = obj.get("received_at")
    if raw_received is not None:
        if not isinstance(raw_received, str):
            raise LineError("received_at", "phải là ngày giờ ISO 8601")
        try:
            received = dt.datetime.fromisoformat(raw_received)
        except ValueError:
            raise LineError(
                "received_at", f"{raw_received[:40]!r} không phải ngày giờ ISO 8601"
            ) from None
        if received.tzinfo is not None:
            received = received.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    documents = None
    raw_docs = obj.get("documents")
    if raw_docs is not None:
        if not isinstance(raw_docs, list):
            raise LineError("documents", "phải là danh sách")
        docs = []
        for i, d in enumerate(raw_docs):
            if not isinstance(d, dict):
                raise LineError(f"documents[{i}]", "phải là đối tượng")
            docs.append(
                DocumentInput(
                    name=_str(d, "name", f"documents[{i}].name", required=True),
                    kind=_str(d, "kind", f"documents[{i}].kind", required=False) or "original",
                    count=_whole(d, "count", f"documents[{i}].count", 1),
                )
            )
        documents = tuple(docs)
    return IntakeRequest(
        procedure_code=_str(obj, "procedure_code", "procedure_code", required=True),
        applicant=applicant,
        representative=rep,
        channel=_str(obj, "channel", "channel", required=False) or "in_person",
        documents=documents,
        sets_count=_whole(obj, "sets_count", "sets_count", 1),
        notes=_str(obj, "notes", "notes", required=False),
        received_at=received,
    )


def line_key(obj: dict[str, Any]) -> str:
    """The line's own ``import_id``, or the fingerprint of its content."""
    given = obj.get("import_id")
    if given is not None:
        if not isinstance(given, str) or not given.strip():
            raise LineError("import_id", "phải là chuỗi văn bản không rỗng")
        if len(given) > MAX_IMPORT_ID:
            raise LineError("import_id", f"dài quá {MAX_IMPORT_ID} ký tự")
        return "id:" + given.strip()
    canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _decode(number: int, raw: bytes) -> str:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the byte-order mark some editors write
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(
            WHOLE_LINE, f"không phải văn bản UTF-8 hợp lệ (byte thứ {exc.start + 1} của dòng)"
        ) from None


# ------------------------------------------------------------------ the file


@dataclass(frozen=True)
class _Good:
    line: int
    key: str
    request: IntakeRequest


def import_lines(
    ctx: DeskContext, officer: Officer, lines: Iterable[tuple[int, bytes]]
) -> ImportOutcome:
    """Check every line, then store the new ones in one transaction (or none at all)."""
    outcome = ImportOutcome()
    good: list[_Good] = []
    first_of_key: dict[str, int] = {}
    for number, raw in lines:
        try:
            text = _decode(number, raw)
            if not text.strip():
                continue
            obj = read_object(text)
            key = line_key(obj)
            request = request_of(obj)
        except LineError as exc:
            outcome.problems.append(LineProblem(number, exc.field, exc.message))
            continue
        checked = ctx.intake.check(request)
        if not checked.ok:
            first = checked.errors[0]
            more = f" (+{len(checked.errors) - 1} lỗi khác)" if len(checked.errors) > 1 else ""
            outcome.problems.append(LineProblem(number, first.field, first.message + more))
            continue
        if key in first_of_key:
            outcome.already.append(AlreadyImported(number, "", first_of_key[key]))
            continue
        first_of_key[key] = number
        good.append(_Good(number, key, request))
    if outcome.problems:
        return outcome
    known = _known_keys(ctx, [g.key for g in good])
    new = [g for g in good if g.key not in known]
    outcome.already.extend(AlreadyImported(g.line, known[g.key]) for g in good if g.key in known)
    if new:
        now = utc_naive(ctx.clock)

        def remember(s: Session, i: int, result: IntakeResult) -> None:
            s.add(ImportKey(key=new[i].key, dossier_code=result.dossier.code, imported_at=now))

        try:
            results = ctx.intake.receive_all([g.request for g in new], officer, remember)
        except IntakeValidationError as exc:
            # Checked above; only a change between the check and the write (a catalogue
            # update) can land here. Nothing was written.
            number = new[exc.index or 0].line
            first = exc.errors[0]
            outcome.problems.append(LineProblem(number, first.field, first.message))
            return outcome
        outcome.saved = [(g.line, r.dossier) for g, r in zip(new, results, strict=True)]
        outcome.warnings = {
            g.line: [w.message for w in r.warnings] for g, r in zip(new, results, strict=True)
        }
    codes = {line: view.code for line, view in outcome.saved}
    codes.update({a.line: a.code for a in outcome.already if a.code})
    outcome.already = [
        AlreadyImported(a.line, a.code or codes.get(a.same_file_line or 0, ""), a.same_file_line)
        for a in sorted(outcome.already, key=lambda a: a.line)
    ]
    return outcome


def _known_keys(ctx: DeskContext, keys: list[str]) -> dict[str, str]:
    known: dict[str, str] = {}
    with ctx.db.read() as s:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            known.update(
                (k, c)
                for k, c in s.execute(
                    select(ImportKey.key, ImportKey.dossier_code).where(ImportKey.key.in_(chunk))
                )
            )
    return known
