"""The chair's backlog (hồ sơ tồn): what needs action today, across every desk of the
commune (whatever sync has brought here).

Read from the projection columns of the dossier rows (status, holder, due dates, return
time) through their indexes — never from the events — so a refresh stays quick with a
million dossiers. The lists:

* ``overdue`` (quá hạn): open, not waiting for a supplement, and the original due day
  (``original_due_at``, before any extension: an apology never erases lateness) is over;
  with the working days late;
* ``due_today`` (đến hạn hôm nay): the appointment now (``due_at``) is today;
* ``due_soon`` (sắp đến hạn): the appointment falls within the warning window — the next
  N working days (a setting, 2 by default);
* ``waiting_supplement`` (chờ bổ sung): the clock stands still;
* ``received_today`` and ``returned_today``.

An overdue dossier is listed as overdue only, not again as due today or soon.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal

from sqlalchemy import text

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, Clock, local_now, utc_naive
from desk_app.commune_settings import CommuneSettingsService
from desk_app.db.engine import Database
from desk_app.errors import InvalidInputError
from desk_app.profile import ProfileService
from desk_app.vocabulary import age_histogram

DEFAULT_WARNING_DAYS = 2
OPEN_STATUSES = ("received", "in_progress", "extended", "waiting_supplement")

TileKey = Literal[
    "due_today", "overdue", "due_soon", "waiting_supplement", "received_today", "returned_today"
]
TILES: tuple[TileKey, ...] = (
    "due_today",
    "overdue",
    "due_soon",
    "waiting_supplement",
    "received_today",
    "returned_today",
)
TILE_LABELS: dict[str, str] = {
    "due_today": "Đến hạn hôm nay",
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
    "waiting_supplement": "Chờ bổ sung",
    "received_today": "Tiếp nhận hôm nay",
    "returned_today": "Đã trả hôm nay",
}
# Per group in the breakdowns: open dossiers and the action lists among them.
BREAKDOWN_COLUMNS = ("open", "overdue", "due_today", "due_soon", "waiting_supplement")


class BacklogFilterError(InvalidInputError):
    default_code = "backlog.filter"


@dataclass(frozen=True)
class BacklogFilter:
    """Which dossiers the lists cover. Empty means everything."""

    received_from: dt.date | None = None
    received_to: dt.date | None = None
    statuses: tuple[str, ...] = ()
    procedure_code: str | None = None
    field: str | None = None
    desk: int | None = None

    def check(self) -> None:
        if self.received_from and self.received_to and self.received_to < self.received_from:
            raise BacklogFilterError("khoảng ngày tiếp nhận không hợp lệ: ngày cuối trước ngày đầu")

    def where(self, params: dict[str, Any]) -> str:
        """SQL conditions on ``d`` (dossiers)."""
        parts = []
        if self.received_from:
            parts.append("d.received_at >= :rf")
            params["rf"] = dt.datetime.combine(self.received_from, dt.time()).isoformat(" ")
        if self.received_to:
            parts.append("d.received_at < :rt")
            params["rt"] = dt.datetime.combine(
                self.received_to + dt.timedelta(days=1), dt.time()
            ).isoformat(" ")
        if self.statuses:
            names = []
            for n, status in enumerate(self.statuses):
                params[f"st{n}"] = status
                names.append(f":st{n}")
            parts.append(f"d.status IN ({', '.join(names)})")
        if self.procedure_code:
            parts.append("d.procedure_code = :pc")
            params["pc"] = self.procedure_code
        if self.field:
            parts.append("d.procedure_id IN (SELECT id FROM procedures WHERE field = :pf)")
            params["pf"] = self.field
        if self.desk is not None:
            parts.append("d.origin_desk = :dk")
            params["dk"] = self.desk
        return "".join(f" AND {p}" for p in parts)


@dataclass(slots=True)
class BacklogItem:
    """One listed dossier (built by the thousand on every refresh: slots, not frozen)."""

    code: str
    procedure_code: str
    procedure_name: str
    field: str
    status: str
    holder: str
    applicant_name: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    returned_at: dt.datetime | None
    desk: int
    #: "overdue", "due_today", "due_soon", "waiting_supplement", "on_track" or "closed"
    urgency: str
    #: working days past the original due day (0 unless overdue)
    days_late: int = 0
    extended: bool = False

    def to_json(self) -> dict[str, Any]:
        def iso(v: dt.datetime | None) -> str | None:
            return v.isoformat(timespec="seconds") if v else None

        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "field": self.field,
            "status": self.status,
            "holder": self.holder,
            "applicant_name": self.applicant_name,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "original_due_at": iso(self.original_due_at),
            "returned_at": iso(self.returned_at),
            "desk": self.desk,
            "urgency": self.urgency,
            "days_late": self.days_late,
            "extended": self.extended,
        }


@dataclass
class Backlog:
    today: dt.date
    warning_days: int
    generated_at: dt.datetime
    last_sync_at: dt.datetime | None
    open_total: int
    lists: dict[str, list[BacklogItem]]
    by_holder: dict[str, dict[str, int]]
    by_procedure: dict[str, dict[str, int]]
    by_field: dict[str, dict[str, int]]
    by_age: list[tuple[str, int]]

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(self.lists[k]) for k in TILES}

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "warning_days": self.warning_days,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "last_sync_at": (
                self.last_sync_at.isoformat(timespec="seconds") if self.last_sync_at else None
            ),
            "open_total": self.open_total,
            "counts": self.counts,
            "lists": {k: [i.to_json() for i in self.lists[k]] for k in TILES},
            "by_holder": self.by_holder,
            "by_procedure": self.by_procedure,
            "by_field": self.by_field,
            "by_age": [{"age": label, "count": n} for label, n in self.by_age],
        }


_COLUMNS = (
    "d.code, d.procedure_code, d.procedure_name, d.procedure_id, d.status, "
    "coalesce(d.holder, d.received_by), d.applicant_name, d.received_at, d.due_at, "
    "d.original_due_at, d.returned_at, d.origin_desk, d.extension_count"
)
# The field of work comes from the procedure (``procedure_id``, looked up in Python:
# a join would cost a lookup per open dossier).
_FROM = "FROM dossiers d"


def _dt(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return _parse(value)


_parse = dt.datetime.fromisoformat


def _item(row: Any, fields: dict[int, str], urgency: str, days_late: int = 0) -> BacklogItem:
    due, original, returned = row[8], row[9], row[10]
    return BacklogItem(
        row[0],
        row[1],
        row[2],
        fields.get(row[3], ""),
        row[4],
        row[5] or "",
        row[6],
        _parse(row[7]),
        None if due is None else _parse(due),
        None if original is None else _parse(original),
        None if returned is None else _parse(returned),
        row[11],
        urgency,
        days_late,
        bool(row[12]),
    )


def _breakdown(counts: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    """Per group, the columns of ``BREAKDOWN_COLUMNS``; most overdue first."""
    return {
        g: {c: counts[g][c] for c in BREAKDOWN_COLUMNS}
        for g in sorted(counts, key=lambda g: (-counts[g]["overdue"], -counts[g]["open"], g))
    }


class BacklogService:
    """The backlog lists and counts the chair's first screen and ``desk-app backlog``
    show."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        profiles: ProfileService,
        settings: CommuneSettingsService | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._settings = settings

    def warning_days(self) -> int:
        """The commune's warning window (working days), 2 unless a setting says otherwise."""
        if self._settings is None:
            return DEFAULT_WARNING_DAYS
        return self._settings.get().warning_days

    def backlog(
        self,
        officer: Officer,
        filters: BacklogFilter | None = None,
        *,
        warning_days: int | None = None,
        record_view: bool = False,
    ) -> Backlog:
        """The lists as of now; ``warning_days`` None means the commune's setting."""
        officer.require(Permission.REPORT)
        filters = filters or BacklogFilter()
        filters.check()
        if warning_days is None:
            warning_days = self.warning_days()
        if not 0 <= warning_days <= 30:
            raise BacklogFilterError("số ngày cảnh báo sắp đến hạn từ 0 đến 30 ngày làm việc")
        calendar = self._profiles.calendar()
        now = local_now(self._clock)
        today = now.date()
        soon_until = calendar.add_working_days(today, warning_days)
        day_start = dt.datetime.combine(today, dt.time()).isoformat(" ")
        day_end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time()).isoformat(" ")
        params: dict[str, Any] = {"ds": day_start, "de": day_end}
        where = filters.where(params)
        statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
        with self._db.read() as s:
            # Every open dossier, thousands of rows: fetched as the driver's plain tuples,
            # without a result row object around each (half the objects to allocate and
            # for the garbage collector to walk), in the session's transaction.
            raw = s.connection().connection.driver_connection
            assert raw is not None
            open_rows = raw.execute(
                f"SELECT {_COLUMNS} {_FROM} WHERE d.status IN ({statuses}){where}", params
            ).fetchall()
            received_rows = s.execute(
                text(
                    f"SELECT {_COLUMNS} {_FROM} WHERE d.received_at >= :ds "
                    f"AND d.received_at < :de AND d.status NOT IN ('refused', 'guided'){where}"
                ),
                params,
            ).all()
            returned_rows = s.execute(
                text(
                    f"SELECT {_COLUMNS} {_FROM} WHERE d.returned_at >= :ds "
                    f"AND d.returned_at < :de{where}"
                ),
                params,
            ).all()
            fields: dict[int, str] = {
                int(i): str(f or "") for i, f in s.execute(text("SELECT id, field FROM procedures"))
            }
            last_sync = s.execute(
                text("SELECT last_success_at FROM sync_state WHERE id = 1")
            ).scalar()
            if record_view:
                audit.record(
                    s,
                    at_utc=utc_naive(self._clock),
                    username=officer.username,
                    action="view",
                    object_type="backlog",
                    object_ref=today.isoformat(),
                )
        # Classified on the stored text of the dates (ISO, so they compare as strings):
        # a refresh reads every open dossier, and only the listed ones become items.
        lists: dict[str, list[BacklogItem]] = {k: [] for k in TILES}
        today_s, soon_s = today.isoformat(), soon_until.isoformat()
        today_ord = today.toordinal()
        # Counted per distinct (holder, procedure, field, urgency) and per day received,
        # then spread over the breakdowns and the age buckets: a few hundred keys
        # instead of a dozen dictionary updates for each of thousands of rows.
        tally: Counter[tuple[Any, Any, Any, str]] = Counter()
        received_days: Counter[str] = Counter()
        late_days: dict[str, int] = {}
        for row in open_rows:
            status, due_s, original_s = row[4], row[8], row[9]
            due_day = str(due_s)[:10] if due_s is not None else None
            basis = str(original_s)[:10] if original_s is not None else due_day
            late = 0
            if status == "waiting_supplement":
                urgency = "waiting_supplement"
            elif basis is not None and basis < today_s:
                urgency = "overdue"
                late = late_days.get(basis, 0)
                if not late:
                    late = late_days[basis] = max(
                        1, calendar.working_days_between(dt.date.fromisoformat(basis), today)
                    )
            elif due_day is None:
                urgency = "on_track"
            elif due_day == today_s:
                urgency = "due_today"
            elif due_day <= soon_s:
                urgency = "due_soon"
            else:
                urgency = "on_track"
            if urgency != "on_track":
                lists[urgency].append(_item(row, fields, urgency, late))
            tally[(row[5], row[2], row[3], urgency)] += 1
            received_days[str(row[7])[:10]] += 1
        groups: dict[str, dict[str, Counter[str]]] = {"holder": {}, "procedure": {}, "field": {}}
        for (holder, procedure, procedure_id, urgency), n in tally.items():
            field_name = fields.get(procedure_id, "")
            for kind, value in zip(groups, (holder, procedure, field_name), strict=True):
                key = value or "(chưa rõ)"
                counter = groups[kind].get(key)
                if counter is None:
                    counter = groups[kind][key] = Counter()
                counter["open"] += n
                if urgency != "on_track":
                    counter[urgency] += n
        ages: Counter[int] = Counter()  # open dossiers per age in days
        for day, n in received_days.items():
            ages[today_ord - dt.date.fromisoformat(day).toordinal()] += n
        # By code, then (the sort is stable) by the order wanted: no key tuple per item.
        by_code = attrgetter("code")
        lists["overdue"].sort(key=by_code)
        lists["overdue"].sort(key=attrgetter("days_late"), reverse=True)  # longest late first
        for key in ("due_today", "due_soon", "waiting_supplement"):
            lists[key].sort(key=by_code)
            lists[key].sort(key=lambda i: i.due_at or i.received_at)
        lists["received_today"] = sorted(
            (_item(r, fields, "closed") for r in received_rows), key=lambda i: i.received_at
        )
        lists["returned_today"] = sorted(
            (_item(r, fields, "closed") for r in returned_rows),
            key=lambda i: i.returned_at or i.received_at,
        )
        last = _dt(last_sync)
        return Backlog(
            today=today,
            warning_days=warning_days,
            generated_at=now,
            last_sync_at=(
                last.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)
                if last
                else None
            ),
            open_total=len(open_rows),
            lists=lists,
            by_holder=_breakdown(groups["holder"]),
            by_procedure=_breakdown(groups["procedure"]),
            by_field=_breakdown(groups["field"]),
            by_age=age_histogram(ages),
        )

    def fields(self) -> list[str]:
        """The fields of work (lĩnh vực) of the catalogue, for the filters."""
        with self._db.read() as s:
            return [
                r[0]
                for r in s.execute(
                    text("SELECT DISTINCT field FROM procedures WHERE field != '' ORDER BY field")
                )
            ]

    def procedures(self) -> list[tuple[str, str]]:
        """(code, name) of every procedure a dossier here was received under."""
        with self._db.read() as s:
            return [
                (r[0], r[1])
                for r in s.execute(
                    text("SELECT code, max(name) FROM procedures GROUP BY code ORDER BY max(name)")
                )
            ]
