"""The period statistics report (Biểu II.06a/VPCP/KSTT) and the chair's charts.

One row per field of work (lĩnh vực) or per procedure, with the form's columns:

* received (tiếp nhận): total; new online (trực tuyến); new in person or by post
  (trực tiếp, bưu chính); carried over from the previous period (kỳ trước chuyển qua)
  — the total includes what was carried over, as on the form;
* resolved (đã giải quyết): total; early (trước hạn); on time (đúng hạn); late (quá hạn),
  as the lifecycle classified each result against ``original_due_at``;
* in progress (đang giải quyết) at the period's end: total; within the deadline (trong
  hạn, including those waiting for a supplement, whose clock stands still); overdue
  (quá hạn: past ``original_due_at`` then);
* apart: withdrawn (rút), stopped (dừng), and the visits that received nothing — refused
  (từ chối) and guided to complete (hướng dẫn) — which are outside the received total.

Every term is counted on its own from the events up to the period's end (through
``report_history``: the state each dossier's events give at a moment), never as a
difference of other terms; then ``received = resolved + in progress + withdrawn +
stopped`` is checked, per row and in total, before anything is returned: a violation
is an error (``ReportInvariantError``), not a footnote.

The period is whole days ``[date_from, date_to]`` of local time: it starts at
``date_from`` 00:00 and ends before ``date_to + 1`` 00:00. In progress "at the end" is
the state at that moment; overdue means the original due day is ``date_to`` or earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, Clock, utc_naive
from desk_app.commune_settings import CommuneSettingsService
from desk_app.db.engine import Database
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.profile import ProfileService
from desk_app.report_history import (
    GUIDED,
    OPEN,
    REFUSED,
    RESOLVED,
    STOPPED,
    WAITING,
    WITHDRAWN,
    catch_up,
    from_secs,
    to_secs,
)
from desk_app.vocabulary import age_histogram

GroupBy = Literal["field", "procedure"]
GROUPINGS: tuple[GroupBy, ...] = ("field", "procedure")
UNKNOWN_GROUP = "(Không xác định)"


class ReportInvariantError(OperationalError):
    """The counted terms do not add up: received ≠ resolved + in progress + withdrawn +
    stopped. Nothing is output; the message names the row and the numbers."""

    default_code = "report.invariant"


class ReportPeriodError(InvalidInputError):
    default_code = "report.period"


# The form's integer columns, in its order, then the ones counted apart.
TERMS: tuple[str, ...] = (
    "received_total",
    "received_online",
    "received_in_person",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within_deadline",
    "in_progress_overdue",
    "withdrawn",
    "stopped",
    "refused",
    "guided",
)


# (group title, [(column title, term)]) in the form's order.
HEADER: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Số hồ sơ nhận giải quyết",
        (
            ("Tổng số", "received_total"),
            ("Trực tuyến", "received_online"),
            ("Trực tiếp, bưu chính", "received_in_person"),
            ("Kỳ trước chuyển qua", "carried_over"),
        ),
    ),
    (
        "Số hồ sơ đã giải quyết",
        (
            ("Tổng số", "resolved_total"),
            ("Trước hạn", "resolved_early"),
            ("Đúng hạn", "resolved_on_time"),
            ("Quá hạn", "resolved_late"),
        ),
    ),
    (
        "Số hồ sơ đang giải quyết",
        (
            ("Tổng số", "in_progress_total"),
            ("Trong hạn", "in_progress_within_deadline"),
            ("Quá hạn", "in_progress_overdue"),
        ),
    ),
    (
        "Không tính vào số nhận",
        (
            ("Rút hồ sơ", "withdrawn"),
            ("Dừng giải quyết", "stopped"),
            ("Từ chối tiếp nhận", "refused"),
            ("Hướng dẫn bổ sung", "guided"),
        ),
    ),
)
COLUMNS: tuple[tuple[str, str], ...] = tuple(c for _, cols in HEADER for c in cols)
PROGRESS_TITLE = "Tỷ lệ trước và đúng hạn (%)"


def group_title(report: PeriodReport) -> str:
    """The heading of the rows' column."""
    return "Lĩnh vực" if report.by == "field" else "Thủ tục hành chính"


@dataclass
class ReportRow:
    """One line of the form: a field of work, a procedure, or the whole commune."""

    key: str
    label: str
    received_total: int = 0
    received_online: int = 0
    received_in_person: int = 0
    carried_over: int = 0
    resolved_total: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_total: int = 0
    in_progress_within_deadline: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    stopped: int = 0
    refused: int = 0
    guided: int = 0

    @property
    def progress(self) -> float | None:
        """Share resolved early or on time (the province's progress score), in %."""
        if not self.resolved_total:
            return None
        return 100.0 * (self.resolved_early + self.resolved_on_time) / self.resolved_total

    def add(self, other: ReportRow) -> None:
        for name in TERMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def check(self) -> None:
        """Raise ``ReportInvariantError`` when the independently counted terms disagree."""
        problems = []
        closed = self.resolved_total + self.in_progress_total + self.withdrawn + self.stopped
        if self.received_total != closed:
            problems.append(
                f"tiếp nhận {self.received_total} ≠ đã giải quyết {self.resolved_total} + "
                f"đang giải quyết {self.in_progress_total} + rút {self.withdrawn} + "
                f"dừng {self.stopped}"
            )
        new = self.received_online + self.received_in_person + self.carried_over
        if self.received_total != new:
            problems.append(f"tiếp nhận {self.received_total} ≠ các cột thành phần {new}")
        classes = self.resolved_early + self.resolved_on_time + self.resolved_late
        if self.resolved_total != classes:
            problems.append(f"đã giải quyết {self.resolved_total} ≠ trước + đúng + quá hạn")
        parts = self.in_progress_within_deadline + self.in_progress_overdue
        if self.in_progress_total != parts:
            problems.append(f"đang giải quyết {self.in_progress_total} ≠ trong + quá hạn")
        if problems:
            raise ReportInvariantError(
                f"số liệu báo cáo không khớp ở dòng “{self.label}”: " + "; ".join(problems)
            )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label}
        data.update({name: getattr(self, name) for name in TERMS})
        data["progress_percent"] = _round(self.progress)
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class SatisfactionRow:
    officer: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SeriesPoint:
    """One day or week of the charts."""

    start: dt.date
    received: int
    resolved: int
    resolved_in_time: int  # early or on time

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.resolved_in_time / self.resolved if self.resolved else None


@dataclass
class PeriodReport:
    date_from: dt.date
    date_to: dt.date
    by: GroupBy
    rows: list[ReportRow]
    total: ReportRow
    satisfaction: list[SatisfactionRow]
    rating_levels: list[str]
    last_sync_at: dt.datetime | None  # local time of the last successful sync
    generated_at: dt.datetime  # local
    unit_name: str = ""
    place_name: str = ""
    parent_body: str = ""
    #: received and resolved per day, week or month, for the charts
    series: list[SeriesPoint] = field(default_factory=list)
    #: the dossiers in progress at the period's end by days since receipt (the backlog
    #: screen's buckets; the same numbers as the backlog when the period ends today)
    backlog_by_age: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "by": self.by,
        }
        data.update({name: getattr(self.total, name) for name in TERMS})
        data["progress_percent"] = _round(self.total.progress)
        data["rows"] = [r.to_json() for r in self.rows]
        data["satisfaction"] = [
            {"officer": s.officer, "counts": s.counts, "total": s.total} for s in self.satisfaction
        ]
        data["last_sync_at"] = (
            self.last_sync_at.isoformat(timespec="seconds") if self.last_sync_at else None
        )
        data["generated_at"] = self.generated_at.isoformat(timespec="seconds")
        return data


# ------------------------------------------------------------------ the queries

_DAY = 86_400


def _grouped(
    s: Session, by: GroupBy, ids_sql: str, aggregates: str, params: dict[str, Any]
) -> list[Any]:
    """``aggregates`` over the dossiers ``ids_sql`` selects (``dossier_id`` and any
    columns it names ``x.*``), grouped by field or procedure code. Only the history's
    small rows are read (``report_dossiers`` carries the field, code and channel)."""
    column = "rd.field" if by == "field" else "rd.procedure_code"
    key = f"coalesce(nullif({column}, ''), '{UNKNOWN_GROUP}')"
    sql = (
        f"SELECT {key} AS k, {key} AS l, {aggregates} FROM ({ids_sql}) x "
        "JOIN report_dossiers rd ON rd.id = x.dossier_id GROUP BY k"
    )
    return list(s.execute(text(sql), params))


def _procedure_names(s: Session) -> dict[str, str]:
    """Each procedure code's name in the newest catalogue that has it."""
    return {
        str(code): str(name)
        for code, name in s.execute(text("SELECT code, name FROM procedures ORDER BY id"))
    }


def _alive_at(moment: str, states: str) -> str:
    """Segments in force just before ``moment`` (the fold of the events effective
    before it) whose state is one of ``states``: bounded ones through the index on
    ``valid_to``, the last segments (NULL) through the same index's NULL prefix."""
    return (
        "SELECT dossier_id, state, original_due, classification FROM report_segments "
        f"WHERE valid_to >= {moment} AND valid_from < {moment} AND state IN ({states}) "
        "UNION ALL "
        "SELECT dossier_id, state, original_due, classification FROM report_segments "
        f"WHERE valid_to IS NULL AND state IN ({states}) AND valid_from < {moment}"
    )


def count_period(s: Session, date_from: dt.date, date_to: dt.date, by: GroupBy) -> list[ReportRow]:
    """Every term of every row, each counted by its own query. Not checked here."""
    start = to_secs(dt.datetime.combine(date_from, dt.time()))
    end = to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    params = {"f": start, "t": end}
    rows: dict[str, ReportRow] = {}

    def row(key: str, label: str) -> ReportRow:
        found = rows.get(key)
        if found is None:
            found = rows[key] = ReportRow(key, label)
        return found

    open_states = f"{OPEN}, {WAITING}"
    # Carried over: open (or waiting) at the period's start.
    for k, label, n in _grouped(s, by, _alive_at(":f", open_states), "count(*)", params):
        row(k, label).carried_over = n
    # Newly received in the period: the receipt's effective time, by channel.
    new_ids = (
        "SELECT id AS dossier_id FROM report_dossiers "
        f"WHERE received >= :f AND received < :t AND first_state NOT IN ({REFUSED}, {GUIDED})"
    )
    for k, label, online, other in _grouped(
        s,
        by,
        new_ids,
        "sum(rd.channel = 'online'), sum(rd.channel != 'online')",
        params,
    ):
        r = row(k, label)
        r.received_online, r.received_in_person = online, other
    # Received, counted on its own: open at the start, or received new in the period.
    received_ids = f"SELECT dossier_id FROM ({_alive_at(':f', open_states)}) UNION ALL {new_ids}"
    for k, label, n in _grouped(s, by, received_ids, "count(*)", params):
        row(k, label).received_total = n
    # Resolved, withdrawn, stopped in the period: in that state at the end, entered
    # during the period (not already so at the start).
    closed_ids = (
        "SELECT c.dossier_id, c.state, c.classification FROM report_segments c "
        f"WHERE c.valid_from >= :f AND c.valid_from < :t "
        f"AND c.state IN ({RESOLVED}, {WITHDRAWN}, {STOPPED}) "
        "AND (c.valid_to IS NULL OR c.valid_to >= :t) "
        "AND NOT EXISTS (SELECT 1 FROM report_segments b WHERE b.dossier_id = c.dossier_id "
        "AND b.valid_from < :f AND (b.valid_to IS NULL OR b.valid_to >= :f) "
        "AND b.state = c.state)"
    )
    for k, label, resolved, early, on_time, late, withdrawn, stopped in _grouped(
        s,
        by,
        closed_ids,
        f"sum(x.state = {RESOLVED}), sum(x.state = {RESOLVED} AND x.classification = 1), "
        # a result without a classification (old data) counts as on time, as a procedure
        # without an appointment does
        f"sum(x.state = {RESOLVED} AND coalesce(x.classification, 2) = 2), "
        f"sum(x.state = {RESOLVED} AND x.classification = 3), "
        f"sum(x.state = {WITHDRAWN}), sum(x.state = {STOPPED})",
        params,
    ):
        r = row(k, label)
        r.resolved_total, r.resolved_early, r.resolved_on_time = resolved, early, on_time
        r.resolved_late, r.withdrawn, r.stopped = late, withdrawn, stopped
    # In progress at the end: open or waiting then; overdue when open (not waiting)
    # and the original due day is over.
    for k, label, total, within, overdue in _grouped(
        s,
        by,
        _alive_at(":t", open_states),
        "count(*), "
        f"sum(x.state = {WAITING} OR x.original_due IS NULL OR x.original_due >= :t), "
        f"sum(x.state = {OPEN} AND x.original_due IS NOT NULL AND x.original_due < :t)",
        params,
    ):
        r = row(k, label)
        r.in_progress_total, r.in_progress_within_deadline, r.in_progress_overdue = (
            total,
            within,
            overdue,
        )
    # Refused and guided: visits that received nothing (outside the received total) —
    # the intake outcomes, and refusals old desks recorded as dossiers.
    for k, label, refused, guided in _grouped(
        s,
        by,
        "SELECT id AS dossier_id, first_state FROM report_dossiers "
        f"WHERE received >= :f AND received < :t AND first_state IN ({REFUSED}, {GUIDED})",
        f"sum(x.first_state = {REFUSED}), sum(x.first_state = {GUIDED})",
        params,
    ):
        r = row(k, label)
        r.refused, r.guided = refused, guided
    for k, label, refused, guided in _outcomes(s, by, date_from, date_to):
        r = row(k, label)
        r.refused += refused
        r.guided += guided
    if by == "procedure":
        names = _procedure_names(s)
        for r in rows.values():
            r.label = names.get(r.key, r.label)
    return sorted(rows.values(), key=lambda r: r.label)


def open_by_age(s: Session, date_to: dt.date) -> list[tuple[str, int]]:
    """The dossiers open or waiting at the end of ``date_to`` (the report's "in
    progress"), by calendar days from their receipt to ``date_to``, in ``AGE_BUCKETS``."""
    end = to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    end_day = (date_to - dt.date(1970, 1, 1)).days
    ages = s.execute(
        text(
            f"SELECT :d - rd.received / {_DAY} AS age, count(*) "
            f"FROM ({_alive_at(':t', f'{OPEN}, {WAITING}')}) x "
            "JOIN report_dossiers rd ON rd.id = x.dossier_id "
            "WHERE rd.received IS NOT NULL GROUP BY age"
        ),
        {"t": end, "d": end_day},
    )
    return age_histogram({int(age): int(n) for age, n in ages})


def _outcomes(s: Session, by: GroupBy, date_from: dt.date, date_to: dt.date) -> list[Any]:
    """Guided and refused visits (``intake_outcomes``) in the period, grouped."""
    if by == "field":
        key = (
            "coalesce(nullif((SELECT p.field FROM procedures p WHERE p.code = o.procedure_code "
            f"ORDER BY p.id DESC LIMIT 1), ''), '{UNKNOWN_GROUP}')"
        )
        label = key
    else:
        key = f"coalesce(nullif(o.procedure_code, ''), '{UNKNOWN_GROUP}')"
        label = f"coalesce(max(o.procedure_name), '{UNKNOWN_GROUP}')"
    start = dt.datetime.combine(date_from, dt.time()).isoformat(" ")
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()).isoformat(" ")
    return list(
        s.execute(
            text(
                f"SELECT {key} AS k, {label} AS l, sum(o.kind = 'refused'), "
                "sum(o.kind = 'guided') FROM intake_outcomes o "
                "WHERE o.at >= :fa AND o.at < :ta GROUP BY k"
            ),
            {"fa": start, "ta": end},
        )
    )


def _satisfaction(
    s: Session, date_from: dt.date, date_to: dt.date, scale: Sequence[str] = ()
) -> tuple[list[SatisfactionRow], list[str]]:
    """Ratings per officer who recorded the return; the levels in the scale's order, then
    any other label a past scale used."""
    start = to_secs(dt.datetime.combine(date_from, dt.time()))
    end = to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    per: dict[str, dict[str, int]] = {}
    levels: list[str] = list(scale)
    for officer, rating, n in s.execute(
        text(
            "SELECT officer, rating, count(*) FROM report_ratings "
            "WHERE at >= :f AND at < :t GROUP BY officer, rating ORDER BY officer, rating"
        ),
        {"f": start, "t": end},
    ):
        per.setdefault(officer, {})[rating] = n
        if rating not in levels:
            levels.append(rating)
    return [SatisfactionRow(o, c) for o, c in per.items()], levels


def series(
    s: Session, date_from: dt.date, date_to: dt.date, step: Literal["day", "week", "month"]
) -> list[SeriesPoint]:
    """Received and resolved per day, week (from Monday) or month, with the share
    resolved early or on time."""
    start = to_secs(dt.datetime.combine(date_from, dt.time()))
    end = to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    received: dict[int, int] = {}
    for day, n in s.execute(
        text(
            f"SELECT received / {_DAY} AS day, count(*) FROM report_dossiers "
            f"WHERE received >= :f AND received < :t AND first_state NOT IN ({REFUSED}, {GUIDED}) "
            "GROUP BY day"
        ),
        {"f": start, "t": end},
    ):
        received[day] = n
    resolved: dict[int, tuple[int, int]] = {}
    for day, n, good in s.execute(
        text(
            f"SELECT c.valid_from / {_DAY} AS day, count(*), "
            "sum(coalesce(c.classification, 2) IN (1, 2)) FROM report_segments c "
            f"WHERE c.valid_from >= :f AND c.valid_from < :t AND c.state = {RESOLVED} "
            "AND NOT EXISTS (SELECT 1 FROM report_segments b WHERE b.dossier_id = c.dossier_id "
            f"AND b.valid_to = c.valid_from AND b.state = {RESOLVED}) GROUP BY day"
        ),
        {"f": start, "t": end},
    ):
        resolved[day] = (n, good)

    def bucket(day: dt.date) -> dt.date:
        if step == "week":
            return day - dt.timedelta(days=day.weekday())
        if step == "month":
            return day.replace(day=1)
        return day

    points: dict[dt.date, list[int]] = {}
    day = date_from
    while day <= date_to:
        points.setdefault(bucket(day), [0, 0, 0])
        day += dt.timedelta(days=1)
    epoch = dt.date(1970, 1, 1)
    for n_day, n in received.items():
        points[bucket(epoch + dt.timedelta(days=n_day))][0] += n
    for n_day, (n, good) in resolved.items():
        p = points[bucket(epoch + dt.timedelta(days=n_day))]
        p[1] += n
        p[2] += good
    return [SeriesPoint(k, *v) for k, v in sorted(points.items())]


# ------------------------------------------------------------------ the service

UNIT_NAME = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"


def chart_step(date_from: dt.date, date_to: dt.date) -> Literal["day", "week", "month"]:
    """Days for a month, weeks up to half a year, months beyond."""
    days = (date_to - date_from).days + 1
    return "day" if days <= 31 else "week" if days <= 184 else "month"


def _last_sync(s: Session) -> dt.datetime | None:
    value = s.execute(text("SELECT last_success_at FROM sync_state WHERE id = 1")).scalar()
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)


class ReportService:
    """The chair's statistics: the period report and the charts' series."""

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

    def _scale(self) -> tuple[str, ...]:
        return self._settings.get().rating_scale if self._settings else ()

    def refresh_history(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Take in the events since the last report (see ``report_history``)."""
        return catch_up(self._db, progress)

    def period(
        self,
        date_from: dt.date,
        date_to: dt.date,
        officer: Officer,
        by: GroupBy = "field",
        *,
        audit_action: Literal["view", "print", "export"] = "view",
        progress: Callable[[int, int], None] | None = None,
    ) -> PeriodReport:
        """The report for the days ``date_from``..``date_to`` (both included), checked."""
        officer.require(Permission.REPORT)
        if date_to < date_from:
            raise ReportPeriodError(
                f"kỳ báo cáo không hợp lệ: ngày kết thúc {date_to:%d/%m/%Y} trước ngày bắt "
                f"đầu {date_from:%d/%m/%Y}"
            )
        if by not in GROUPINGS:
            raise ReportPeriodError(f"không có cách nhóm {by!r}: chọn field hoặc procedure")
        catch_up(self._db, progress)
        profile = self._profiles.get()
        now_utc = utc_naive(self._clock)
        with self._db.read() as s:
            rows = count_period(s, date_from, date_to, by)
            satisfaction, levels = _satisfaction(s, date_from, date_to, self._scale())
            last_sync = _last_sync(s)
            points = series(s, date_from, date_to, chart_step(date_from, date_to))
            by_age = open_by_age(s, date_to)
        total = ReportRow("", "Tổng cộng")
        for r in rows:
            r.check()
            total.add(r)
        total.check()
        report = PeriodReport(
            date_from=date_from,
            date_to=date_to,
            by=by,
            rows=rows,
            total=total,
            satisfaction=satisfaction,
            rating_levels=levels,
            last_sync_at=last_sync,
            generated_at=now_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None),
            unit_name=UNIT_NAME,
            place_name=profile.place_name if profile else "",
            parent_body=profile.parent_body if profile else "",
            series=points,
            backlog_by_age=by_age,
        )
        with self._db.write() as s:
            audit.record(
                s,
                at_utc=now_utc,
                username=officer.username,
                action=audit_action,
                object_type="report",
                object_ref=f"{date_from.isoformat()}..{date_to.isoformat()}",
                detail=f"by={by}",
            )
        return report

    def record_output(
        self,
        officer: Officer,
        action: Literal["print", "export"],
        what: str,
        ref: str,
        detail: str = "",
    ) -> None:
        """Audit a printed or exported report or sheet."""
        with self._db.write() as s:
            audit.record(
                s,
                at_utc=utc_naive(self._clock),
                username=officer.username,
                action=action,
                object_type=what,
                object_ref=ref,
                detail=detail,
            )

    def series(
        self,
        date_from: dt.date,
        date_to: dt.date,
        officer: Officer,
        step: Literal["day", "week", "month"] = "day",
    ) -> list[SeriesPoint]:
        officer.require(Permission.REPORT)
        catch_up(self._db)
        with self._db.read() as s:
            return series(s, date_from, date_to, step)


__all__ = [
    "GROUPINGS",
    "TERMS",
    "GroupBy",
    "PeriodReport",
    "ReportInvariantError",
    "ReportPeriodError",
    "ReportRow",
    "ReportService",
    "SatisfactionRow",
    "SeriesPoint",
    "count_period",
    "from_secs",
    "series",
]
