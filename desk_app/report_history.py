"""Each dossier's state over time, kept for the statistics report (Biểu II.06a).

The report counts every term from the events up to a moment: in progress means open at
the period's end, carried over means open at its start. The state of a dossier at a
moment ``t`` is the fold of its events whose *effective time* is at most ``t`` (the
time the payload states — ``at``, or ``received_at`` for the receipt — else the time it
was recorded), in the desks' resolved order: the same ``fold`` the projection uses.

Folding a million dossiers for every report would take minutes, so this module keeps
the answer as rows (``report_segments``): for each distinct effective time of a
dossier's events, the state from that moment on, merged with its neighbour when what a
report reads (state, original due date, classification) did not change. ``catch_up``
takes in the events recorded or pulled since the last run (``events.seq`` is the
watermark; events never change), refolding only the dossiers they touch; an interrupted
run starts again from the watermark (refolding a dossier twice gives the same rows). A late sync
that brings an old event refolds its dossier, so a past period may change — which is
why the report states the time of the last successful sync.

A year's report must not read a year of segments either, so the history also keeps a
summary (``report_daily``), maintained with the segments in the same transaction: for
each day (days since 1970-01-01, local), field of work and procedure code,

* how many dossiers start or stop being open, within the deadline or overdue that day
  (+1 / −1: the number open at the start of a day is the sum of the days before it);
* how many were received (by channel), refused or guided that day;
* how many were resolved (early, on time, late), withdrawn or stopped that day — for
  every dossier that never left such a closed state again; the few that did (a result
  annulled, say) are listed in ``report_complex`` and counted from their segments.

Each metric is kept per day and, plus ``MONTHLY``, per month, so a year is a dozen
month rows and a few edge days. A dossier refolded by ``catch_up`` has its old rows'
share taken out of the summary and its new rows' share put in, by the same SQL that
builds the summary from nothing (``summary_rows`` recomputes it for the tests).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk_app.clock import LOCAL_ZONE
from desk_app.db.engine import Database
from desk_app.dossiers import Projection, fold, resolved_order

# What a report reads of a status (trạng thái → nhóm).
OPEN, WAITING, RESOLVED, WITHDRAWN, STOPPED, REFUSED, GUIDED = 1, 2, 3, 4, 5, 6, 7
STATE_OF_STATUS: dict[str, int] = {
    "received": OPEN,
    "in_progress": OPEN,
    "extended": OPEN,
    "waiting_supplement": WAITING,
    "result_ready": RESOLVED,
    "returned": RESOLVED,
    "withdrawn": WITHDRAWN,
    "stopped": STOPPED,
    "refused": REFUSED,
    "guided": GUIDED,
}
NOT_RECEIVED = (REFUSED, GUIDED)
CLASS_CODES: dict[str, int] = {"early": 1, "on_time": 2, "late": 3}

_EPOCH = dt.datetime(1970, 1, 1)
DAY = 86_400

# The summary's metrics (``report_daily.metric``). Open, within the deadline and overdue
# are +1 on the day a dossier starts counting and −1 on the day it stops: "at the start
# of day D" is the sum over the days before D. The others count events of their day.
M_OPEN, M_WITHIN, M_OVERDUE = 1, 2, 3
M_NEW_ONLINE, M_NEW_OTHER, M_REFUSED, M_GUIDED = 10, 11, 12, 13
M_EARLY, M_ON_TIME, M_LATE, M_WITHDRAWN, M_STOPPED, M_RESOLVED_OTHER = 20, 21, 22, 23, 24, 25
ALIVE_METRICS = (M_OPEN, M_WITHIN, M_OVERDUE)
MONTHLY = 100  # metric + MONTHLY: the same, per month (``day``: the month's first day)


def to_secs(moment: dt.datetime) -> int:
    """A local wall-clock time as the history stores it."""
    return int((moment.replace(tzinfo=None) - _EPOCH).total_seconds())


def from_secs(secs: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=secs)


def state_of(status: str) -> int:
    # A status from a newer program is still a dossier being handled.
    return STATE_OF_STATUS.get(status, OPEN)


@dataclass(frozen=True, slots=True)
class _Event:
    """What folding reads of a stored event (``desk_app.dossiers.StoredEvent``)."""

    seq: int
    server_seq: int | None
    kind: str
    version: int
    payload: dict[str, Any]
    actor: str
    uuid: str
    occurred_at: dt.datetime


def _local(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    return moment


def effective_time(event: _Event) -> dt.datetime:
    """When the event says it happened: its stated ``at`` (``received_at`` for the
    receipt), else when it was recorded (UTC, turned into local time)."""
    for key in ("at", "received_at"):
        value = event.payload.get(key)
        if isinstance(value, str):
            try:
                return _local(value)
            except ValueError:
                break
    return event.occurred_at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)


Segment = tuple[int, int, int | None, int | None]  # valid_from, state, original_due, class


def _key(p: Projection) -> tuple[int, int | None, int | None]:
    return (
        state_of(p.status),
        to_secs(p.original_due_at) if p.original_due_at else None,
        CLASS_CODES.get(p.classification or ""),
    )


# Kinds whose fold depends only on the state before them: when every event of a dossier
# is one of these and their effective times follow the resolved order, the fold of the
# events effective by a moment is a prefix of the resolved order, and one pass suffices.
# (An annulment takes another event out of the count: such dossiers fold each moment.)
PLAIN_KINDS = frozenset(
    {
        "dossier.received", "dossier.status_changed", "dossier.handed_over",
        "dossier.supplement_requested", "dossier.supplement_received", "dossier.extended",
        "dossier.withdrawn", "dossier.stopped", "dossier.result_ready", "dossier.returned",
        "dossier.corrected",
    }
)  # fmt: skip


def _append(out: list[Segment], moment: int, p: Projection) -> None:
    state, due, cls = _key(p)
    if not out or out[-1][1:] != (state, due, cls):
        out.append((moment, state, due, cls))


Rating = tuple[int, str, str]  # at, officer, rating


def history_of(
    events: Sequence[_Event], start: Projection, *, one_pass: bool = True
) -> tuple[list[Segment], Projection, Rating | None]:
    """The dossier's states over time: for each distinct effective time, the fold of the
    events effective by then; neighbours that read the same are merged. Also returns the
    fold of all events and the satisfaction rating of the return that counts (applied,
    not annulled). ``one_pass=False`` folds each moment afresh even when one pass would
    do (the tests compare both)."""
    ordered = resolved_order(list(events))
    timed = [(to_secs(effective_time(e)), e) for e in ordered]
    out: list[Segment] = []
    monotone = all(timed[i][0] <= timed[i + 1][0] for i in range(len(timed) - 1))
    if one_pass and monotone and all(e.kind in PLAIN_KINDS for _, e in timed):
        last = start
        rating: Rating | None = None
        for n, (moment, event) in enumerate(timed):
            last, entries = fold([event], last)
            if event.kind == "dossier.returned" and entries[0][1]:
                given = event.payload.get("rating")
                if isinstance(given, str) and given:
                    rating = (moment, event.actor, given)
            if n + 1 < len(timed) and timed[n + 1][0] == moment:
                continue  # the state at this moment is after its last event
            _append(out, moment, last)
        return out, last, rating
    last = start
    for moment in sorted({t for t, _ in timed}):
        last, _ = fold([e for t, e in timed if t <= moment], start)
        _append(out, moment, last)
    found = _rating(events, start) if any(e.kind == "dossier.returned" for e in events) else None
    return out, last, found


def segments_of(
    events: Sequence[_Event], start: Projection, *, one_pass: bool = True
) -> tuple[list[Segment], Projection]:
    """``history_of`` without the rating."""
    segments, last, _ = history_of(events, start, one_pass=one_pass)
    return segments, last


def _rating(events: Sequence[_Event], start: Projection) -> Rating | None:
    """The satisfaction rating of the return that counts (applied, not annulled)."""
    _, entries = fold(list(events), start)
    found = None
    for event, applied in entries:
        if applied and event.kind == "dossier.returned":
            rating = event.payload.get("rating")
            if isinstance(rating, str) and rating:
                found = (to_secs(effective_time(event)), event.actor, rating)
    return found


_EVENT_COLUMNS = (
    "e.seq, e.server_seq, e.kind, e.version, e.payload, e.actor, e.uuid, e.occurred_at, "
    "e.dossier_uuid, d.due_at, d.original_due_at, d.channel, d.procedure_code, d.procedure_id"
)


@dataclass(frozen=True, slots=True)
class Dims:
    """What a report groups a dossier by, from its row (empty when the row is missing)."""

    channel: str = ""
    procedure_code: str = ""
    procedure_id: int | None = None


def _parse_dt(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


Group = tuple[str, Projection, list[_Event], Dims]


def _rows_by_dossier(rows: Iterable[Any]) -> Iterator[Group]:
    current: str | None = None
    start = Projection()
    dims = Dims()
    events: list[_Event] = []
    for row in rows:
        uuid = row[8]
        if uuid != current:
            if current is not None:
                yield current, start, events, dims
            current, events = uuid, []
            dims = Dims(row[11] or "", row[12] or "", row[13])
            # Where folding starts when the receipt event is missing here, as the
            # projection does (``dossiers.store.seed``).
            start = Projection(due_at=_parse_dt(row[9]), original_due_at=_parse_dt(row[10]))
        payload = row[4]
        events.append(
            _Event(
                seq=row[0],
                server_seq=row[1],
                kind=row[2],
                version=row[3] or 1,
                payload=json.loads(payload) if isinstance(payload, str) else dict(payload),
                actor=row[5],
                uuid=row[6],
                occurred_at=_parse_dt(row[7]) or _EPOCH,
            )
        )
    if current is not None:
        yield current, start, events, dims


# ------------------------------------------------------------------ the summary

# Each segment's share of the summary, with its dossier's field and procedure code;
# ``{only}`` restricts it to the dossiers listed in ``temp.report_touched``. Days are
# whole local days: a moment ``m`` of the report is the start of a day ``D``, and
# ``valid_from < m`` ⇔ ``valid_from / DAY < D`` (likewise for the other bounds), so a
# state in force just before ``m`` (``valid_from < m <= valid_to``) counts on day D
# when it was +1 before D and not yet −1 before D.
_SEG = (
    "SELECT s.dossier_id AS id, s.valid_from / 86400 AS f, s.valid_to / 86400 AS t, "
    "s.state AS st, s.original_due / 86400 AS od, s.classification AS cls, "
    "rd.field AS fld, rd.procedure_code AS pc "
    "FROM report_segments s JOIN report_dossiers rd ON rd.id = s.dossier_id{only}"
)
# within the deadline with a due day: until that day is over; overdue: after it
_WITHIN_END = "min(coalesce(t, od), od)"
_OVERDUE_FROM = "max(f, od)"
_PARTS = f"""
SELECT {M_OPEN} AS m, f AS d, fld, pc, 1 AS n FROM seg WHERE st IN ({OPEN}, {WAITING})
UNION ALL SELECT {M_OPEN}, t, fld, pc, -1 FROM seg
 WHERE st IN ({OPEN}, {WAITING}) AND t IS NOT NULL
UNION ALL SELECT {M_WITHIN}, f, fld, pc, 1 FROM seg
 WHERE st = {WAITING} OR (st = {OPEN} AND od IS NULL)
UNION ALL SELECT {M_WITHIN}, t, fld, pc, -1 FROM seg
 WHERE (st = {WAITING} OR (st = {OPEN} AND od IS NULL)) AND t IS NOT NULL
UNION ALL SELECT {M_WITHIN}, f, fld, pc, 1 FROM seg
 WHERE st = {OPEN} AND od IS NOT NULL AND f < {_WITHIN_END}
UNION ALL SELECT {M_WITHIN}, {_WITHIN_END}, fld, pc, -1 FROM seg
 WHERE st = {OPEN} AND od IS NOT NULL AND f < {_WITHIN_END}
UNION ALL SELECT {M_OVERDUE}, {_OVERDUE_FROM}, fld, pc, 1 FROM seg
 WHERE st = {OPEN} AND od IS NOT NULL AND (t IS NULL OR {_OVERDUE_FROM} < t)
UNION ALL SELECT {M_OVERDUE}, t, fld, pc, -1 FROM seg
 WHERE st = {OPEN} AND od IS NOT NULL AND t IS NOT NULL AND {_OVERDUE_FROM} < t
UNION ALL SELECT CASE WHEN st = {RESOLVED} THEN CASE coalesce(cls, 2)
   WHEN 1 THEN {M_EARLY} WHEN 2 THEN {M_ON_TIME} WHEN 3 THEN {M_LATE}
   ELSE {M_RESOLVED_OTHER} END
  WHEN st = {WITHDRAWN} THEN {M_WITHDRAWN} ELSE {M_STOPPED} END, f, fld, pc, 1 FROM seg
 WHERE t IS NULL AND st IN ({RESOLVED}, {WITHDRAWN}, {STOPPED})
 AND id NOT IN (SELECT dossier_id FROM report_complex)
UNION ALL SELECT CASE WHEN first_state = {REFUSED} THEN {M_REFUSED}
  WHEN first_state = {GUIDED} THEN {M_GUIDED}
  WHEN channel = 'online' THEN {M_NEW_ONLINE} ELSE {M_NEW_OTHER} END,
 received / 86400, field, procedure_code, 1 FROM report_dossiers rd{{only_rd}}
"""
_TOUCHED = " WHERE {col} IN (SELECT id FROM temp.report_touched)"
# The first day of the day's month, in days.
_MONTH_OF = "CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400"


def _parts_sql(only: bool) -> str:
    seg = _SEG.format(only=_TOUCHED.format(col="s.dossier_id") if only else "")
    parts = _PARTS.format(only_rd=_TOUCHED.format(col="rd.id") if only else "")
    return (
        f"WITH seg AS ({seg}) SELECT m, d, fld, pc, sum(n) AS n FROM ({parts}) GROUP BY 1, 2, 3, 4"
    )


def _prepare(raw: Any) -> None:
    raw.execute(
        "CREATE TEMP TABLE IF NOT EXISTS report_touched (id INTEGER PRIMARY KEY) WITHOUT ROWID"
    )
    raw.execute(
        "CREATE TEMP TABLE IF NOT EXISTS report_delta "
        "(metric INTEGER, day INTEGER, field TEXT, procedure_code TEXT, n INTEGER)"
    )
    raw.execute("DELETE FROM temp.report_touched")
    raw.execute("DELETE FROM temp.report_delta")


def _add_share(raw: Any, sign: int, *, only: bool) -> None:
    """Put the share of the touched dossiers' rows (of every dossier when not ``only``)
    into ``temp.report_delta``, times ``sign``."""
    raw.execute(
        "INSERT INTO temp.report_delta (metric, day, field, procedure_code, n) "
        f"SELECT m, d, fld, pc, {int(sign)} * n FROM ({_parts_sql(only)})"
    )


def _flush_delta(raw: Any) -> None:
    """Add ``temp.report_delta`` to the summary, per day and per month; rows that fall
    to zero are dropped."""
    for metric, day in (("metric", "day"), (f"metric + {MONTHLY}", _MONTH_OF)):
        keys = (
            f"SELECT {metric} AS metric, {day} AS day, field, procedure_code, sum(n) AS n "
            "FROM temp.report_delta WHERE true GROUP BY 1, 2, 3, 4"
        )
        raw.execute(
            "INSERT INTO report_daily (metric, day, field, procedure_code, n) "
            f"{keys} ON CONFLICT (metric, day, field, procedure_code) "
            "DO UPDATE SET n = n + excluded.n"
        )
        raw.execute(
            "DELETE FROM report_daily WHERE n = 0 AND (metric, day, field, procedure_code) "
            f"IN (SELECT metric, day, field, procedure_code FROM ({keys}))"
        )
    raw.execute("DELETE FROM temp.report_delta")


_COMPLEX = (
    "INSERT OR IGNORE INTO report_complex (dossier_id) SELECT DISTINCT dossier_id "
    f"FROM report_segments WHERE state IN ({RESOLVED}, {WITHDRAWN}, {STOPPED}) "
    "AND valid_to IS NOT NULL"
)


def _mark_complex(raw: Any, *, only: bool) -> None:
    """Dossiers that left a closed state: the summary leaves their closings out."""
    if only:
        raw.execute(
            "DELETE FROM report_complex WHERE dossier_id IN (SELECT id FROM temp.report_touched)"
        )
        raw.execute(_COMPLEX + " AND dossier_id IN (SELECT id FROM temp.report_touched)")
    else:
        raw.execute("DELETE FROM report_complex")
        raw.execute(_COMPLEX)


def summary_rows(db: Database) -> dict[tuple[int, int, str, str], int]:
    """The summary computed afresh from the segments (what ``report_daily`` must hold),
    without its zero rows; for the tests and for checking a database by hand."""
    out: dict[tuple[int, int, str, str], int] = {}
    with db.read() as s:
        for m, d, fld, pc, n in s.execute(text(_parts_sql(False))):
            if n:
                out[(m, d, fld, pc)] = n
                month = dt.date.fromordinal(_EPOCH_ORDINAL + d).replace(day=1)
                key = (m + MONTHLY, month.toordinal() - _EPOCH_ORDINAL, fld, pc)
                out[key] = out.get(key, 0) + n
    return {k: v for k, v in out.items() if v}


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


# ------------------------------------------------------------------ storing


def _store_batch(
    raw: Any, batch: Iterable[Group], fields: dict[int, str], *, summary: bool
) -> None:
    """Replace the history rows of these dossiers (the driver's ``executemany``: a full
    build writes a million dossiers). ``fields``: procedure id → field of work.
    ``summary``: move the summary with them (a full build makes it at the end)."""
    computed = []
    dims_of: dict[str, Dims] = {}
    for uuid, start, events, dims in batch:
        dims_of[uuid] = dims
        segments, _, rating = history_of(events, start)
        if segments:
            computed.append((uuid, segments, rating))
    if not computed:
        return
    uuids = [uuid for uuid, _, _ in computed]
    if summary:
        _prepare(raw)
        raw.executemany(
            "INSERT OR IGNORE INTO temp.report_touched (id) "
            "SELECT id FROM report_dossiers WHERE dossier_uuid = ?",
            [(u,) for u in uuids],
        )
        _add_share(raw, -1, only=True)
    raw.executemany(
        "INSERT INTO report_dossiers "
        "(dossier_uuid, received, first_state, field, procedure_code, channel) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (dossier_uuid) DO UPDATE SET received = excluded.received, "
        "first_state = excluded.first_state, field = excluded.field, "
        "procedure_code = excluded.procedure_code, channel = excluded.channel",
        [
            (
                uuid,
                segs[0][0],
                segs[0][1],
                fields.get(dims_of[uuid].procedure_id or 0, ""),
                dims_of[uuid].procedure_code,
                dims_of[uuid].channel,
            )
            for uuid, segs, _ in computed
        ],
    )
    ids: dict[str, int] = {}
    for i in range(0, len(uuids), 900):
        part = uuids[i : i + 900]
        ids.update(
            raw.execute(
                "SELECT dossier_uuid, id FROM report_dossiers WHERE dossier_uuid IN "
                f"({', '.join('?' for _ in part)})",
                part,
            ).fetchall()
        )
    keys = [(ids[uuid],) for uuid in uuids]
    raw.executemany("DELETE FROM report_segments WHERE dossier_id = ?", keys)
    raw.executemany("DELETE FROM report_ratings WHERE dossier_id = ?", keys)
    raw.executemany(
        "INSERT INTO report_segments "
        "(dossier_id, valid_from, valid_to, state, original_due, classification) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (ids[uuid], seg[0], segs[n + 1][0] if n + 1 < len(segs) else None, *seg[1:])
            for uuid, segs, _ in computed
            for n, seg in enumerate(segs)
        ],
    )
    raw.executemany(
        "INSERT INTO report_ratings (dossier_id, at, officer, rating) VALUES (?, ?, ?, ?)",
        [(ids[uuid], *rating) for uuid, _, rating in computed if rating is not None],
    )
    if summary:
        raw.executemany("INSERT OR IGNORE INTO temp.report_touched (id) VALUES (?)", keys)
        _mark_complex(raw, only=True)
        _add_share(raw, 1, only=True)
        _flush_delta(raw)


_BATCH = 2000


def catch_up(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Take in the events recorded or pulled since the last run; returns how many
    dossiers were refolded. ``progress(done, total)`` after each batch of dossiers.

    One transaction: the history, its summary and the watermark move together. On an
    empty history (the first build) the summary is made at the end in one statement
    over every segment, instead of dossier by dossier."""
    with db.read() as s:
        top = s.execute(text("SELECT coalesce(max(seq), 0) FROM events")).scalar_one()
        mark = s.execute(
            text("SELECT last_event_seq FROM report_watermark WHERE id = 1")
        ).scalar_one_or_none()
    mark = int(mark or 0)
    if top <= mark:
        return 0
    done = 0
    with db.write() as s:
        # Read again under the write lock: another process may have caught up meanwhile.
        mark = int(
            s.execute(
                text("SELECT last_event_seq FROM report_watermark WHERE id = 1")
            ).scalar_one_or_none()
            or 0
        )
        if top <= mark:
            return 0
        first = s.execute(text("SELECT count(*) FROM report_dossiers")).scalar_one() == 0
        touched = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT DISTINCT dossier_uuid FROM events "
                    "WHERE seq > :m AND seq <= :t AND dossier_uuid IS NOT NULL "
                    "ORDER BY dossier_uuid"
                ),
                {"m": mark, "t": top},
            )
        ]
        fields: dict[int, str] = {
            int(r[0]): str(r[1] or "") for r in s.execute(text("SELECT id, field FROM procedures"))
        }
        raw = s.connection().connection.driver_connection
        assert raw is not None
        if progress is not None and len(touched) > _BATCH:
            progress(0, len(touched))  # a long run: say so before the first batch
        for i in range(0, len(touched), _BATCH):
            chunk = touched[i : i + _BATCH]
            params = {f"u{n}": u for n, u in enumerate(chunk)}
            rows = s.execute(
                text(
                    f"SELECT {_EVENT_COLUMNS} FROM events e "
                    "LEFT JOIN dossiers d ON d.uuid = e.dossier_uuid "
                    f"WHERE e.dossier_uuid IN ({', '.join(':' + k for k in params)}) "
                    "AND e.seq <= :top ORDER BY e.dossier_uuid, e.seq"
                ),
                {**params, "top": top},
            ).all()
            _store_batch(raw, _rows_by_dossier(rows), fields, summary=not first)
            done += len(chunk)
            if progress is not None and done < len(touched):
                progress(done, len(touched))
        if first:
            _prepare(raw)
            _mark_complex(raw, only=False)
            raw.execute("DELETE FROM report_daily")
            _add_share(raw, 1, only=False)
            _flush_delta(raw)
        _set_mark(s, top)
    if progress is not None and touched:
        progress(len(touched), len(touched))
    if done > 10_000:
        # A first build leaves a WAL of hundreds of megabytes: fold it back now rather
        # than at some officer's next save.
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    return done


def _set_mark(s: Session, seq: int) -> None:
    s.execute(
        text(
            "INSERT INTO report_watermark (id, last_event_seq) VALUES (1, :q) "
            "ON CONFLICT (id) DO UPDATE SET last_event_seq = excluded.last_event_seq"
        ),
        {"q": seq},
    )
