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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import (
    CalendarOverride,
    CatalogueVersion,
    Dossier,
    DossierCodeCounter,
    Event,
    Procedure,
    RegisterCounter,
    SyncState,
)
from desk_app.errors import DeskOperationalError
from desk_app.events import envelope
from desk_app.lifecycle import reproject
from desk_app.profile import ProfileService
from desk_app.sync.transport import (
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


class EnrollmentError(DeskOperationalError):
    """Enrolment failed; the message says why in plain words."""


@dataclass
class SyncSummary:
    pushed: int = 0
    pulled: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)
    online: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "pending": self.pending,
            "errors": self.errors,
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
            raise EnrollmentError(f"{server_url!r} is not an http(s) URL")
        try:
            with self._transport_factory(url, None, ca_file) as transport:
                answer = transport.enroll(code.strip())
        except UnreachableError as exc:
            raise EnrollmentError(f"the server at {url} cannot be reached: {exc}") from exc
        except RejectedError as exc:
            raise EnrollmentError(f"the server refused the code: {exc.detail}") from exc
        if (
            answer.get("agency_code") != profile.agency_code
            or answer.get("desk") != profile.desk_number
        ):
            raise EnrollmentError(
                f"the code was issued for {answer.get('agency_code')} desk {answer.get('desk')}, "
                f"but this desk is {profile.agency_code} desk {profile.desk_number}"
            )
        now = utc_naive(self._clock)
        with self._db.write() as s:
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
            if not keep_cursor:
                state.pull_cursor = 0
            state.last_error = None
            state.last_error_at = None
        return {"server_url": url, "agency_code": profile.agency_code, "desk": profile.desk_number}

    # ------------------------------------------------------------------ status

    def pending_count(self) -> int:
        with self._db.read() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(Event)
                    .where(Event.is_local.is_(True), Event.pushed_at.is_(None))
                )
                or 0
            )

    def status(self) -> SyncStatus:
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        pending = self.pending_count()
        if state is None:
            return SyncStatus(False, None, pending, None, None, None, None)
        return SyncStatus(
            True, state.server_url, pending, state.last_attempt_at, state.last_success_at,
            state.last_error, state.last_error_at,
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
        """Push everything pending, then pull everything new; never raises for the network."""
        summary = SyncSummary()
        with self._db.read() as s:
            state = s.get(SyncState, 1)
        if state is None:
            summary.errors.append("this desk is not enrolled with a district server")
            summary.pending = self.pending_count()
            return summary
        profile = self._profiles.require()
        self._mark_attempt()
        try:
            with self._transport_factory(state.server_url, state.token, state.ca_file) as transport:
                summary.pushed = self._push_all(transport)
                summary.online = True
                summary.pulled = self._pull_all(transport, profile.agency_code, profile.desk_number)
        except UnauthorizedError as exc:
            summary.errors.append(f"credential refused ({exc.detail}); enrol this desk again")
        except RejectedError as exc:
            summary.online = True
            summary.errors.append(f"the server refused the data: {exc.detail}")
        except UnreachableError as exc:
            summary.errors.append(f"server unreachable: {exc}")
        except SyncTransportError as exc:  # pragma: no cover - all kinds are handled above
            summary.errors.append(str(exc))
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
                state.last_error_at = now
            else:
                state.last_success_at = now
                state.last_error = None

    def _push_all(self, transport: Transport) -> int:
        pushed = 0
        while True:
            with self._db.read() as s:
                batch = list(
                    s.scalars(
                        select(Event)
                        .where(Event.is_local.is_(True), Event.pushed_at.is_(None))
                        .order_by(Event.seq)
                        .limit(PUSH_BATCH)
                    )
                )
            if not batch:
                return pushed
            answer = transport.push([envelope(e) for e in batch])
            wanted = {e.uuid for e in batch}
            acked = wanted & {str(u) for u in answer["acknowledged"]}
            if acked:
                with self._db.write() as s:
                    s.execute(
                        update(Event)
                        .where(Event.uuid.in_(acked), Event.pushed_at.is_(None))
                        .values(pushed_at=utc_naive(self._clock))
                    )
                pushed += len(acked)
            if acked != wanted:
                raise UnreachableError(
                    f"the server acknowledged {len(acked)} of {len(wanted)} events; will retry"
                )

    def _pull_all(self, transport: Transport, agency: str, desk: int) -> int:
        pulled = 0
        while True:
            with self._db.read() as s:
                state = s.get(SyncState, 1)
                assert state is not None
                cursor = state.pull_cursor
            page = transport.pull(cursor, PULL_PAGE)
            events = page["events"]
            next_cursor = int(page.get("next_cursor", cursor))
            with self._db.write() as s:
                pulled += apply_page(s, events, agency, desk, utc_naive(self._clock))
                state = s.get(SyncState, 1)
                assert state is not None
                state.pull_cursor = max(state.pull_cursor, next_cursor)
            if not page.get("has_more") or not events:
                return pulled


# ---------------------------------------------------------------------- applying


def apply_page(
    s: Session, envelopes: list[dict[str, Any]], agency: str, desk: int, now_utc: dt.datetime
) -> int:
    """Store the feed's events not yet here and apply them; returns how many were new."""
    new = 0
    touched: set[str] = set()
    for env in envelopes:
        existing = s.scalar(select(Event).where(Event.uuid == env["uuid"]))
        server_seq = int(env["server_seq"])
        if existing is not None:
            if existing.server_seq is None:
                existing.server_seq = server_seq
            if existing.is_local and existing.pushed_at is None:
                existing.pushed_at = now_utc  # the server has it: its answer had been lost
            if existing.dossier_uuid:
                touched.add(existing.dossier_uuid)
            continue
        origin = env["origin"]
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
        s.flush()
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
