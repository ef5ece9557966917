"""Realistic demo data: dossiers spread over years, procedures and statuses.

For training and benchmarks. Names carry Vietnamese diacritics, CCCD numbers are well
formed and agree with the date of birth, codes follow the desk's pattern and the code
counters are advanced so that real intake afterwards never collides with demo codes.

Every dossier's whole history is written as events, as the desk would have recorded
them: its ``dossier.received`` (marked ``"demo": true``), then hand-overs, requests for a
supplement and their receipt, extensions, withdrawals, stops, results (some not
eligible) and returns with ratings, in realistic proportions; the dossier row holds the
projection that folding those events gives, so reports and views read the truth. A few
guided and refused visits are written too. A desk enrolled with the district server is
refused: demo data must never reach the commune's real feed.

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
from desk_app.dossiers.projection import classify
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
_VISIT_COLUMNS = [c.name for c in Base.metadata.tables["intake_outcomes"].columns]
_SECONDARY_INDEXES = [
    "ix_dossiers_received_at",
    "ix_dossiers_status_due_at",
    "ix_dossiers_applicant_name_folded",
    "ix_dossiers_returned_at",
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
assert _VISIT_COLUMNS == [
    "uuid", "kind", "at", "procedure_code", "procedure_name", "applicant_name",
    "applicant_name_folded", "applicant_cccd", "applicant_phone", "applicant_address", "reason",
    "items", "officer", "officer_name", "origin_agency_code", "origin_desk",
], _VISIT_COLUMNS  # fmt: skip
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
    receivers: tuple[tuple[str, str], ...]  # (entry id, name) of the hand-over directory
    rating_scale: tuple[str, ...]
    histories: bool


_STATIC: _Static | None = None
_CALENDAR: WorkingCalendar | None = None


def _init_worker(static: _Static) -> None:
    global _STATIC, _CALENDAR
    _STATIC = static
    _CALENDAR = WorkingCalendar(static.overrides, OfficeHours(static.commune_hours), static.cutoff)


class DemoRefusedError(OperationalError):
    """Demo data is not written on a desk enrolled with the district server."""

    default_code = "demo.enrolled"


def seed_demo(
    ctx: DeskContext,
    count: int,
    *,
    seed: int = 2026,
    first_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    allow_enrolled: bool = False,
    histories: bool = True,
) -> dict[str, Any]:
    """Add ``count`` demo dossiers received at this desk, each with its whole history;
    returns a summary.

    Rows are generated in ``workers`` other processes while this one writes them, all in
    one transaction. ``allow_enrolled`` and ``histories=False`` (only the receipts, one
    event per dossier, all still received) are for the sync tests' volume only: the
    command line never passes them.
    """
    profile = ctx.profiles.require()
    if not allow_enrolled and _enrolled(ctx):
        raise DemoRefusedError(
            "quầy đã đăng ký với máy chủ: không tạo dữ liệu mẫu (nó sẽ lẫn vào dữ liệu thật "
            "của xã); hãy dùng một thư mục dữ liệu riêng"
        )
    calendar = ctx.profiles.calendar()
    now_local = local_now(ctx.clock)
    today = now_local.date()
    procedures: list[ProcedureInfo] = ctx.catalogue.in_force(today)
    if not procedures:
        raise OperationalError("chưa nạp danh mục thủ tục nào", code="catalogue.missing")
    pattern = CodePattern(profile.dossier_code_pattern)
    rng = random.Random(seed)
    receivers = _demo_receivers(ctx) if histories else ()

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
        receivers=receivers,
        rating_scale=ctx.settings.get().rating_scale,
        histories=histories,
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
            _write(
                ctx, ex.map(_generate_chunk, chunks), static.origin_seq_start, seq_by_day,
                profile.desk_number, _progress,
            )  # fmt: skip
    else:
        _init_worker(static)
        _write(
            ctx, map(_generate_chunk, chunks), static.origin_seq_start, seq_by_day,
            profile.desk_number, _progress,
        )  # fmt: skip
    return {
        "dossiers": count,
        "first_day": chosen[0].isoformat(),
        "last_day": chosen[-1].isoformat(),
    }


DEMO_UNITS = (
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Văn hóa - Xã hội",
    "Công chức Địa chính - Xây dựng",
)


def _enrolled(ctx: DeskContext) -> bool:
    with ctx.db.read() as s:
        return bool(s.execute(text("SELECT count(*) FROM sync_state")).scalar())


def _demo_receivers(ctx: DeskContext) -> tuple[tuple[str, str], ...]:
    """The units demo dossiers are handed to: the directory's, or three added to it."""
    from desk_app.auth import Officer, Role

    units = [r for r in ctx.directory.list() if r.kind == "unit"]
    if not units:
        demo = Officer("demo", "Dữ liệu mẫu", Role.ADMIN)
        units = [ctx.directory.add("unit", name, demo) for name in DEMO_UNITS]
    return tuple((u.entry_id, u.name) for u in units)


_CHUNK = 50_000


def _generate_chunk(
    spec: tuple[int, list[dt.date], list[int], list[int], int],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Dossier rows, event rows (``origin_seq`` counted from 0 in the chunk: the writer
    adds where the chunk starts) and guided/refused visit rows."""
    _start, chosen, proc_index, seqs, seed = spec
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
    epoch = dt.datetime(1970, 1, 1)
    due_cache: dict[tuple[dt.date, int, int, bool], dt.datetime | None] = {}
    folded: dict[str, str] = {}
    dossier_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    visit_rows: list[tuple[Any, ...]] = []
    history = _History(st, calendar, rng)

    def event(dossier: str | None, kind: str, payload: str, at: dt.datetime) -> None:
        unix_ms = int((at - epoch).total_seconds() * 1000) - 7 * 3_600_000
        event_rows.append((
            _uuid7_fast(unix_ms, bits(74)), dossier, kind, 1, payload,
            _ts(at - _VN_OFFSET), OFFICER, agency, desk, len(event_rows), 1, None, None,
        ))  # fmt: skip

    for day, pi, seq in zip(chosen, proc_index, seqs, strict=True):
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
        phone = f"{PHONE_PREFIX[int(rand() * 12)]}{int(rand() * 1e7):07d}"
        address = f"{HAMLETS[int(rand() * 10)]}, {place}"
        unix_ms = int((received - epoch).total_seconds() * 1000) - 7 * 3_600_000
        uid = _uuid7_fast(unix_ms, bits(74))
        code = pattern.format(agency, day, desk, seq)
        received_s = _ts(received)
        due_s = _ts(due)
        # Every value here is generated above and holds no quote or backslash.
        event(
            uid, "dossier.received",
            f'{{"demo": true, "code": "{code}", "procedure_code": "{proc_code}", '
            f'"applicant_name": "{name}", "received_at": "{received_s}", '
            f'"due_at": {_json_str(due_s)}, "status": "received"}}',
            received,
        )  # fmt: skip
        p = (
            history.walk(received, due, kind, value)
            if st.histories
            else history.still(received, due)
        )
        for step_kind, payload, at in p.steps:
            event(uid, step_kind, payload, at)
        dossier_rows.append((
            uid, code, f"{bits(24):06X}", proc_id, proc_code, proc_name, p.status,
            "postal" if rand() < 0.05 else "in_person",
            name, name_folded, cccd, dob.isoformat(), phone, address, None, None, None, None,
            proc_name, docs, 1, "", kind, value,
            received_s, _ts(p.due_at), OFFICER, OFFICER_NAME, agency, desk, seq,
            _ts(p.returned_at), _ts(p.last_at),
            # The projection as folding the events above gives it.
            p.holder, _ts(p.original_due_at), p.pauses_json, p.classification,
            _ts(p.result_at), p.outcome, p.extension_count,
        ))  # fmt: skip
        r = rand() if st.histories else 1.0
        if r < 0.04:  # some visitors of the day were guided (3%) or refused (1%)
            visit, at = ("guided" if r < 0.03 else "refused"), received - dt.timedelta(minutes=7)
            reason = "" if visit == "guided" else REFUSALS[int(rand() * len(REFUSALS))]
            items = '[{"name": "Tờ khai theo mẫu", "reason": "Chưa có chữ ký"}]'
            payload = (
                f'{{"at": "{at.isoformat()}", "procedure_code": "{proc_code}", '
                f'"procedure_name": "{proc_name}", "applicant_name": "{name}", '
                f'"applicant_cccd": "{cccd}", "applicant_phone": "{phone}", '
                f'"applicant_address": "{address}", "officer": "{OFFICER}", '
                f'"officer_name": "{OFFICER_NAME}", "reason": "{reason}"'
                + (f', "items": {items}}}' if visit == "guided" else "}")
            )
            event(None, f"intake.{visit}", payload, at)
            visit_rows.append((
                event_rows[-1][0], visit, _ts(at), proc_code, proc_name, name, name_folded, cccd,
                phone, address, reason, items if visit == "guided" else "[]", OFFICER,
                OFFICER_NAME, agency, desk,
            ))  # fmt: skip
    return dossier_rows, event_rows, visit_rows


OFFICER = "demo"
OFFICER_NAME = "Cán bộ một cửa (dữ liệu mẫu)"
REFUSALS = (
    "Không thuộc thẩm quyền giải quyết của xã",
    "Người nộp không đủ tư cách đề nghị",
    "Thủ tục đã được giải quyết trước đó",
)
SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ chứng minh nơi cư trú",
    "Tờ khai chưa ghi đủ thông tin",
    "Cần bản chính để đối chiếu",
)
EXTENSION_REASONS = ("Cần xác minh thêm tại nơi cư trú", "Chờ ý kiến của cơ quan liên quan")
STOP_REASONS = ("Người nộp không bổ sung hồ sơ theo yêu cầu", "Hồ sơ có dấu hiệu giả mạo")
WITHDRAW_REASONS = ("Công dân xin rút hồ sơ", "")
NOT_ELIGIBLE_REASONS = ("Không đủ điều kiện theo quy định", "Giấy tờ không hợp lệ")


@dataclass
class _Course:
    """One dossier's history as events, and the projection they fold to."""

    status: str
    holder: str
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    last_at: dt.datetime
    steps: list[tuple[str, str, dt.datetime]]
    pauses_json: str = "[]"
    extension_count: int = 0
    result_at: dt.datetime | None = None
    outcome: str | None = None
    classification: str | None = None
    returned_at: dt.datetime | None = None


class _History:
    """Walks a dossier from its receipt to where it stands today: each step after the
    previous one, none after now, in proportions like a commune desk's."""

    # Where a dossier received more than 45 days ago ended, and where a recent one is.
    OLD = (("returned", 0.90), ("result_ready", 0.02), ("withdrawn", 0.05), ("stopped", 0.03))
    RECENT = (
        ("received", 0.08), ("in_progress", 0.22), ("waiting_supplement", 0.08),
        ("result_ready", 0.12), ("returned", 0.42), ("withdrawn", 0.04), ("stopped", 0.04),
    )  # fmt: skip

    def __init__(self, st: _Static, calendar: WorkingCalendar, rng: random.Random) -> None:
        self.st = st
        self.calendar = calendar
        self.rand = rng.random
        self.closing = calendar.office_hours.closing

    def _fate(self, received: dt.datetime) -> str:
        r = self.rand()
        table = self.OLD if (self.st.now_local - received).days > 45 else self.RECENT
        for fate, share in table:
            if r < share:
                return fate
            r -= share
        return table[0][0]

    def _pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.rand() * len(options))]

    def still(self, received: dt.datetime, due: dt.datetime | None) -> _Course:
        """A dossier just received, with no step after it."""
        return _Course("received", OFFICER, due, due, received, [])

    def walk(
        self, received: dt.datetime, due: dt.datetime | None, kind: str, value: int | None
    ) -> _Course:
        now, rand = self.st.now_local, self.rand
        c = _Course("received", OFFICER, due, due, received, [])
        fate = self._fate(received)
        if fate == "received":
            return c

        def step(at: dt.datetime, kind: str, payload: str) -> bool:
            if at > now:
                return False
            c.steps.append((kind, f'{{"at": "{at.isoformat()}", {payload}}}', at))
            c.last_at = at
            return True

        t = received + dt.timedelta(minutes=10 + int(rand() * 170))
        entry_id, unit = self.st.receivers[int(rand() * len(self.st.receivers))]
        if not step(t, "dossier.handed_over",
                    f'"giver": "{OFFICER}", "giver_name": "{OFFICER_NAME}", '
                    f'"receiver_id": "{entry_id}", "receiver_kind": "unit", '
                    f'"receiver_name": "{unit}", "note": ""'):  # fmt: skip
            return c
        c.status, c.holder = "in_progress", unit
        if fate == "waiting_supplement" or rand() < 0.10:
            t += dt.timedelta(hours=1 + int(rand() * 47))
            reason = self._pick(SUPPLEMENT_REASONS)
            items = f'[{{"name": "{reason}", "reason": ""}}]'
            if not step(
                t, "dossier.supplement_requested", f'"reason": "{reason}", "items": {items}'
            ):
                return c
            c.status, asked = "waiting_supplement", t
            c.pauses_json = json.dumps(
                [{"started_at": t.isoformat(), "ended_at": None, "reason": reason}],
                ensure_ascii=False,
            )
            if fate == "waiting_supplement":
                return c
            t = dt.datetime.combine(
                t.date() + dt.timedelta(days=1 + int(rand() * 6)), dt.time(8 + int(rand() * 8), 15)
            )
            if c.due_at is not None:
                new_due = self.calendar.due_at(t, Duration(kind, value))  # type: ignore[arg-type]
                rule = "restart"
            else:
                new_due, rule = None, "none"
            waited = self.calendar.working_days_between(asked.date(), t.date())
            if not step(t, "dossier.supplement_received",
                        f'"due_rule": "{rule}", "due_at": {_json_str(_iso(new_due))}, '
                        f'"original_due_at": {_json_str(_iso(new_due))}, '
                        f'"waited_working_days": {waited}, "note": ""'):  # fmt: skip
                return c
            c.status, c.due_at, c.original_due_at = "in_progress", new_due, new_due
            c.pauses_json = json.dumps(
                [{"started_at": asked.isoformat(), "ended_at": t.isoformat(), "reason": reason}],
                ensure_ascii=False,
            )
        if fate in ("withdrawn", "stopped"):
            t += dt.timedelta(hours=1 + int(rand() * 71))
            reasons = WITHDRAW_REASONS if fate == "withdrawn" else STOP_REASONS
            verb = "withdrawn" if fate == "withdrawn" else "stopped"
            if step(t, f"dossier.{verb}", f'"reason": "{self._pick(reasons)}"'):
                c.status = fate
            return c
        due_now = c.due_at
        if due_now is not None and rand() < 0.05:
            # An apology and a new date, the working day before the appointment.
            day = due_now.date() - dt.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= dt.timedelta(days=1)
            at = dt.datetime.combine(day, dt.time(10, 0))
            if at > t:
                new = dt.datetime.combine(
                    self.calendar.add_working_days(due_now.date(), 5), self.closing
                )
                if not step(at, "dossier.extended",
                            f'"reason": "{self._pick(EXTENSION_REASONS)}", '
                            f'"due_at": "{new.isoformat()}", '
                            f'"previous_due_at": "{due_now.isoformat()}", '
                            '"due_rule": "extension"'):  # fmt: skip
                    return c
                t, c.due_at, c.extension_count = at, new, 1
        if fate == "in_progress":
            return c
        # The result: mostly before the appointment, a few late.
        original = c.original_due_at
        if original is None:
            result = t + dt.timedelta(days=1 + int(rand() * 9))
        elif rand() < 0.05:
            result = original + dt.timedelta(days=1 + int(rand() * 4), hours=-6)
        else:
            result = max(
                t + dt.timedelta(minutes=30), original - dt.timedelta(hours=int(rand() * 40))
            )
        result = _in_office(result)
        if result <= t:
            result = t + dt.timedelta(minutes=30)
        not_eligible = rand() < 0.04
        outcome = "not_eligible" if not_eligible else "approved"
        why = self._pick(NOT_ELIGIBLE_REASONS) if not_eligible else ""
        if not step(result, "dossier.result_ready", f'"outcome": "{outcome}", "reason": "{why}"'):
            return c
        c.status, c.result_at, c.outcome = "result_ready", result, outcome
        c.classification = classify(result, original)
        if fate == "result_ready":
            return c
        back = _in_office(result + dt.timedelta(hours=int(rand() * 72)))
        if back <= result:
            back = result + dt.timedelta(minutes=15)
        scale = self.st.rating_scale
        rating = f'"{scale[min(int(rand() * 1.6), len(scale) - 1)]}"' if rand() < 0.6 else "null"
        method = "post" if rand() < 0.05 else "desk"
        if step(back, "dossier.returned",
                f'"by": "{OFFICER}", "by_name": "{OFFICER_NAME}", "method": "{method}", '
                f'"rating": {rating}, "comment": ""'):  # fmt: skip
            c.status, c.returned_at = "returned", back
        return c


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _in_office(moment: dt.datetime) -> dt.datetime:
    """A time within office hours, roughly: evenings move to the next morning."""
    if moment.hour >= 17:
        return dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(8, moment.minute))
    if moment.hour < 7:
        return moment.replace(hour=8)
    return moment


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


def _write(
    ctx: DeskContext,
    chunks: Iterable[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]],
    origin_seq_start: int,
    seq_by_day: dict[dt.date, int],
    desk: int,
    progress: Callable[[int], None],
) -> None:
    d_sql = (
        f"INSERT INTO dossiers ({', '.join(_DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _DOSSIER_COLUMNS)})"
    )
    # A chunk numbers its events from 0; "? + :n" places them after those before it.
    marks = ["? + :offset" if c == "origin_seq" else "?" for c in _EVENT_COLUMNS]
    e_sql = f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join(marks)})"
    v_sql = (
        f"INSERT INTO intake_outcomes ({', '.join(_VISIT_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _VISIT_COLUMNS)})"
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
            offset = origin_seq_start + 1
            for dossiers, events, visits in chunks:
                raw.executemany(d_sql, dossiers)
                raw.executemany(e_sql.replace(":offset", str(offset)), events)
                raw.executemany(v_sql, visits)
                offset += len(events)
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
    from desk_app.db.cipher import OPERATIONAL_ERRORS

    before = raw.execute("PRAGMA journal_mode").fetchone()[0]
    try:
        after = raw.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]
    except OPERATIONAL_ERRORS:
        # Leaving WAL needs the database to itself; with another connection open (the
        # window, a sync) the load simply stays in WAL: slower, just as safe.
        return False
    return bool(str(after).lower() == mode.lower() and str(before).lower() != mode.lower())


__all__ = ["seed_demo"]
