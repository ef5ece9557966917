"""Realistic demo data: dossiers spread over years, procedures and statuses.

For training and benchmarks. Names carry Vietnamese diacritics, CCCD numbers are well
formed and agree with the date of birth, codes follow the desk's pattern and the code
counters are advanced so that real intake afterwards never collides with demo codes.
Every dossier gets its ``dossier.received`` event (marked ``"demo": true``).

Speed: a million dossiers in well under a minute on two cores. Rows are built as tuples
and written with the driver's ``executemany`` in one transaction (all or nothing);
secondary indexes are dropped and rebuilt around the load, inside that transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from desk_app.calendar import Duration, OfficeHours, OverrideKind, WorkingCalendar
from desk_app.catalogue import ProcedureInfo
from desk_app.clock import local_now
from desk_app.context import DeskContext
from desk_app.db.models import Base
from desk_app.dossier_code import CodePattern
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.text import fold

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Đào",
)  # fmt: skip
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Đình", "Ngọc")
MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Phương", "Hồng", "Diệu")
GIVEN_M = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Nam",
    "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Đông",
)  # fmt: skip
GIVEN_F = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai",
    "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Tuyết", "Uyên", "Yến",
)  # fmt: skip
HAMLETS = (
    "Ấp Bình Thạnh", "Ấp Tân Lập", "Thôn Đông Hòa", "Thôn Phú Mỹ", "Ấp Long Điền",
    "Thôn Hưng Nhơn", "Ấp Trà Cổ", "Thôn Đức Thắng", "Ấp Mỹ Lộc", "Thôn Quyết Tiến",
)  # fmt: skip
PROVINCES = ("079", "075", "001", "048", "092", "089", "038", "040", "074", "060")
PHONE_PREFIX = ("090", "091", "093", "094", "096", "097", "098", "086", "032", "035", "070", "081")

_DOSSIER_COLUMNS = [c.name for c in Base.metadata.tables["dossiers"].columns]
_EVENT_COLUMNS = [c.name for c in Base.metadata.tables["events"].columns if c.name != "seq"]
_SECONDARY_INDEXES = [
    "ix_dossiers_received_at",
    "ix_dossiers_status_due_at",
    "ix_dossiers_applicant_name_folded",
    "ix_events_outbox",
    "ix_events_dossier_uuid_seq",
]


_MISSING: Any = object()
_VN_OFFSET = dt.timedelta(hours=7)

# The tuple layouts built in ``seed_demo``; checked at import so a model change that
# forgets this module fails loudly instead of writing columns into the wrong places.
assert _DOSSIER_COLUMNS == [
    "uuid", "code", "lookup_pin", "procedure_id", "procedure_code", "procedure_name", "status",
    "channel", "applicant_name", "applicant_name_folded", "applicant_cccd", "applicant_dob",
    "applicant_phone", "applicant_address", "applicant_email", "representative_name",
    "representative_cccd", "representative_phone", "request_text", "documents", "sets_count",
    "notes", "duration_kind", "duration_value", "received_at", "due_at", "received_by",
    "received_by_name", "origin_agency_code", "origin_desk", "register_line", "returned_at",
    "updated_at", "holder", "original_due_at", "pauses", "classification", "result_at",
    "outcome", "extension_count",
], _DOSSIER_COLUMNS  # fmt: skip
assert _EVENT_COLUMNS == [
    "uuid", "dossier_uuid", "kind", "version", "payload", "occurred_at", "actor",
    "origin_agency_code", "origin_desk", "origin_seq", "is_local", "pushed_at", "server_seq",
], _EVENT_COLUMNS  # fmt: skip


def _uuid7_fast(unix_ms: int, rand74: int) -> str:
    """UUIDv7 text from a timestamp and 74 random bits, without the uuid module's checks."""
    h = (
        f"{unix_ms & 0xFFFFFFFFFFFF:012x}7{rand74 >> 62:03x}"
        f"{0x8000 | (rand74 >> 48 & 0x3FFF):04x}{rand74 & 0xFFFFFFFFFFFF:012x}"
    )
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ts(value: dt.datetime | None) -> str | None:
    # The storage format SQLAlchemy's SQLite DateTime reads back.
    return None if value is None else value.isoformat(" ", "microseconds")


@dataclass(frozen=True)
class _Static:
    """What every generator chunk needs; sent once to the worker process."""

    agency: str
    desk: int
    place: str
    commune_hours: tuple[tuple[dt.time, dt.time], ...]
    overrides: dict[dt.date, OverrideKind]
    cutoff: dt.time
    now_local: dt.datetime
    procedures: tuple[tuple[int, str, str, str, int | None, str], ...]
    pattern: str
    origin_seq_start: int


_STATIC: _Static | None = None
_CALENDAR: WorkingCalendar | None = None


def _init_worker(static: _Static) -> None:
    global _STATIC, _CALENDAR
    _STATIC = static
    _CALENDAR = WorkingCalendar(static.overrides, OfficeHours(static.commune_hours), static.cutoff)


def seed_demo(
    ctx: DeskContext,
    count: int,
    *,
    seed: int = 2026,
    first_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Add ``count`` demo dossiers received at this desk; returns a summary.

    Rows are generated in ``workers`` other processes while this one writes them, all in
    one transaction.
    """
    profile = ctx.profiles.require()
    calendar = ctx.profiles.calendar()
    now_local = local_now(ctx.clock)
    today = now_local.date()
    procedures: list[ProcedureInfo] = ctx.catalogue.in_force(today)
    if not procedures:
        raise OperationalError("chưa nạp danh mục thủ tục nào", code="catalogue.missing")
    pattern = CodePattern(profile.dossier_code_pattern)
    rng = random.Random(seed)

    # Enough working days that no day needs more codes than the pattern allows.
    per_day = max(1, pattern.max_seq * 2 // 3)
    years_needed = max(4, count // (per_day * 240) + 1)
    start_year = first_year or today.year - years_needed + 1
    days: list[dt.date] = []
    for year in range(start_year, today.year + 1):
        days.extend(d for d in calendar.working_days_in(year) if d <= today)
    chosen = sorted(rng.choices(days, k=count))
    weights = [8 if p.duration.kind == "same_day" else 3 for p in procedures]
    proc_index = rng.choices(range(len(procedures)), weights=weights, k=count)

    with ctx.db.read() as s:
        used = s.execute(
            text("SELECT day, last_seq FROM dossier_code_counters WHERE desk_number = :d"),
            {"d": profile.desk_number},
        ).all()
    seq_by_day: dict[dt.date, int] = {dt.date.fromisoformat(str(k)): v for k, v in used}
    seqs: list[int] = []
    for day in chosen:
        seq = seq_by_day.get(day, 0) + 1
        if seq > pattern.max_seq:
            raise InvalidInputError(
                f"quá nhiều hồ sơ mẫu cho ngày {day:%d/%m/%Y}; hãy tạo ít hơn",
                code="demo.too_many",
            )
        seq_by_day[day] = seq
        seqs.append(seq)

    static = _Static(
        agency=profile.agency_code,
        desk=profile.desk_number,
        place=f"{profile.commune_name}, {profile.province}",
        commune_hours=profile.office_hours.periods,
        overrides=dict(calendar.overrides),
        cutoff=calendar.same_day_cutoff,
        now_local=now_local,
        procedures=tuple(
            (
                p.id,
                p.code,
                p.name,
                p.duration.kind,
                p.duration.value,
                json.dumps([d.to_json() for d in p.documents], ensure_ascii=False),
            )
            for p in procedures
        ),
        pattern=profile.dossier_code_pattern,
        origin_seq_start=_last_origin_seq(ctx, profile.agency_code, profile.desk_number),
    )
    chunks = [
        (i, chosen[i : i + _CHUNK], proc_index[i : i + _CHUNK], seqs[i : i + _CHUNK], seed + i)
        for i in range(0, count, _CHUNK)
    ]

    def _progress(done: int) -> None:
        if progress:
            progress(done, count)

    if workers > 0 and count > _CHUNK:
        ctx_mp = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
        with ProcessPoolExecutor(
            workers, ctx_mp, initializer=_init_worker, initargs=(static,)
        ) as ex:
            _write(ctx, ex.map(_generate_chunk, chunks), seq_by_day, profile.desk_number, _progress)
    else:
        _init_worker(static)
        _write(ctx, map(_generate_chunk, chunks), seq_by_day, profile.desk_number, _progress)
    return {
        "dossiers": count,
        "first_day": chosen[0].isoformat(),
        "last_day": chosen[-1].isoformat(),
    }


_CHUNK = 50_000


def _generate_chunk(
    spec: tuple[int, list[dt.date], list[int], list[int], int],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    start, chosen, proc_index, seqs, seed = spec
    st, calendar = _STATIC, _CALENDAR
    assert st is not None and calendar is not None
    rng = random.Random(seed)
    rand = rng.random
    # Data follow the seed; identifiers never do, so seeding twice cannot collide.
    bits = random.Random().getrandbits
    pattern = CodePattern(st.pattern)
    hours = st.commune_hours
    cutoff_minute = st.cutoff.hour * 60 + st.cutoff.minute
    agency, desk, place = st.agency, st.desk, st.place
    officer = "demo"
    officer_name = "Cán bộ một cửa (dữ liệu mẫu)"
    epoch = dt.datetime(1970, 1, 1)
    due_cache: dict[tuple[dt.date, int, int, bool], dt.datetime | None] = {}
    folded: dict[str, str] = {}
    dossier_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    for i, (day, pi, seq) in enumerate(zip(chosen, proc_index, seqs, strict=True)):
        proc_id, proc_code, proc_name, kind, value, docs = st.procedures[pi]
        a, b = hours[0] if rand() < 0.6 else hours[-1]
        start_minute = a.hour * 60 + a.minute
        minute = start_minute + int(rand() * ((b.hour * 60 + b.minute) - start_minute))
        received = dt.datetime(
            day.year, day.month, day.day, minute // 60, minute % 60, int(rand() * 60)
        )
        key = (day, pi, minute // 60, minute < cutoff_minute)
        due = due_cache.get(key, _MISSING)
        if due is _MISSING or kind == "working_hours":
            due = due_cache[key] = calendar.due_at(received, Duration(kind, value))  # type: ignore[arg-type]

        female = rand() < 0.52
        name = (
            f"{FAMILY[int(rand() * 20)]} {(MIDDLE_F if female else MIDDLE_M)[int(rand() * 10)]} "
            f"{(GIVEN_F if female else GIVEN_M)[int(rand() * 20)]}"
        )
        name_folded = folded.get(name)
        if name_folded is None:
            name_folded = folded[name] = fold(name)
        birth_year = 1950 + int(rand() * 58)
        dob = dt.date(birth_year, 1 + int(rand() * 12), 1 + int(rand() * 28))
        century = (birth_year // 100 - 19) * 2 + (1 if female else 0)
        cccd = (
            f"{PROVINCES[int(rand() * 10)]}{century}{birth_year % 100:02d}{int(rand() * 1e6):06d}"
        )
        status, returned = _status(rand(), received, due, st.now_local, rng)
        unix_ms = int((received - epoch).total_seconds() * 1000) - 7 * 3_600_000
        uid = _uuid7_fast(unix_ms, bits(74))
        code = pattern.format(agency, day, desk, seq)
        received_s = _ts(received)
        due_s = _ts(due)
        returned_s = _ts(returned)
        dossier_rows.append((
            uid, code, f"{bits(24):06X}", proc_id, proc_code, proc_name, status,
            "postal" if rand() < 0.05 else "in_person",
            name, name_folded, cccd, dob.isoformat(),
            f"{PHONE_PREFIX[int(rand() * 12)]}{int(rand() * 1e7):07d}",
            f"{HAMLETS[int(rand() * 10)]}, {place}", None, None, None, None,
            proc_name, docs, 1, "", kind, value,
            received_s, due_s, officer, officer_name, agency, desk, seq, returned_s,
            returned_s or received_s,
            # The projection as folding the receipt snapshot below gives it.
            officer, due_s, "[]", None, None, None, 0,
        ))  # fmt: skip
        # Every value here is generated above and holds no quote or backslash.
        payload = (
            f'{{"demo": true, "code": "{code}", "procedure_code": "{proc_code}", '
            f'"applicant_name": "{name}", "received_at": "{received_s}", '
            f'"due_at": {_json_str(due_s)}, "status": "{status}"}}'
        )
        event_rows.append((
            _uuid7_fast(unix_ms, bits(74)), uid, "dossier.received", 1, payload,
            _ts(received - _VN_OFFSET), officer, agency, desk, st.origin_seq_start + start + i + 1,
            1, None, None,
        ))  # fmt: skip
    return dossier_rows, event_rows


def _json_str(value: str | None) -> str:
    return "null" if value is None else f'"{value}"'


def _last_origin_seq(ctx: DeskContext, agency: str, desk: int) -> int:
    with ctx.db.read() as s:
        value = s.execute(
            text(
                "SELECT max(origin_seq) FROM events "
                "WHERE origin_agency_code = :a AND origin_desk = :d"
            ),
            {"a": agency, "d": desk},
        ).scalar()
        floor = s.execute(text("SELECT origin_seq_floor FROM sync_state WHERE id = 1")).scalar()
    # Like append_event: above the floor learnt at enrolment.
    return max(int(value or 0), int(floor or 0))


def _status(
    r: float, received: dt.datetime, due: dt.datetime | None, now: dt.datetime, rng: random.Random
) -> tuple[str, dt.datetime | None]:
    age_days = (now - received).days
    if age_days > 45:
        if r < 0.93:
            late = rng.random() < 0.04
            base = due or received + dt.timedelta(days=3)
            back = (
                base + dt.timedelta(days=rng.randint(1, 4))
                if late
                else base - dt.timedelta(hours=rng.randint(0, 40))
            )
            return "returned", max(back, received + dt.timedelta(minutes=20))
        return rng.choice(("withdrawn", "refused", "stopped")), None
    statuses = ("received", "in_progress", "in_progress", "waiting_supplement", "extended",
                "result_ready", "returned", "returned")  # fmt: skip
    status = statuses[int(r * len(statuses))]
    if status == "returned":
        back = received + dt.timedelta(hours=rng.randint(1, 48))
        return status, min(back, now)
    return status, None


def _write(
    ctx: DeskContext,
    chunks: Iterable[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]],
    seq_by_day: dict[dt.date, int],
    desk: int,
    progress: Callable[[int], None],
) -> None:
    d_sql = (
        f"INSERT INTO dossiers ({', '.join(_DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _DOSSIER_COLUMNS)})"
    )
    e_sql = (
        f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})"
    )
    with ctx.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        index_sql = [
            r[0]
            for r in raw.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN "
                f"({', '.join('?' for _ in _SECONDARY_INDEXES)})",
                _SECONDARY_INDEXES,
            )
        ]
        raw.execute("PRAGMA cache_size = -262144")
        # A bulk load into fresh pages: a rollback journal only records the few pages
        # that existed before, where WAL would write every new page twice. Still one
        # atomic transaction; WAL is back on before anyone else writes.
        wal = _set_journal(raw, "DELETE")
        raw.execute("BEGIN IMMEDIATE")
        try:
            for name in _SECONDARY_INDEXES:
                raw.execute(f"DROP INDEX IF EXISTS {name}")
            done = 0
            for dossiers, events in chunks:
                raw.executemany(d_sql, dossiers)
                raw.executemany(e_sql, events)
                done += len(dossiers)
                progress(done)
            raw.executemany(
                "INSERT INTO dossier_code_counters (day, desk_number, last_seq) VALUES (?, ?, ?) "
                "ON CONFLICT (day, desk_number) DO UPDATE SET last_seq = excluded.last_seq",
                [(d.isoformat(), desk, s) for d, s in seq_by_day.items()],
            )
            for sql in index_sql:
                raw.execute(sql)
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            raw.execute("PRAGMA cache_size = -2000")
            if wal:
                _set_journal(raw, "WAL")


def _set_journal(raw: Any, mode: str) -> bool:
    """Switch the journal mode; True when it changed (it cannot while others read)."""
    before = raw.execute("PRAGMA journal_mode").fetchone()[0]
    after = raw.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]
    return bool(str(after).lower() == mode.lower() and str(before).lower() != mode.lower())


__all__ = ["seed_demo"]
