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


def segments_of(
    events: Sequence[_Event], start: Projection, *, one_pass: bool = True
) -> tuple[list[Segment], Projection]:
    """The dossier's states over time: for each distinct effective time, the fold of the
    events effective by then; neighbours that read the same are merged. Also returns the
    fold of all events. ``one_pass=False`` folds each moment afresh even when one pass
    would do (the tests compare both)."""
    ordered = resolved_order(list(events))
    timed = [(to_secs(effective_time(e)), e) for e in ordered]
    out: list[Segment] = []
    monotone = all(timed[i][0] <= timed[i + 1][0] for i in range(len(timed) - 1))
    if one_pass and monotone and all(e.kind in PLAIN_KINDS for _, e in timed):
        last = start
        for n, (moment, event) in enumerate(timed):
            last, _ = fold([event], last)
            if n + 1 < len(timed) and timed[n + 1][0] == moment:
                continue  # the state at this moment is after its last event
            _append(out, moment, last)
        return out, last
    last = start
    for moment in sorted({t for t, _ in timed}):
        last, _ = fold([e for t, e in timed if t <= moment], start)
        _append(out, moment, last)
    return out, last


def _rating(events: Sequence[_Event], start: Projection) -> tuple[int, str, str] | None:
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


def _store_batch(s: Session, batch: Iterable[Group], fields: dict[int, str]) -> None:
    """Replace the history rows of these dossiers (the driver's ``executemany``: a full
    build writes a million dossiers). ``fields``: procedure id → field of work."""
    computed = []
    dims_of: dict[str, Dims] = {}
    for uuid, start, events, dims in batch:
        dims_of[uuid] = dims
        segments, _ = segments_of(events, start)
        if not segments:
            continue
        rating = (
            _rating(events, start) if any(e.kind == "dossier.returned" for e in events) else None
        )
        computed.append((uuid, segments, rating))
    if not computed:
        return
    raw = s.connection().connection.driver_connection
    assert raw is not None
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
    uuids = [uuid for uuid, _, _ in computed]
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


_BATCH = 2000


def catch_up(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Take in the events recorded or pulled since the last run; returns how many
    dossiers were refolded. Batches commit one by one; the watermark moves with the
    last, so an interrupted run refolds its dossiers again (the same rows)."""
    with db.read() as s:
        top = s.execute(text("SELECT coalesce(max(seq), 0) FROM events")).scalar_one()
        mark = s.execute(
            text("SELECT last_event_seq FROM report_watermark WHERE id = 1")
        ).scalar_one_or_none()
    mark = int(mark or 0)
    if top <= mark:
        return 0
    with db.read() as s:
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
    with db.read() as s:
        fields: dict[int, str] = {
            int(r[0]): str(r[1] or "") for r in s.execute(text("SELECT id, field FROM procedures"))
        }
    done = 0
    for i in range(0, len(touched), _BATCH):
        chunk = touched[i : i + _BATCH]
        with db.write() as s:
            params = {f"u{n}": u for n, u in enumerate(chunk)}
            rows = s.execute(
                text(
                    f"SELECT {_EVENT_COLUMNS} FROM events e "
                    "LEFT JOIN dossiers d ON d.uuid = e.dossier_uuid "
                    f"WHERE e.dossier_uuid IN ({', '.join(':' + k for k in params)}) "
                    "AND e.seq <= :top ORDER BY e.dossier_uuid, e.seq"
                ),
                {**params, "top": top},
            )
            _store_batch(s, _rows_by_dossier(rows.all()), fields)
            done += len(chunk)
            if done >= len(touched):
                _set_mark(s, top)
        if progress is not None:
            progress(done, len(touched))
    if not touched:
        with db.write() as s:
            _set_mark(s, top)
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
