"""The desk database: typed SQLAlchemy models.

Times: business times a citizen sees (``received_at``, ``due_at``…) are naive local
wall-clock times of the commune (Vietnam has one time zone and no daylight saving);
``events.occurred_at`` and audit times are UTC.

Sync (see ``desk_app.events``): every dossier and every change to it carries a
client-generated UUID, and each change appends one row to ``events`` in the same
transaction. ``events`` and ``audit_log`` are append-only; triggers created by the
migration refuse deletes and any update other than the sync bookkeeping columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class CommuneProfile(Base):
    """The single row describing this desk: commune, agency code, desk number, hours."""

    __tablename__ = "commune_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(32))
    desk_number: Mapped[int] = mapped_column(Integer)
    # [["07:30", "11:30"], ["13:00", "17:00"]]
    office_hours: Mapped[list[Any]] = mapped_column(JSON)
    same_day_cutoff: Mapped[dt.time] = mapped_column(Time)
    dossier_code_pattern: Mapped[str] = mapped_column(String(200))
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    result_place: Mapped[str] = mapped_column(String(300), default="")
    # The receipt's own words: the receiving unit's line and the notes under the
    # signatures; empty means the template's.
    receipt_unit_name: Mapped[str] = mapped_column(String(300), default="", server_default="")
    receipt_notes: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CatalogueVersion(Base):
    """One loaded procedure-catalogue file, in force from ``effective_from``."""

    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    source_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    procedures: Mapped[list[Procedure]] = relationship(
        back_populates="catalogue_version", lazy="raise", order_by="Procedure.id"
    )


class Procedure(Base):
    """A procedure (thủ tục hành chính) as published in one catalogue version."""

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("catalogue_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.id"))
    code: Mapped[str] = mapped_column(String(32), index=True)
    national_code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(100))
    # "working_days" | "same_day" | "working_hours" | "calendar_days" | "none"
    duration_kind: Mapped[str] = mapped_column(String(20))
    duration_value: Mapped[int | None] = mapped_column(Integer)
    duration_note: Mapped[str] = mapped_column(Text, default="")
    fee_text: Mapped[str] = mapped_column(Text, default="")
    # [{"name": ..., "kind": "original"|"copy"|"certified_copy", "count": 1}, ...]
    documents: Mapped[list[Any]] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Provenance for the administrator (never shown at intake): where the values come
    # from, how sure the reference is ("confirmed" | "likely"), and what to check:
    # [{"code": "duration_blank", "field": "duration", "detail": "..."}, ...]
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    confidence: Mapped[str | None] = mapped_column(String(16))
    review: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")

    catalogue_version: Mapped[CatalogueVersion] = relationship(
        back_populates="procedures", lazy="raise"
    )


class CalendarOverride(Base):
    """An official per-year exception: an extra day off, or a make-up working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    # "day_off" | "working_day"
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class User(Base):
    """An officer's login. Roles: officer, chair, admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Set when an administrator reset the password: the officer chooses a new one at
    # the next login before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class RecoveryCode(Base):
    """The one-time code printed at set-up with which a forgotten password of the last
    administrator is reset offline. Only its Argon2id hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Dossier(Base):
    """A citizen's dossier (hồ sơ), from receipt to the return of the result."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_received_at", "received_at"),
        Index("ix_dossiers_status_due_at", "status", "due_at"),
        Index("ix_dossiers_applicant_name_folded", "applicant_name_folded"),
        # the intake's warning: the same citizen and procedure in the last 30 days
        Index("ix_dossiers_cccd_procedure_received", "applicant_cccd", "procedure_code",
              "received_at"),
        Index("ix_dossiers_returned_at", "returned_at"),
        # the chair's backlog: every open dossier with what the backlog reads, alone
        Index(
            "ix_dossiers_open",
            "status", "due_at", "original_due_at", "received_at", "returned_at", "origin_desk",
            "procedure_code", "procedure_id", "holder", "received_by", "extension_count", "code",
            "applicant_name", "procedure_name",
            sqlite_where=text(
                "status IN ('received', 'in_progress', 'extended', 'waiting_supplement')"
            ),
        ),
    )  # fmt: skip

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    lookup_pin: Mapped[str] = mapped_column(String(12))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(String(300))
    # "received", "in_progress", "waiting_supplement", "extended", "stopped",
    # "withdrawn", "result_ready", "returned", "refused"
    status: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_name_folded: Mapped[str] = mapped_column(String(200))
    applicant_cccd: Mapped[str | None] = mapped_column(String(12))
    applicant_dob: Mapped[dt.date | None] = mapped_column(Date)
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_address: Mapped[str] = mapped_column(Text, default="")
    applicant_email: Mapped[str | None] = mapped_column(String(200))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_cccd: Mapped[str | None] = mapped_column(String(12))
    representative_phone: Mapped[str | None] = mapped_column(String(20))
    request_text: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[Any]] = mapped_column(JSON)
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str] = mapped_column(Text, default="")
    duration_kind: Mapped[str] = mapped_column(String(20))
    duration_value: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    received_by: Mapped[str] = mapped_column(String(64))
    received_by_name: Mapped[str] = mapped_column(String(200))
    origin_agency_code: Mapped[str] = mapped_column(String(32))
    origin_desk: Mapped[int] = mapped_column(Integer)
    register_line: Mapped[int | None] = mapped_column(Integer)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # The rest of the projection folded from the events (``desk_app.dossiers``): who
    # holds the dossier now, the appointment before any extension, the pauses of the
    # clock ([{"started_at", "ended_at", "reason"}], local times, oldest first) and, once
    # a result exists, whether it came "early", "on_time" or "late".
    holder: Mapped[str | None] = mapped_column(String(64))
    original_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pauses: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    classification: Mapped[str | None] = mapped_column(String(8))
    # When the result was ready and which ("approved" | "not_eligible"), and how many
    # extensions (Form 04) count: also folded from the events.
    result_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    extension_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IntakeOutcome(Base):
    """A visit that received no dossier: guided to complete it (Form 02, no clock) or
    refused (Form 03, with the reason). Kept from its ``intake.guided`` /
    ``intake.refused`` event (``uuid`` is the event's), so reports count them apart."""

    __tablename__ = "intake_outcomes"
    __table_args__ = (Index("ix_intake_outcomes_at", "at"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    # "guided" | "refused"
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(String(300))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_name_folded: Mapped[str] = mapped_column(String(200))
    applicant_cccd: Mapped[str | None] = mapped_column(String(12))
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_address: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "reason"}]: what the citizen must add (guided)
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    officer: Mapped[str] = mapped_column(String(64))
    officer_name: Mapped[str] = mapped_column(String(200))
    origin_agency_code: Mapped[str] = mapped_column(String(32))
    origin_desk: Mapped[int] = mapped_column(Integer)


class DirectoryEntry(Base):
    """Who a dossier can be handed to: an officer or a unit the administrator keeps
    (commune data: set by ``directory.entry_set`` events, the same on every desk)."""

    __tablename__ = "handover_directory"

    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # "officer" | "unit"
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    unit: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC


class CommuneSetting(Base):
    """A commune-wide setting (``commune.setting_set`` events, the same on every desk):
    the pause rule, the extension limit, the satisfaction scale."""

    __tablename__ = "commune_settings"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC


class IntakeDraft(Base):
    """A half-filled intake form an officer chose to keep (at logout or when closing the
    window), given back at their next login: one per officer."""

    __tablename__ = "intake_drafts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)


class DossierCodeCounter(Base):
    """Per-desk, per-day sequence behind dossier codes (see ``desk_app.dossier_code``)."""

    __tablename__ = "dossier_code_counters"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    desk_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """One recorded change, append-only; the unit that syncs to the district server.

    ``seq`` is this database's order. Events recorded here (``is_local``) wait in the
    outbox until the server acknowledges them (``pushed_at``); events pulled from the
    server carry the ``server_seq`` it assigned.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_outbox", "is_local", "pushed_at", "seq"),
        Index("ix_events_dossier_uuid_seq", "dossier_uuid", "seq"),
        UniqueConstraint("origin_agency_code", "origin_desk", "origin_seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_uuid: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(64))
    # The version of the kind's payload schema (``event_schema``); today's kinds are 1.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    origin_agency_code: Mapped[str] = mapped_column(String(32))
    origin_desk: Mapped[int] = mapped_column(Integer)
    origin_seq: Mapped[int] = mapped_column(Integer)
    is_local: Mapped[bool] = mapped_column(Boolean)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    server_seq: Mapped[int | None] = mapped_column(Integer, unique=True)


class AuditEntry(Base):
    """Who viewed, printed, exported or changed what — append-only, never a full CCCD."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_ref: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")


class RegisterCounter(Base):
    """Per-desk, per-year line numbers of the tracking register (Sổ theo dõi hồ sơ)."""

    __tablename__ = "register_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_line: Mapped[int] = mapped_column(Integer)


class Receipt(Base):
    """The receipt (Giấy tiếp nhận, Form 01) exactly as issued, for identical reprints."""

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_dossier_uuid", "dossier_uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_uuid: Mapped[str] = mapped_column(ForeignKey("dossiers.uuid"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class SyncState(Base):
    """This desk's link to the district server: credential, pull cursor, last outcome."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    server_url: Mapped[str] = mapped_column(String(300))
    token: Mapped[str] = mapped_column(String(200))
    ca_file: Mapped[str | None] = mapped_column(String(500))
    desk_id: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The highest event number the server had for this desk number at enrolment: a
    # replacement machine numbers its events above it.
    origin_seq_floor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether one whole pull (this desk's own events included) has completed: the
    # restore of a new machine. Later pulls leave out our own events.
    full_pull_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Set when this database was restored from a backup: intake waits until the next
    # whole pull has raised the code and event sequences above the server's.
    restored_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The list of pulled events set aside changed since it was last reported upstream.
    set_aside_unreported: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class OutboxRejection(Base):
    """A recorded event the server refused (malformed for it): set aside with the reason,
    so that it cannot block the events behind it. Shown to the administrator."""

    __tablename__ = "outbox_rejections"

    event_uuid: Mapped[str] = mapped_column(ForeignKey("events.uuid"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    rejected_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutboxHold(Base):
    """A recorded event the server does not know yet (a kind or version newer than the
    server: ``event.unknown_kind``). Kept queued — never set aside — and sent again each
    round until an updated server takes it; shown as "máy chủ cần cập nhật"."""

    __tablename__ = "outbox_holds"

    event_uuid: Mapped[str] = mapped_column(ForeignKey("events.uuid"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_tried_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PulledSetAside(Base):
    """An event pulled from the commune's feed that this desk cannot apply: kept in the
    log, applied to nothing, with the reason and its code (``sync.event_unreadable``,
    ``sync.event_newer``, ``sync.code_not_origin_desk``, ``sync.code_taken``). Tried
    again every round, so an upgraded desk applies what it now can; reported to the
    district, whose operator may retract the event."""

    __tablename__ = "pulled_set_aside"

    event_uuid: Mapped[str] = mapped_column(ForeignKey("events.uuid"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    set_aside_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ImportKey(Base):
    """A line already imported by ``intake --json``: its ``import_id``, or the
    fingerprint of its content, and the dossier it made. Importing it again adds nothing."""

    __tablename__ = "import_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LoginAttempts(Base):
    """Wrong passwords in a row for a login name, and until when it must wait.

    Keyed by the name typed, not by account: an unknown name is counted and locked the
    same way, so neither the answer nor its timing tells whether the account exists.
    """

    __tablename__ = "login_attempts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC


class BackupSettings(Base):
    """Where the daily backups go, how many are kept, and how the last one went.

    The passphrase is never stored here: only a verifier (an Argon2id hash), which lets
    the app check a typed passphrase before it encrypts a backup nobody could restore.
    """

    __tablename__ = "backup_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str | None] = mapped_column(String(1000))
    keep: Mapped[int] = mapped_column(Integer, default=7)
    passphrase_verifier: Mapped[str | None] = mapped_column(String(200))
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC
    last_file: Mapped[str | None] = mapped_column(String(1000))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # UTC


# ------------------------------------------------------------------ report history
#
# The statistics report (Biểu II.06a) counts each term from the dossiers' events up to a
# moment in the past. Folding every dossier's events for every report would take minutes
# at a million dossiers, so ``desk_app.report_history`` keeps, per dossier, what its
# events say at every moment: a run of segments, each the state the cut-off fold gives
# from its start (the effective time of an event) until the next one. Times are local
# wall-clock seconds since 1970-01-01 00:00 (naive, as business times are) in integers:
# the rows stay small and the range scans cheap.


class ReportDossier(Base):
    """A dossier as the report history knows it: a small integer key, the moment of its
    first event (its receipt), and what a report groups and splits it by (copied from
    the dossier, so that a year's report never reads the big dossier rows)."""

    __tablename__ = "report_dossiers"
    __table_args__ = (Index("ix_report_dossiers_received", "received"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    received: Mapped[int] = mapped_column(Integer)
    # the state the receipt gave (refused or guided snapshots were never received)
    first_state: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(100), default="", server_default="")
    procedure_code: Mapped[str] = mapped_column(String(32), default="", server_default="")
    channel: Mapped[str] = mapped_column(String(16), default="", server_default="")


class ReportSegment(Base):
    """From ``valid_from`` until ``valid_to`` (exclusive; NULL: still), the dossier's
    events up to that moment fold to ``state`` with these dates."""

    __tablename__ = "report_segments"
    __table_args__ = (
        # The segments open or waiting for supplement, by their end: the period report's
        # backlog by age reads the dossiers in progress at a past moment through it.
        Index("ix_report_segments_alive", "valid_to", sqlite_where=text("state IN (1, 2)")),
        {"sqlite_with_rowid": False},
    )

    dossier_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_to: Mapped[int | None] = mapped_column(Integer)
    # desk_app.report_history.STATE_CODES
    state: Mapped[int] = mapped_column(Integer)
    original_due: Mapped[int | None] = mapped_column(Integer)
    # 1 early, 2 on time, 3 late (once resolved)
    classification: Mapped[int | None] = mapped_column(Integer)


class ReportRating(Base):
    """A satisfaction rating given at the return of a result, by whom it was recorded."""

    __tablename__ = "report_ratings"
    __table_args__ = (Index("ix_report_ratings_at", "at", "officer", "rating"),)

    dossier_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(String(64))
    rating: Mapped[str] = mapped_column(String(64))


class ReportDaily(Base):
    """The report's summary (``desk_app.report_history``): per metric, day (days since
    1970-01-01, local), field of work and procedure code, a count. Metrics below 100 are
    per day, the same plus 100 per month (``day`` is then the month's first day). Kept
    up to date with the segments, so a year's report sums a few thousand rows."""

    __tablename__ = "report_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    metric: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(100), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ReportComplex(Base):
    """A dossier that left a closed state (resolved, withdrawn, stopped) again: the
    summary does not count its closings; the report counts them from its segments."""

    __tablename__ = "report_complex"

    dossier_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ReportWatermark(Base):
    """The last event (``events.seq``) the report history has taken in."""

    __tablename__ = "report_watermark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
