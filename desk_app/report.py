"""The period statistics report (Biểu II.06a/VPCP/KSTT) and the chair's charts.

One row per field of work (lĩnh vực) or per procedure, with the form's columns:

* received (tiếp nhận): total; new online (trực tuyến); new in person or by post
  (trực tiếp, bưu chính); carried over from the previous period (kỳ trước chuyển qua):
  open at the start, or closed then and reopened during the period (its closing step
  annulled) — the total includes what was carried over, as on the form;
* resolved (đã giải quyết): total; early (trước hạn); on time (đúng hạn); late (quá hạn),
  as the lifecycle classified each result against ``original_due_at``: the dossiers
  resolved at the period's end that were open during it or received in it (likewise
  withdrawn and stopped);
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
    M_EARLY,
    M_GUIDED,
    M_LATE,
    M_NEW_ONLINE,
    M_NEW_OTHER,
    M_ON_TIME,
    M_OPEN,
    M_OVERDUE,
    M_REFUSED,
    M_RESOLVED_OTHER,
    M_STOPPED,
    M_WITHDRAWN,
    M_WITHIN,
    MONTHLY,
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


def _day(d: dt.date) -> int:
    return d.toordinal() - _EPOCH_ORDINAL


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _month_start(day: int, *, up: bool) -> int:
    """The first day of the month of ``day`` (of the next month when ``up`` and ``day``
    is not a first), in days."""
    date = dt.date.fromordinal(_EPOCH_ORDINAL + day)
    first = date.replace(day=1)
    if up and first != date:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return _day(first)


def _spans(lo: int, hi: int) -> list[tuple[int, int, int]]:
    """The summary rows that cover the days ``[lo, hi)``: (metric offset, from, to) —
    whole months through the monthly rows, the days at either edge through the daily."""
    first, last = _month_start(lo, up=True), _month_start(hi, up=False)
    if first >= last:
        return [(0, lo, hi)] if lo < hi else []
    return [
        span
        for span in ((0, lo, first), (MONTHLY, first, last), (0, last, hi))
        if span[1] < span[2]
    ]


def _summed(
    s: Session, by: GroupBy, metrics: Sequence[int], lo: int, hi: int
) -> dict[str, dict[int, int]]:
    """Per group, per metric: the summary summed over the days ``[lo, hi)``."""
    column = "field" if by == "field" else "procedure_code"
    key = f"coalesce(nullif({column}, ''), '{UNKNOWN_GROUP}')"
    out: dict[str, dict[int, int]] = {}
    for offset, a, b in _spans(lo, hi):
        for k, metric, n in s.execute(
            text(
                f"SELECT {key} AS k, metric - {offset}, sum(n) FROM report_daily "
                f"WHERE metric IN ({', '.join(str(m + offset) for m in metrics)}) "
                "AND day >= :a AND day < :b GROUP BY k, metric"
            ),
            {"a": a, "b": b},
        ):
            per = out.setdefault(k, {})
            per[metric] = per.get(metric, 0) + n
    return out


_PERIOD_METRICS = (
    *(M_NEW_ONLINE, M_NEW_OTHER, M_REFUSED, M_GUIDED),
    *(M_EARLY, M_ON_TIME, M_LATE, M_RESOLVED_OTHER, M_WITHDRAWN, M_STOPPED),
)


# An open segment (in handling, or waiting for a supplement) of the dossier ``x``.
_OPEN_SEGMENT = (
    "SELECT 1 FROM report_segments o WHERE o.dossier_id = x.dossier_id "
    f"AND o.state IN ({OPEN}, {WAITING})"
)


def count_period(s: Session, date_from: dt.date, date_to: dt.date, by: GroupBy) -> list[ReportRow]:
    """Every term of every row, each read on its own. Not checked here.

    From the summary (``report_history``): the dossiers open at the start (carried over)
    and at the end (in progress, within the deadline, overdue) are the sums of their
    day's +1 and −1 before that day; received, refused, guided and closed in the period
    are the sums over its days. The closings of the few dossiers that left a closed
    state again are counted from their segments (``report_complex``)."""
    first, end_day = _day(date_from), _day(date_to) + 1
    rows: dict[str, ReportRow] = {}

    def row(key: str) -> ReportRow:
        found = rows.get(key)
        if found is None:
            found = rows[key] = ReportRow(key, key)
        return found

    at_start = _summed(s, by, (M_OPEN,), 0, first)
    at_end = _summed(s, by, (M_OPEN, M_WITHIN, M_OVERDUE), 0, end_day)
    during = _summed(
        s,
        by,
        _PERIOD_METRICS,
        first,
        end_day,
    )
    for k, per in at_start.items():
        if per.get(M_OPEN):
            r = row(k)
            r.carried_over = per[M_OPEN]
            r.received_total += per[M_OPEN]
    for k, per in at_end.items():
        if any(per.values()):
            r = row(k)
            r.in_progress_total = per.get(M_OPEN, 0)
            r.in_progress_within_deadline = per.get(M_WITHIN, 0)
            r.in_progress_overdue = per.get(M_OVERDUE, 0)
    for k, per in during.items():
        if not any(per.values()):
            continue
        r = row(k)
        r.received_online = per.get(M_NEW_ONLINE, 0)
        r.received_in_person = per.get(M_NEW_OTHER, 0)
        r.received_total += r.received_online + r.received_in_person
        r.refused, r.guided = per.get(M_REFUSED, 0), per.get(M_GUIDED, 0)
        r.resolved_early = per.get(M_EARLY, 0)
        r.resolved_on_time = per.get(M_ON_TIME, 0)
        r.resolved_late = per.get(M_LATE, 0)
        r.resolved_total = sum(
            per.get(m, 0) for m in (M_EARLY, M_ON_TIME, M_LATE, M_RESOLVED_OTHER)
        )
        r.withdrawn, r.stopped = per.get(M_WITHDRAWN, 0), per.get(M_STOPPED, 0)
    # The few dossiers that left a closed state again (a closing step annulled), from
    # their segments. One closed at the start and reopened during the period is handled
    # in it again: it counts as carried over (received before, handled now). Its state
    # at the end counts as a closing of the period when the dossier was in play: open
    # at some moment of the period, or received in it.
    params = {
        "f": to_secs(dt.datetime.combine(date_from, dt.time())),
        "t": to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())),
    }
    reopened_ids = (
        "SELECT x.dossier_id FROM report_complex x "
        "JOIN report_dossiers r ON r.id = x.dossier_id WHERE r.received < :f "
        f"AND NOT EXISTS ({_OPEN_SEGMENT} AND o.valid_from < :f "
        "AND (o.valid_to IS NULL OR o.valid_to >= :f)) "
        f"AND EXISTS ({_OPEN_SEGMENT} AND o.valid_from >= :f AND o.valid_from < :t)"
    )
    for k, _label, reopened in _grouped(s, by, reopened_ids, "count(*)", params):
        r = row(k)
        r.carried_over += reopened
        r.received_total += reopened
    closed_ids = (
        "SELECT c.dossier_id, c.state, c.classification FROM report_complex x "
        "CROSS JOIN report_segments c ON c.dossier_id = x.dossier_id "
        f"WHERE c.valid_from >= :f AND c.valid_from < :t "
        f"AND c.state IN ({RESOLVED}, {WITHDRAWN}, {STOPPED}) "
        "AND (c.valid_to IS NULL OR c.valid_to >= :t) "
        f"AND (EXISTS ({_OPEN_SEGMENT} AND o.valid_from < :t "
        "AND (o.valid_to IS NULL OR o.valid_to >= :f)) "
        "OR EXISTS (SELECT 1 FROM report_dossiers r WHERE r.id = c.dossier_id "
        f"AND r.received >= :f AND r.first_state NOT IN ({REFUSED}, {GUIDED})))"
    )
    for k, _label, resolved, early, on_time, late, withdrawn, stopped in _grouped(
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
        r = row(k)
        r.resolved_total += resolved
        r.resolved_early += early
        r.resolved_on_time += on_time
        r.resolved_late += late
        r.withdrawn += withdrawn
        r.stopped += stopped
    for k, _label, refused, guided in _outcomes(s, by, date_from, date_to):
        r = row(k)
        r.refused += refused
        r.guided += guided
    if by == "procedure":
        names = _procedure_names(s)
        for r in rows.values():
            r.label = names.get(r.key, r.label)
    return sorted(rows.values(), key=lambda r: r.label)


# The dossiers open or waiting just before :t (the segment in force then), through the
# partial index ix_report_segments_alive: those that ended after :t, and those still so.
_IN_PROGRESS_AT = (
    "SELECT dossier_id FROM report_segments "
    f"WHERE state IN ({OPEN}, {WAITING}) AND valid_to >= :t AND valid_from < :t "
    "UNION ALL "
    "SELECT dossier_id FROM report_segments "
    f"WHERE state IN ({OPEN}, {WAITING}) AND valid_to IS NULL AND valid_from < :t"
)


def open_by_age(s: Session, date_to: dt.date) -> list[tuple[str, int]]:
    """The dossiers open or waiting at the end of ``date_to`` (the report's "in
    progress"), by calendar days from their receipt to ``date_to``, in ``AGE_BUCKETS``."""
    end = to_secs(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    end_day = (date_to - dt.date(1970, 1, 1)).days
    ages = s.execute(
        text(
            f"SELECT :d - rd.received / {_DAY} AS age, count(*) "
            f"FROM ({_IN_PROGRESS_AT}) x "
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
    first, end_day = _day(date_from), _day(date_to) + 1
    received: dict[int, int] = {}
    resolved: dict[int, tuple[int, int]] = {}
    for day, metric, n in s.execute(
        text(
            "SELECT day, metric, sum(n) FROM report_daily WHERE metric IN "
            f"({M_NEW_ONLINE}, {M_NEW_OTHER}, {M_EARLY}, {M_ON_TIME}, {M_LATE}, "
            f"{M_RESOLVED_OTHER}) AND day >= :a AND day < :b GROUP BY day, metric"
        ),
        {"a": first, "b": end_day},
    ):
        if metric in (M_NEW_ONLINE, M_NEW_OTHER):
            received[day] = received.get(day, 0) + n
        else:
            total, good = resolved.get(day, (0, 0))
            resolved[day] = (total + n, good + (n if metric in (M_EARLY, M_ON_TIME) else 0))
    # the results of the dossiers that left a closed state again, from their segments
    for day, n, good in s.execute(
        text(
            f"SELECT c.valid_from / {_DAY} AS day, count(*), "
            "sum(coalesce(c.classification, 2) IN (1, 2)) FROM report_complex x "
            "CROSS JOIN report_segments c ON c.dossier_id = x.dossier_id "
            f"WHERE c.valid_from >= :f AND c.valid_from < :t AND c.state = {RESOLVED} "
            "AND NOT EXISTS (SELECT 1 FROM report_segments b WHERE b.dossier_id = c.dossier_id "
            f"AND b.valid_to = c.valid_from AND b.state = {RESOLVED}) GROUP BY day"
        ),
        {"f": start, "t": end},
    ):
        total, was_good = resolved.get(day, (0, 0))
        resolved[day] = (total + n, was_good + good)

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
