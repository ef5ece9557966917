"""The hand-over directory (danh sách người, đơn vị nhận bàn giao): the officers and
units a dossier can be handed to, kept by the administrator.

Commune data: every change is a ``directory.entry_set`` event, so every desk of the
commune offers the same receivers. An entry is never deleted — a retired one stays
readable in old hand-overs and is no longer offered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import DirectoryEntry
from desk_app.dossiers import record_shared
from desk_app.errors import InvalidInputError, NotFoundError
from desk_app.ids import uuid7
from desk_app.profile import ProfileService
from desk_app.text import fold, is_safe_text
from event_schema import RECEIVER_KINDS, DirectoryEntrySetV1

RECEIVER_KIND_LABELS = {"officer": "Cán bộ, công chức", "unit": "Bộ phận, đơn vị"}


class DirectoryError(InvalidInputError):
    """An entry cannot be added or changed as asked; the message says why."""

    default_code = "directory.invalid"


class ReceiverNotFoundError(NotFoundError):
    """No active entry of the directory matches the receiver named."""

    default_code = "directory.not_found"


@dataclass(frozen=True)
class Receiver:
    """One entry of the hand-over directory."""

    entry_id: str
    kind: str
    name: str
    unit: str = ""
    username: str | None = None
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        return self.payload().dump()

    def payload(self) -> DirectoryEntrySetV1:
        """The entry as its ``directory.entry_set`` event carries it."""
        return DirectoryEntrySetV1(**asdict(self))


def _receiver(row: DirectoryEntry) -> Receiver:
    return Receiver(row.entry_id, row.kind, row.name, row.unit, row.username, row.active)


class DirectoryService:
    """Lists the receivers (everyone), adds and retires them (administrators)."""

    def __init__(self, db: Database, clock: Clock, profiles: ProfileService) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles

    def list(self, *, include_retired: bool = False) -> list[Receiver]:
        """Receivers by kind then name (units first: what a hand-over usually names)."""
        q = select(DirectoryEntry)
        if not include_retired:
            q = q.where(DirectoryEntry.active.is_(True))
        with self._db.read() as s:
            rows = [_receiver(r) for r in s.scalars(q)]
        return sorted(rows, key=lambda r: (r.kind != "unit", fold(r.name), r.entry_id))

    def find(self, name_or_id: str) -> Receiver:
        """The active receiver with this entry id, this name (without regard to case or
        diacritics), or this officer's login name."""
        wanted = name_or_id.strip()
        folded = fold(wanted)
        matches = [
            r
            for r in self.list()
            if wanted == r.entry_id or folded == fold(r.name) or (r.username or "") == wanted
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ReceiverNotFoundError(
                f"không có người/đơn vị nhận bàn giao {wanted[:60]!r} trong danh sách "
                "(xem `desk-app directory list`)"
            )
        raise DirectoryError(
            f"có {len(matches)} mục cùng tên {wanted[:60]!r}: hãy chỉ rõ bằng mã mục",
            code="directory.ambiguous",
        )

    def add(
        self,
        kind: str,
        name: str,
        officer: Officer,
        *,
        unit: str = "",
        username: str | None = None,
    ) -> Receiver:
        """Add an officer or a unit to the directory, for every desk of the commune."""
        officer.require(Permission.ADMINISTER)
        name, unit = " ".join(name.split()), " ".join(unit.split())
        username = (username or "").strip().lower() or None
        if kind not in RECEIVER_KINDS:
            raise DirectoryError("loại mục là officer (cán bộ) hoặc unit (bộ phận, đơn vị)")
        if not name or len(name) > 200 or len(unit) > 200:
            raise DirectoryError("nhập tên (tối đa 200 ký tự)")
        if not is_safe_text(name) or not is_safe_text(unit):
            raise DirectoryError("tên có ký tự điều khiển hoặc ký tự đảo chiều văn bản")
        if any(fold(r.name) == fold(name) for r in self.list()):
            raise DirectoryError(f"đã có {name!r} trong danh sách", code="directory.duplicate")
        entry = Receiver(uuid7(), kind, name, unit, username, True)
        self._save(entry, officer)
        return entry

    def retire(self, entry_id: str, officer: Officer) -> Receiver:
        """Stop offering an entry (old hand-overs keep its name)."""
        officer.require(Permission.ADMINISTER)
        with self._db.read() as s:
            row = s.get(DirectoryEntry, entry_id.strip())
            found = _receiver(row) if row is not None else None
        if found is None:
            raise ReceiverNotFoundError(f"không có mục {entry_id.strip()[:40]!r} trong danh sách")
        retired = Receiver(
            found.entry_id, found.kind, found.name, found.unit, found.username, False
        )
        self._save(retired, officer)
        return retired

    def _save(self, entry: Receiver, officer: Officer) -> None:
        profile = self._profiles.require()
        now = utc_naive(self._clock)
        payload = entry.payload()
        with self._db.write() as s:
            record_shared(
                s,
                payload,
                actor=officer.username,
                agency_code=profile.agency_code,
                desk=profile.desk_number,
                occurred_at_utc=now,
            )
            audit.record(
                s, at_utc=now, username=officer.username, action="change",
                object_type="directory", object_ref=entry.entry_id,
                detail=f"{entry.kind} {'active' if entry.active else 'retired'}",
            )  # fmt: skip
