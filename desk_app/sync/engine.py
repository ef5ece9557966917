"""One sync round with the district server: push the outbox, pull the commune's feed.

Exactly once, whatever fails when:

* **Push.** Pending events (recorded here, ``pushed_at`` empty) go in batches in their
  recorded order. They are marked sent only after the server's acknowledgement, in one
  transaction. If the answer is lost (the server committed, the link dropped), the next
  round sends the same events again; the server stores each event UUID once and
  acknowledges the duplicates, so nothing is doubled and nothing is lost. There is no
  "sending" state that could stick: an event is either pending or acknowledged.
* **Pull.** Pages of the commune's feed after ``pull_cursor`` are applied together with
  the new cursor in one transaction: a crash re-reads the page, and events already
  present (by UUID) are not applied twice.
* **Kill at any point.** Both rules hold at every instant, since all state lives in the
  database and changes only by committed transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import (
    Base,
    CalendarOverride,
    CatalogueVersion,
    Dossier,
    DossierCodeCounter,
    Event,
    OutboxRejection,
    Procedure,
    RegisterCounter,
    SyncState,
)
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.events import envelope_json
from desk_app.lifecycle import reproject
from desk_app.profile import ProfileService
from desk_app.sync.transport import (
    REJECTED,
    SERVER_ERROR,
    RejectedError,
    SyncTransportError,
    Transport,
    UnauthorizedError,
    UnreachableError,
)
from desk_app.text import fold

PUSH_BATCH = 500
PULL_PAGE = 500

TransportFactory = Callable[[str, str | None, str | None], Transport]


NOT_ENROLLED = "sync.not_enrolled"
EVENT_LEFT_OUT = "sync.event_left_out"


class EnrollmentError(OperationalError):
    """Enrolment failed; the message says why in plain words."""

    default_code = "sync.enrollment_failed"


class ServerUrlError(EnrollmentError, InvalidInputError):
    """The server address given is not an http(s) URL: bad input, not a failure."""

    exit_status = 2
    default_code = "sync.bad_url"


@dataclass
class SyncSummary:
    pushed: int = 0
    pulled: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)
    # The stable code of each error, in step with ``errors`` (``sync.unreachable``...).
    error_codes: list[str] = field(default_factory=list)
    online: bool = False
    rejected: int = 0
    # What happened and was handled within the round (not failures).
    notices: list[str] = field(default_factory=list)

    def fail(self, code: str, message: str) -> None:
        """Record one error of the round: its code for programs, its message for people."""
        self.error_codes.append(code)
        self.errors.append(message)

    def to_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "pending": self.pending,
            "rejected": self.rejected,
            "errors": self.errors,
            "error_codes": self.error_codes,
            "notices": self.notices,
            "online": self.online,
        }


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    pending: int
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    rejected: int = 0
    last_error_code: str | None = None

    @property
    def online(self) -> bool:
        """Whether the last attempt reached the server."""
        return bool(
            self.last_success_at
            and self.last_attempt_at
            and self.last_success_at >= self.last_attempt_at
        )


def _default_transport(url: str, token: str | None, ca_file: str | None) -> Transport:
    return Transport(url, token, ca_file)


class SyncEngine:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        profiles: ProfileService,
        transport_factory: TransportFactory = _default_transport,
    ) -> None:
        self._db = db
        self._clock = clock
        self._profiles = profiles
        self._transport_factory = transport_factory

    # ------------------------------------------------------------------ enrolment

    def enroll(self, server_url: str, code: str, ca_file: str | None = None) -> dict[str, Any]:
        """Exchange a one-time code for this desk's credential and keep it."""
        profile = self._profiles.require()
        url = server_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ServerUrlError(f"{server_url!r} không phải địa chỉ http(s)")
        try:
            with self._transport_factory(url, None, ca_file) as transport:
                answer = transport.enroll(code.strip())
        except UnreachableError as exc:
            raise EnrollmentError(f"{exc.message} tại {url}", code=exc.code) from exc
        except RejectedError as exc:
            raise EnrollmentError(
                f"máy chủ huyện không nhận mã đăng ký: {exc.detail}",
                code="sync.enrollment_refused",
            ) from exc
        if (
            answer.get("agency_code") != profile.agency_code
            or answer.get("desk") != profile.desk_number
        ):
            raise EnrollmentError(
                f"mã được cấp cho {answer.get('agency_code')} quầy {answer.get('desk')}, "
                f"nhưng quầy này là {profile.agency_code} quầy {profile.desk_number}",
                code="sync.enrollment_mismatch",
            )
        floor = int(answer.get("last_origin_seq") or 0)
        now = utc_naive(self._clock)
        with self._db.write() as s:
            clashing = s.scalar(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.is_local.is_(True),
                    Event.pushed_at.is_(None),
                    Event.origin_seq <= floor,
                )
            )
            if clashing:
                # This machine recorded its own events under numbers the server already has
                # from another machine of this desk number: both cannot be kept.
                raise EnrollmentError(
                    f"quầy {profile.desk_number} của {profile.agency_code} đã có lịch sử trên "
                    f"máy chủ, và máy này đã ghi {clashing} sự kiện của mình dưới cùng số quầy "
                    "trước khi đăng ký: hãy thiết lập máy này với số quầy khác, hoặc khôi phục "
                    "nó vào một thư mục dữ liệu trống",
                    code="sync.desk_history_clash",
                )
            state = s.get(SyncState, 1)
            keep_cursor = state is not None and state.server_url == url
            if state is None:
                state = SyncState(id=1)
                s.add(state)
            state.server_url = url
            state.token = str(answer["token"])
            state.ca_file = ca_file
            state.desk_id = str(answer.get("desk_id", ""))
            state.enrolled_at = now
            state.origin_seq_floor = floor
            if not keep_cursor:
                state.pull_cursor = 0
                state.full_pull_done = False
            state.last_error = None
            state.last_error_code = None
            state.last_error_at = None
        return {"server_url": url, "agency_code": profile.agency_code, "desk": profile.desk_number}

    # ------------------------------------------------------------------ status

    def pending_count(self) -> int:
        """Events recorded here and not yet acknowledged, less those set aside."""
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(_outbox().subquery())) or 0)

    def rejected_count(self) -> int:
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(OutboxRejection)) or 0)

    def status(self) -> SyncStatus:
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        pending = self.pending_count()
        if state is None:
            return SyncStatus(False, None, pending, None, None, None, None)
        return SyncStatus(
            True, state.server_url, pending, state.last_attempt_at, state.last_success_at,
            state.last_error, state.last_error_at, self.rejected_count(),
            state.last_error_code,
        )  # fmt: skip

    def probe(self) -> bool:
        """Is the server answering? (The operating system's idea of "online" is not enough.)"""
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        if state is None:
            return False
        with self._transport_factory(state.server_url, None, state.ca_file) as transport:
            return transport.health()

    # ------------------------------------------------------------------ one round

    def sync_once(self) -> SyncSummary:
        """Push everything pending, then pull everything new; never raises for the network.

        A refusal of our data does not stop the pull; a server found to have lost events
        (restored from an older backup) gets everything of ours again, once per round.
        """
        summary = SyncSummary()
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        if state is None:
            summary.fail(NOT_ENROLLED, "quầy chưa đăng ký với máy chủ huyện")
            summary.pending = self.pending_count()
            return summary
        profile = self._profiles.require()
        self._mark_attempt()
        try:
            with self._transport_factory(state.server_url, state.token, state.ca_file) as transport:
                for _attempt in range(2):
                    try:
                        self._push_all(transport, summary)
                    except RejectedError as exc:
                        if isinstance(exc, UnauthorizedError):
                            raise
                        summary.fail(REJECTED, f"máy chủ huyện từ chối dữ liệu: {exc.detail}")
                    summary.online = True
                    try:
                        self._pull_all(transport, profile.agency_code, profile.desk_number, summary)
                    except _ServerLostEventsError as exc:
                        summary.notices.append(str(exc))
                        continue  # everything of ours is pending again: send it now
                    break
        except RejectedError as exc:  # the credential included: the server answered
            summary.online = True
            summary.fail(exc.code, exc.message)
        except SyncTransportError as exc:
            summary.fail(exc.code, exc.message)
        self._record_outcome(summary)
        summary.pending = self.pending_count()
        return summary

    def _mark_attempt(self) -> None:
        with self._db.write() as s:
            state = s.get(SyncState, 1)
            if state is not None:
                state.last_attempt_at = utc_naive(self._clock)

    def _record_outcome(self, summary: SyncSummary) -> None:
        now = utc_naive(self._clock)
        with self._db.write() as s:
            state = s.get(SyncState, 1)
            if state is None:
                return
            if summary.errors:
                state.last_error = summary.errors[0]
                state.last_error_code = summary.error_codes[0]
                state.last_error_at = now
            else:
                state.last_success_at = now
                state.last_error = None
                state.last_error_code = None

    def _push_all(self, transport: Transport, summary: SyncSummary) -> None:
        while True:
            # Core rows, the payload as its stored JSON text: no ORM objects and no
            # decode-and-encode round of every payload on the way out.
            with self._db.read() as s:
                batch = [
                    _Outgoing(r.uuid, r.kind, envelope_json(*r))
                    for r in s.execute(
                        select(
                            Event.uuid,
                            Event.dossier_uuid,
                            Event.kind,
                            type_coerce(Event.payload, Text),
                            Event.occurred_at,
                            Event.actor,
                            Event.origin_agency_code,
                            Event.origin_desk,
                            Event.origin_seq,
                        )
                        .where(*_OUTBOX)
                        .order_by(Event.seq)
                        .limit(PUSH_BATCH)
                    )
                ]
            if not batch:
                return
            self._push_batch(transport, batch, summary)

    def _push_batch(
        self, transport: Transport, batch: list[_Outgoing], summary: SyncSummary
    ) -> None:
        """Push ``batch``; if the server refuses it as malformed or conflicting, split it
        until the refused events are found and set aside, so they block nothing."""
        body = '{"events":[' + ",".join(e.json for e in batch) + "]}"
        try:
            answer = transport.push_body(body.encode("utf-8"))
        except RejectedError as exc:
            if isinstance(exc, UnauthorizedError) or exc.status not in (409, 422):
                raise
            if len(batch) == 1:
                self._set_aside(batch[0].uuid, exc.detail)
                summary.rejected += 1
                summary.fail(
                    REJECTED,
                    f"máy chủ huyện từ chối sự kiện {batch[0].uuid} ({batch[0].kind}): "
                    f"{exc.detail}",
                )
                return
            middle = len(batch) // 2
            self._push_batch(transport, batch[:middle], summary)
            self._push_batch(transport, batch[middle:], summary)
            return
        wanted = {e.uuid for e in batch}
        acknowledged = [str(u) for u in answer["acknowledged"]]
        seqs = answer.get("server_seqs")
        if not isinstance(seqs, list) or len(seqs) != len(acknowledged):
            seqs = [None] * len(acknowledged)
        rows = [
            {"u": u, "s": seq} for u, seq in zip(acknowledged, seqs, strict=True) if u in wanted
        ]
        if rows:
            now = utc_naive(self._clock)
            table = _EVENTS
            with self._db.write() as s:
                s.execute(
                    update(table)
                    .where(table.c.uuid == bindparam("u"), table.c.pushed_at.is_(None))
                    .values(
                        pushed_at=now,
                        server_seq=func.coalesce(table.c.server_seq, bindparam("s")),
                    ),
                    rows,
                )
            summary.pushed += len(rows)
        if len(rows) != len(wanted):
            raise UnreachableError(
                f"the server acknowledged {len(rows)} of {len(wanted)} events; will retry",
                code=SERVER_ERROR,
            )

    def _set_aside(self, event_uuid: str, reason: str) -> None:
        with self._db.write() as s:
            if s.get(OutboxRejection, event_uuid) is None:
                s.add(
                    OutboxRejection(
                        event_uuid=event_uuid, reason=reason[:2000],
                        rejected_at=utc_naive(self._clock),
                    )
                )  # fmt: skip

    def _pull_all(self, transport: Transport, agency: str, desk: int, summary: SyncSummary) -> None:
        first = True
        while True:
            with self._db.read() as s:
                state = s.get(SyncState, 1)
                assert state is not None
                cursor = state.pull_cursor
                # Our own events come back only when the server may hold some we do not:
                # a machine restored under a desk number that already had history. Ours
                # numbered above our highest (another machine's) always come.
                upto: int | None = None
                if state.full_pull_done or state.origin_seq_floor == 0:
                    upto = int(
                        s.scalar(
                            select(func.max(Event.origin_seq)).where(
                                Event.is_local.is_(True), Event.origin_desk == desk
                            )
                        )
                        or 0
                    )
            page = transport.pull(cursor, PULL_PAGE, exclude_own_upto=upto)
            last_server_seq = page.get("last_server_seq")
            if first and isinstance(last_server_seq, int) and last_server_seq < cursor:
                self._forget_server_numbers()
                raise _ServerLostEventsError(
                    f"the server holds fewer events than this desk has seen ({last_server_seq} "
                    f"< {cursor}): it was restored from an older backup; sending everything again"
                )
            first = False
            events = page["events"]
            next_cursor = int(page.get("next_cursor", cursor))
            done = not page.get("has_more") or not events
            left_out: list[str] = []
            with self._db.write() as s:
                summary.pulled += apply_page(
                    s, events, agency, desk, utc_naive(self._clock), left_out
                )
                state = s.get(SyncState, 1)
                assert state is not None
                state.pull_cursor = max(state.pull_cursor, next_cursor)
                if done:
                    state.full_pull_done = True
            for problem in left_out:
                summary.fail(EVENT_LEFT_OUT, problem)
            if done:
                return

    def _forget_server_numbers(self) -> None:
        """The server lost events: everything of ours is pending again (it stores each
        UUID once, so resending is safe) and the feed is read again from the start."""
        table = _EVENTS
        with self._db.write() as s:
            s.execute(update(table).values(server_seq=None))
            s.execute(update(table).where(table.c.is_local.is_(True)).values(pushed_at=None))
            state = s.get(SyncState, 1)
            assert state is not None
            state.pull_cursor = 0
            state.full_pull_done = False


class _ServerLostEventsError(Exception):
    pass


# The events table itself, for set-based updates (core statements, typed as a Table).
_EVENTS = Base.metadata.tables["events"]


# The outbox: events recorded here, not yet acknowledged, and not set aside as refused.
_OUTBOX = (
    Event.is_local.is_(True),
    Event.pushed_at.is_(None),
    Event.uuid.not_in(select(OutboxRejection.event_uuid)),
)


@dataclass(frozen=True)
class _Outgoing:
    uuid: str
    kind: str
    json: str


def _outbox() -> Any:
    return select(Event).where(*_OUTBOX)


# ---------------------------------------------------------------------- applying


def apply_page(
    s: Session,
    envelopes: list[dict[str, Any]],
    agency: str,
    desk: int,
    now_utc: dt.datetime,
    problems: list[str] | None = None,
) -> int:
    """Store the feed's events not yet here and apply them; returns how many were new.

    One query finds which events of the page are already here; new ones are added and
    applied without a flush per event; only dossiers whose events changed are recomputed.
    """
    new = 0
    touched: set[str] = set()
    uuids = [str(env["uuid"]) for env in envelopes]
    existing = {e.uuid: e for e in s.scalars(select(Event).where(Event.uuid.in_(uuids)))}
    # Numbers already used here by another event of the same desk (two machines under
    # one desk number): such an event is left out and reported, never crashes the page.
    numbered = {
        (a, d, n)
        for a, d, n in s.execute(
            select(Event.origin_agency_code, Event.origin_desk, Event.origin_seq).where(
                Event.origin_seq.in_({int(env["origin_seq"]) for env in envelopes}),
                Event.uuid.not_in(uuids),
            )
        ).all()
    }
    with s.no_autoflush:
        for env in envelopes:
            server_seq = int(env["server_seq"])
            known = existing.get(str(env["uuid"]))
            if known is not None:
                if known.server_seq is None:
                    known.server_seq = server_seq
                    if known.dossier_uuid:
                        touched.add(known.dossier_uuid)  # its place in the order is known now
                if known.is_local and known.pushed_at is None:
                    known.pushed_at = now_utc  # the server has it: its answer had been lost
                continue
            origin = env["origin"]
            key = (str(origin["agency_code"]), int(origin["desk"]), int(env["origin_seq"]))
            if key in numbered:
                if problems is not None:
                    problems.append(
                        f"event {env['uuid']} reuses number {key[2]} of desk {key[1]}, already "
                        "used here by another event; left out"
                    )
                continue
            numbered.add(key)
            own = origin["agency_code"] == agency and int(origin["desk"]) == desk
            occurred = dt.datetime.fromisoformat(env["occurred_at"])
            if occurred.tzinfo is not None:
                occurred = occurred.astimezone(dt.UTC).replace(tzinfo=None)
            event = Event(
                uuid=env["uuid"],
                dossier_uuid=env.get("dossier_uuid"),
                kind=env["kind"],
                payload=env.get("payload") or {},
                occurred_at=occurred,
                actor=env.get("actor", ""),
                origin_agency_code=origin["agency_code"],
                origin_desk=int(origin["desk"]),
                origin_seq=int(env["origin_seq"]),
                is_local=own,
                pushed_at=now_utc if own else None,
                server_seq=server_seq,
            )
            s.add(event)
            existing[event.uuid] = event
            new += 1
            _apply(s, event, own)
            if event.dossier_uuid:
                touched.add(event.dossier_uuid)
    s.flush()
    for uuid in touched:
        dossier = s.get(Dossier, uuid)
        if dossier is not None:
            reproject(s, dossier)
    return new


def _apply(s: Session, event: Event, own: bool) -> None:
    p = event.payload
    if event.kind == "dossier.received" and event.dossier_uuid:
        if s.get(Dossier, event.dossier_uuid) is not None or not p.get("code"):
            return
        if s.scalar(select(Dossier.uuid).where(Dossier.code == p["code"])):
            return  # cannot happen with the code scheme; the event stays in the log
        received = dt.datetime.fromisoformat(str(p["received_at"]))
        due = dt.datetime.fromisoformat(str(p["due_at"])) if p.get("due_at") else None
        name = str(p.get("applicant_name", ""))
        s.add(
            Dossier(
                uuid=event.dossier_uuid,
                code=p["code"],
                lookup_pin=str(p.get("lookup_pin", "")),
                procedure_id=_procedure_id(s, str(p.get("procedure_code", "")), received.date()),
                procedure_code=str(p.get("procedure_code", "")),
                procedure_name=str(p.get("procedure_name", "")),
                status=str(p.get("status", "received")),
                channel=str(p.get("channel", "in_person")),
                applicant_name=name,
                applicant_name_folded=fold(name),
                applicant_cccd=p.get("applicant_cccd"),
                applicant_dob=dt.date.fromisoformat(p["applicant_dob"])
                if p.get("applicant_dob")
                else None,
                applicant_phone=str(p.get("applicant_phone", "")),
                applicant_address=str(p.get("applicant_address", "")),
                applicant_email=p.get("applicant_email"),
                representative_name=p.get("representative_name"),
                representative_cccd=p.get("representative_cccd"),
                representative_phone=p.get("representative_phone"),
                request_text=str(p.get("request_text", "")),
                documents=list(p.get("documents") or []),
                sets_count=int(p.get("sets_count", 1)),
                notes=str(p.get("notes", "")),
                duration_kind=str(p.get("duration_kind", "none")),
                duration_value=p.get("duration_value"),
                received_at=received,
                due_at=due,
                received_by=str(p.get("received_by", event.actor)),
                received_by_name=str(p.get("received_by_name", event.actor)),
                origin_agency_code=event.origin_agency_code,
                origin_desk=event.origin_desk,
                register_line=p.get("register_line"),
                returned_at=None,
                updated_at=received,
            )
        )
        if own:
            _advance_counters(
                s, received, event.origin_desk, p.get("code_seq"), p.get("register_line")
            )
    elif event.kind == "calendar.override_set":
        day = dt.date.fromisoformat(str(p["day"]))
        s.flush()  # see _advance_counters: one page may set the same day twice
        row = s.get(CalendarOverride, day)
        if row is None:
            row = CalendarOverride(day=day)
            s.add(row)
        row.kind = str(p["kind"])
        row.reason = str(p.get("reason", ""))
        row.created_by = event.actor
        row.created_at = event.occurred_at


def _procedure_id(s: Session, code: str, day: dt.date) -> int | None:
    return s.scalar(
        select(Procedure.id)
        .join(CatalogueVersion)
        .where(Procedure.code == code, CatalogueVersion.effective_from <= day)
        .order_by(CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc())
        .limit(1)
    )


def _advance_counters(
    s: Session, received: dt.datetime, desk: int, code_seq: Any, register_line: Any
) -> None:
    """A desk restored from the server continues its code and register sequences."""
    # Pages are applied without autoflush; get() sees only flushed rows, and a page may
    # restore several dossiers of one day. Restores are rare: flush here.
    s.flush()
    if isinstance(code_seq, int):
        counter = s.get(DossierCodeCounter, (received.date(), desk))
        if counter is None:
            s.add(DossierCodeCounter(day=received.date(), desk_number=desk, last_seq=code_seq))
        elif counter.last_seq < code_seq:
            counter.last_seq = code_seq
    if isinstance(register_line, int):
        line = s.get(RegisterCounter, (received.year, desk))
        if line is None:
            s.add(RegisterCounter(year=received.year, desk_number=desk, last_line=register_line))
        elif line.last_line < register_line:
            line.last_line = register_line
