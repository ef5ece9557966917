"""Search across every dossier of the commune (tìm hồ sơ): by code, the receipt's lookup
PIN, the applicant's name, CCCD or phone — the local desk's dossiers and those pulled
from the other desks alike.

The index is an SQLite FTS5 table (``dossier_search``) over one folded text per dossier:
the code without the commune's agency part, the PIN, the name folded as
``desk_app.text.fold`` folds it (no marks, ``đ`` → ``d``: FTS5's own diacritic removal
leaves ``đ`` alone), the CCCD and the phone. Triggers on ``dossiers`` keep it in step with
every write, whoever makes it — intake, a pulled event, a correction, the demo loader's
bulk insert — in the writer's own transaction. The table is contentless (it stores no
copy of the text) and keyed by the dossier row's ``rowid``; a migration that rebuilds the
``dossiers`` table (Alembic's batch "move and copy") drops the triggers and may renumber
rows: it must call ``rebuild_index`` afterwards (a test checks the triggers are there
at the head revision).

Queries are built for typing: every word must match (in any order, so "an nguyen"
finds "Nguyễn Văn An"), the last one as a prefix unless it is followed by a space;
prefix indexes of 1–6 characters make each keystroke one index read. Results come newest
first. A search is not audited by itself — only when its results stay on screen or one is
opened (``record_search``), so that typing a name is one entry, not one per keystroke.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, text

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.cccd import mask_cccd
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import Dossier
from desk_app.profile import ProfileService
from desk_app.text import fold

INDEX_TABLE = "dossier_search"
TRIGGERS = ("dossier_search_insert", "dossier_search_update", "dossier_search_delete")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: the shortest query (letters and digits, after folding) that is searched at all
MIN_QUERY_CHARS = 2

# ------------------------------------------------------------------ the index


def _body(row: str) -> str:
    """The indexed text of a ``dossiers`` row named ``row`` (``new``, ``old``, ``d``)."""
    return (
        f"lower(replace({row}.code, {row}.origin_agency_code, '')) || ' ' || "
        f"lower({row}.lookup_pin) || ' ' || {row}.applicant_name_folded || ' ' || "
        f"coalesce({row}.applicant_cccd, '') || ' ' || {row}.applicant_phone"
    )


# detail=none: no positions or columns are needed (every query is an AND of words), which
# keeps the index at ~90 bytes per dossier with its prefix indexes.
_CREATE = (
    f"CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5(body, content='', columnsize=0, "
    "detail=none, prefix='1 2 3 4 5 6', tokenize='unicode61 remove_diacritics 0')"
)
_COLUMNS = "code, lookup_pin, applicant_name_folded, applicant_cccd, applicant_phone"
# A contentless table forgets its text: deleting a row's words needs the very text that
# was indexed, which the old row still gives.
_INSERT_NEW = f"INSERT INTO {INDEX_TABLE} (rowid, body) VALUES (new.rowid, {_body('new')});"
_DELETE_OLD = (
    f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}, rowid, body) "
    f"VALUES ('delete', old.rowid, {_body('old')});"
)
_TRIGGERS = (
    f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON dossiers BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE OF {_COLUMNS}, origin_agency_code "
    f"ON dossiers BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
    f"CREATE TRIGGER {TRIGGERS[2]} AFTER DELETE ON dossiers BEGIN {_DELETE_OLD} END",
)


def install_index(conn: Connection) -> None:
    """Create the index and its triggers, and index every stored dossier (migration 0010)."""
    conn.exec_driver_sql(_CREATE)
    for trigger in _TRIGGERS:
        conn.exec_driver_sql(trigger)
    conn.exec_driver_sql(
        f"INSERT INTO {INDEX_TABLE} (rowid, body) SELECT d.rowid, {_body('d')} FROM dossiers AS d"
    )
    # One segment instead of the many a million-row load leaves: faster queries.
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}) VALUES ('optimize')")


def drop_index(conn: Connection) -> None:
    for trigger in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {INDEX_TABLE}")


def rebuild_index(conn: Connection) -> None:
    """Drop and build the index again (after the ``dossiers`` table was rebuilt)."""
    drop_index(conn)
    install_index(conn)


@event.listens_for(Dossier.applicant_name, "set", propagate=True)
def _fold_name(target: Dossier, value: str, _old: Any, _initiator: Any) -> None:
    # The index reads the folded name: whoever changes a name (a correction, a pulled
    # event) gets it folded here, so a corrected name is found under its new spelling.
    target.applicant_name_folded = fold(value or "")


# ------------------------------------------------------------------ scanned codes

_PATTERN_FIELD = re.compile(r"\{(\w+)(?::0?(\d+)d)?\}")


def code_regex(pattern: str, agency_code: str) -> re.Pattern[str]:
    """What a whole dossier code of this desk's pattern looks like (any letter case):
    how the window tells a barcode scanner's burst from someone typing."""
    widths = {"yymmdd": 6, "yyyymmdd": 8}
    parts = []
    last = 0
    for m in _PATTERN_FIELD.finditer(pattern):
        parts.append(re.escape(pattern[last : m.start()]))
        name, width = m.group(1), m.group(2)
        if name == "agency":
            parts.append(re.escape(agency_code))
        else:
            parts.append(rf"\d{{{widths.get(name) or int(width or 1)}}}")
        last = m.end()
    parts.append(re.escape(pattern[last:]))
    return re.compile("".join(parts), re.IGNORECASE)


# ------------------------------------------------------------------ queries

_WORD = re.compile(r"[^\W_]+")
_PHONE_LIKE = re.compile(r"\+?[\d\s.\-()]+")
_LONG_DIGITS = re.compile(r"\d{7,}")


def words(query: str) -> list[str]:
    """The folded words of ``query`` as the index splits its text."""
    return _WORD.findall(fold(query))


def _strip_agency(tokens: list[str], agency: list[str]) -> list[str] | None:
    """The query's words without the commune's agency code typed before them (the index
    leaves it out of every code: it is the same in all of them). ``None`` when the query
    is nothing but (the start of) the agency code."""
    if not agency or not tokens:
        return tokens
    n = len(tokens)
    if n <= len(agency) and tokens[:-1] == agency[: n - 1] and agency[n - 1].startswith(tokens[-1]):
        return None
    for k in range(min(n - 1, len(agency)), 0, -1):
        if tokens[:k] == agency[-k:]:
            return tokens[k:]
    return tokens


def _phone_digits(query: str) -> str | None:
    """The digits of a query that looks like a phone number typed with separators."""
    stripped = query.strip()
    if not _PHONE_LIKE.fullmatch(stripped):
        return None
    digits = re.sub(r"\D", "", stripped)
    if stripped.startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits if len(digits) >= MIN_QUERY_CHARS else None


@functools.lru_cache(maxsize=8)
def _agency_words(agency_code: str) -> list[str]:
    return words(agency_code)


def _needed(tokens: list[str], complete: bool) -> tuple[list[str], bool]:
    """The words the index must be asked for, and whether the last one is a prefix.

    Without repeats, and without the last word while it is being typed (a prefix) when
    another word of the query starts with it — "tran thi thu t": every dossier with "tran"
    has a word starting with "t" too. The same dossiers match; the prefix, which costs the
    index most when it is one or two letters long, is not read.
    """
    prefix = not complete
    words_ = tokens
    if prefix and len(tokens) > 1 and any(t.startswith(tokens[-1]) for t in tokens[:-1]):
        words_, prefix = tokens[:-1], False
    return list(dict.fromkeys(words_)), prefix


def match_expression(query: str, agency_code: str = "") -> str | None:
    """The FTS5 query for what the officer typed, or ``None`` when there is nothing to
    search yet (too short, or only the agency code)."""
    tokens = _strip_agency(words(query), _agency_words(agency_code))
    if tokens is None or sum(len(t) for t in tokens) < MIN_QUERY_CHARS:
        return None
    complete = not query[-1:].isalnum()  # "nguyen " or "261130-": the last word is whole
    needed, prefix = _needed(tokens, complete)
    terms = [f'"{t}"' for t in needed]
    if prefix:
        terms[-1] += "*"
    expression = " AND ".join(terms)
    digits = _phone_digits(query)
    if digits is not None and len(tokens) > 1:
        # "0912 345 678": the phone is one word in the index
        expression = f'({expression}) OR "{digits}"*'
    return expression


@dataclass(frozen=True)
class SearchHit:
    """One dossier in a result list: never the full CCCD."""

    code: str
    status: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    cccd_masked: str
    phone: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    #: which fields the query matched: "code", "pin", "name", "cccd", "phone"
    matched: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant_name": self.applicant_name,
            "cccd": self.cccd_masked,
            "phone": self.phone,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "due_at": self.due_at.isoformat(timespec="seconds") if self.due_at else None,
            "matched": list(self.matched),
        }


_SELECT = (
    "SELECT d.code, d.status, d.procedure_code, d.procedure_name, d.applicant_name, "
    "d.applicant_name_folded, d.applicant_cccd, d.applicant_phone, d.lookup_pin, "
    "d.received_at, d.due_at, d.origin_agency_code FROM dossiers AS d "
)
_BY_MATCH = text(
    _SELECT + f"WHERE d.rowid IN (SELECT rowid FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH :m "
    "ORDER BY rowid DESC LIMIT :n) ORDER BY d.rowid DESC"
)
_BY_CODE = text(_SELECT + "WHERE d.code IN (:a, :b)")
_AWAITING = text(
    _SELECT + "WHERE d.status = 'result_ready' ORDER BY d.due_at, d.received_at LIMIT :n"
)


def _when(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


_ASCII_WORD = re.compile(r"[0-9a-z]+")


def _matched(row: Any, tokens: tuple[str, ...], digits: str | None) -> tuple[str, ...]:
    # Codes are ASCII and names stored folded: no folding per row (it is most of the
    # time of a search that lists fifty dossiers). ``str.startswith`` takes every word
    # at once.
    code = str(row.code).replace(str(row.origin_agency_code), "").lower()
    found = []
    if any(v.startswith(tokens) for v in _ASCII_WORD.findall(code)):
        found.append("code")
    if str(row.lookup_pin).lower().startswith(tokens):
        found.append("pin")
    if any(v.startswith(tokens) for v in str(row.applicant_name_folded).split()):
        found.append("name")
    if (row.applicant_cccd or "").startswith(tokens):
        found.append("cccd")
    phone = str(row.applicant_phone)
    if phone.startswith(tokens) or (digits and phone.startswith(digits)):
        found.append("phone")
    return tuple(found)


def _hit(row: Any, tokens: tuple[str, ...], digits: str | None) -> SearchHit:
    received = _when(row.received_at)
    assert received is not None
    return SearchHit(
        code=row.code,
        status=row.status,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        applicant_name=row.applicant_name,
        cccd_masked=mask_cccd(row.applicant_cccd),
        phone=row.applicant_phone,
        received_at=received,
        due_at=_when(row.due_at),
        matched=_matched(row, tokens, digits),
    )


def masked_query(query: str) -> str:
    """The query as the audit log keeps it: a CCCD or phone typed in it masked."""
    return _LONG_DIGITS.sub(lambda m: mask_cccd(m.group()), " ".join(query.split()))[:100]


class SearchService:
    """Finds dossiers as the officer types; records a search that was looked at."""

    def __init__(self, db: Database, clock: Clock, profiles: ProfileService) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._agency: str | None = None

    def _agency_code(self) -> str:
        if self._agency is None:
            profile = self._profiles.get()
            if profile is None:
                return ""
            self._agency = profile.agency_code
        return self._agency

    def search(self, query: str, officer: Officer, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        """Dossiers matching ``query``, newest first; a code typed whole comes first.

        Not audited: call ``record_search`` once the results have been looked at.
        """
        officer.require(Permission.VIEW)
        limit = max(1, min(limit, MAX_LIMIT))
        code = query.strip()
        if not code:
            return []
        # Unstripped: a space typed after the last word says the word is whole.
        expression = match_expression(query, self._agency_code())
        tokens = tuple(words(query))
        digits = _phone_digits(query)
        hits: list[SearchHit] = []
        with self._db.read() as s:
            # Every code has digits (its date and number): a name is not looked up whole.
            exact = (
                s.execute(_BY_CODE, {"a": code, "b": code.upper()}).first()
                if any(c.isdigit() for c in code)
                else None
            )
            if exact is not None:
                hits.append(_hit(exact, tokens, digits))
            if expression is not None:
                for row in s.execute(_BY_MATCH, {"m": expression, "n": limit}).all():
                    if exact is None or row.code != exact.code:
                        hits.append(_hit(row, tokens, digits))
        return hits[:limit]

    def awaiting_collection(self, officer: Officer, limit: int = MAX_LIMIT) -> list[SearchHit]:
        """Dossiers whose result waits for the citizen (the return desk), the longest
        waiting first. Not audited by itself, like a search."""
        officer.require(Permission.VIEW)
        with self._db.read() as s:
            return [_hit(row, (), None) for row in s.execute(_AWAITING, {"n": limit})]

    def find_code(self, code: str, officer: Officer) -> str | None:
        """The stored code a scanned or typed code names (any letter case), or ``None``."""
        officer.require(Permission.VIEW)
        code = code.strip()
        with self._db.read() as s:
            row = s.execute(_BY_CODE, {"a": code, "b": code.upper()}).first()
        return None if row is None else str(row.code)

    def record_search(self, officer: Officer, query: str, codes: list[str]) -> None:
        """One audit entry for a search whose results were looked at (or one opened):
        the query (a CCCD or phone in it masked) and the codes shown."""
        officer.require(Permission.VIEW)
        shown = ", ".join(codes[:50]) + (f" (+{len(codes) - 50})" if len(codes) > 50 else "")
        with self._db.write() as s:
            audit.record(
                s, at_utc=utc_naive(self._clock), username=officer.username, action="view",
                object_type="search", object_ref=masked_query(query),
                detail=f"{len(codes)} results: {shown}",
            )  # fmt: skip


__all__ = [
    "DEFAULT_LIMIT",
    "INDEX_TABLE",
    "SearchHit",
    "SearchService",
    "code_regex",
    "drop_index",
    "install_index",
    "masked_query",
    "match_expression",
    "rebuild_index",
    "words",
]
