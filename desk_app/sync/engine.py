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

from sqlalchemy import Text, bindparam, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session

from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import (
    Base,
    Dossier,
    Event,
    OutboxHold,
    OutboxRejection,
    PulledSetAside,
    SyncState,
)
from desk_app.dossiers import (
    NewerEventError,
    SetAsideError,
    apply_pulled,
    reproject,
    retry_set_aside,
    set_aside,
)
from desk_app.errors import InvalidInputError, OperationalError
from desk_app.events import envelope_json, envelope_version
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
from event_schema import EventRetractedV1

PUSH_BATCH = 500
PULL_PAGE = 500

TransportFactory = Callable[[str, str | None, str | None], Transport]


NOT_ENROLLED = "sync.not_enrolled"
EVENT_LEFT_OUT = "sync.event_left_out"
EVENT_SET_ASIDE = "sync.event_set_aside"
# The server's refusal of an event it has no schema for (it is older than this desk).
SERVER_UNKNOWN_KIND = "event.unknown_kind"
SERVER_OUTDATED = "máy chủ cần cập nhật"
RETRACTED_KIND = EventRetractedV1.KIND
REPORT_LIMIT = 1000


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
    # Our events the server does not know yet: kept queued, sent again each round.
    held: int = 0
    # Pulled events this desk cannot apply, each {uuid, kind, version, code, reason}.
    set_aside: list[dict[str, Any]] = field(default_factory=list)

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
            "held": self.held,
            "held_reason": SERVER_OUTDATED if self.held else None,
            "set_aside": self.set_aside,
        }


@dataclass(frozen=True)
class SetAsideEntry:
    """A pulled event this desk cannot apply, and why."""

    uuid: str
    kind: str
    version: int
    code: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "kind": self.kind,
            "version": self.version,
            "code": self.code,
            "reason": self.reason,
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
    # Our events waiting for an updated server ("máy chủ cần cập nhật").
    held: int = 0
    # Pulled events set aside: (uuid, kind, version, code, reason).
    set_aside: tuple[SetAsideEntry, ...] = ()

    @property
    def server_outdated(self) -> bool:
        """Whether the server must be updated before some of our events can go."""
        return self.held > 0

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
        # Events held within the current push (not tried again in the same round).
        self._just_held: set[str] = set()

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

    def held_count(self) -> int:
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(OutboxHold)) or 0)

    def set_aside_events(self) -> list[SetAsideEntry]:
        """The pulled events this desk cannot apply, oldest first."""
        with self._db.read() as s:
            return [
                SetAsideEntry(uuid, kind, version, code, reason)
                for uuid, kind, version, code, reason in s.execute(
                    select(
                        PulledSetAside.event_uuid, Event.kind, Event.version,
                        PulledSetAside.code, PulledSetAside.reason,
                    )
                    .join(Event, Event.uuid == PulledSetAside.event_uuid)
                    .order_by(Event.seq)
                )
            ]  # fmt: skip

    def status(self) -> SyncStatus:
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        pending = self.pending_count()
        held = self.held_count()
        aside = tuple(self.set_aside_events())
        if state is None:
            return SyncStatus(
                False, None, pending, None, None, None, None, held=held, set_aside=aside
            )
        return SyncStatus(
            True, state.server_url, pending, state.last_attempt_at, state.last_success_at,
            state.last_error, state.last_error_at, self.rejected_count(),
            state.last_error_code, held, aside,
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
                self._retry_set_aside(summary)
                self._report_set_aside(transport)
        except RejectedError as exc:  # the credential included: the server answered
            summary.online = True
            summary.fail(exc.code, exc.message)
        except SyncTransportError as exc:
            summary.fail(exc.code, exc.message)
        self._record_outcome(summary)
        summary.pending = self.pending_count()
        summary.held = self.held_count()
        summary.set_aside = [e.to_json() for e in self.set_aside_events()]
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
        self._just_held = set()
        self._push_outbox(transport, summary, _OUTBOX)
        # Then, once a round, what waits for an updated server (but for what was held
        # just now): one at a time, so each is released (or kept) on its own.
        self._push_outbox(transport, summary, _HELD, batch_size=1, once=True, skip=self._just_held)

    def _push_outbox(
        self,
        transport: Transport,
        summary: SyncSummary,
        where: tuple[Any, ...],
        *,
        batch_size: int = PUSH_BATCH,
        once: bool = False,
        skip: set[str] | None = None,
    ) -> None:
        tried: set[str] = set(skip or ())
        while True:
            # Core rows, the payload as its stored JSON text: no ORM objects and no
            # decode-and-encode round of every payload on the way out.
            with self._db.read() as s:
                batch = [
                    _Outgoing(r.uuid, r.kind, envelope_json(*r[:9], version=r.version))
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
                            Event.version,
                        )
                        .where(*where, Event.uuid.not_in(tried))
                        .order_by(Event.seq)
                        .limit(batch_size)
                    )
                ]
            if not batch:
                return
            if once:
                tried.update(e.uuid for e in batch)
            self._push_batch(transport, batch, summary, release=once)

    def _push_batch(
        self,
        transport: Transport,
        batch: list[_Outgoing],
        summary: SyncSummary,
        release: bool = False,
    ) -> None:
        """Push ``batch``; if the server refuses it as malformed or conflicting, split it
        until the refused events are found and set aside, so they block nothing."""
        body = '{"events":[' + ",".join(e.json for e in batch) + "]}"
        try:
            answer = transport.push_body(body.encode("utf-8"))
        except RejectedError as exc:
            if isinstance(exc, UnauthorizedError) or exc.status not in (409, 422):
                raise
            if len(batch) == 1 and exc.server_code == SERVER_UNKNOWN_KIND:
                # Nothing wrong with it: the server is older than this desk. Kept queued.
                self._hold(batch[0].uuid, exc.detail)
                self._just_held.add(batch[0].uuid)
                summary.notices.append(
                    f"{SERVER_OUTDATED}: sự kiện {batch[0].uuid} ({batch[0].kind}) chờ máy chủ "
                    "huyện được cập nhật"
                )
                return
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
        if release:
            self._release_holds(wanted)
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

    def _hold(self, event_uuid: str, reason: str) -> None:
        now = utc_naive(self._clock)
        with self._db.write() as s:
            row = s.get(OutboxHold, event_uuid)
            if row is None:
                s.add(
                    OutboxHold(
                        event_uuid=event_uuid, reason=reason[:2000], held_at=now,
                        last_tried_at=now,
                    )
                )  # fmt: skip
            else:
                row.reason = reason[:2000]
                row.last_tried_at = now

    def _release_holds(self, uuids: set[str]) -> None:
        with self._db.write() as s:
            s.execute(delete(OutboxHold).where(OutboxHold.event_uuid.in_(uuids)))

    def _retry_set_aside(self, summary: SyncSummary) -> None:
        """Pulled events set aside get another try each round: this desk may have been
        upgraded (a newer version it now reads), or the operator retracted them."""
        with self._db.read() as s:
            if s.scalar(select(PulledSetAside.event_uuid).limit(1)) is None:
                return  # the usual case: no write transaction at all
        with self._db.write() as s:
            applied, touched = retry_set_aside(s, utc_naive(self._clock))
            s.flush()
            for uuid in touched:
                dossier = s.get(Dossier, uuid)
                if dossier is not None:
                    reproject(s, dossier)
        if applied:
            summary.notices.append(f"đã áp dụng {applied} sự kiện được để riêng trước đây")

    def _report_set_aside(self, transport: Transport) -> None:
        """Tell the district which pulled events this desk set aside (the whole list,
        when it changed), for the operator. A server without the endpoint is ignored."""
        with self._db.read() as s:
            state = s.get(SyncState, 1)
            if state is None or not state.set_aside_unreported:
                return
        # The server takes up to 1,000 at a time: the oldest are what the operator needs.
        entries = self.set_aside_events()[:REPORT_LIMIT]
        try:
            transport.report_set_aside([e.to_json() for e in entries])
        except RejectedError as exc:
            if isinstance(exc, UnauthorizedError) or exc.status not in (404, 405):
                raise
        with self._db.write() as s:
            state = s.get(SyncState, 1)
            if state is not None:
                state.set_aside_unreported = False

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


# The outbox: events recorded here, not yet acknowledged, and not set aside as refused
# nor waiting for an updated server.
_OUTBOX = (
    Event.is_local.is_(True),
    Event.pushed_at.is_(None),
    Event.uuid.not_in(select(OutboxRejection.event_uuid)),
    Event.uuid.not_in(select(OutboxHold.event_uuid)),
)
# Events waiting for an updated server: tried again once a round.
_HELD = (
    Event.is_local.is_(True),
    Event.pushed_at.is_(None),
    Event.uuid.not_in(select(OutboxRejection.event_uuid)),
    Event.uuid.in_(select(OutboxHold.event_uuid)),
)
# Pending: the outbox and what waits for an updated server (both are still to send).
_PENDING = _OUTBOX[:3]


@dataclass(frozen=True)
class _Outgoing:
    uuid: str
    kind: str
    json: str


def _outbox() -> Any:
    return select(Event).where(*_PENDING)


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
    # Events the page itself retracts are stored and never applied: they would only be
    # set aside and reported, then settled by the retraction a moment later.
    retracted = {
        str(env["payload"].get("event"))
        for env in envelopes
        if env.get("kind") == RETRACTED_KIND and isinstance(env.get("payload"), dict)
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
                version=envelope_version(env),
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
            try:
                if event.uuid not in retracted:
                    apply_pulled(s, event, own)
            except SetAsideError as exc:
                # Kept in the log, applied to nothing, set aside with its reason; the
                # cursor moves on and the rest of the page applies.
                set_aside(s, event, exc, now_utc)
                # A newer program's event is no fault of the data: it waits for this
                # desk's upgrade, listed with the others set aside, not as an error.
                if problems is not None and not isinstance(exc, NewerEventError):
                    problems.append(str(exc))
            if event.dossier_uuid:
                touched.add(event.dossier_uuid)
    s.flush()
    for uuid in touched:
        dossier = s.get(Dossier, uuid)
        if dossier is not None:
            reproject(s, dossier)
    return new
