"""The audit log as the administrator reads it (nhật ký truy cập): who viewed, printed,
exported or changed what and when, filtered by officer, object (a dossier code) and
date, and exported to CSV. Reading it is an administrator's right; exporting it is itself
audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select

from desk_app import audit
from desk_app.audit import AuditRow
from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import AuditEntry
from desk_app.errors import InvalidInputError

MAX_ROWS = 5000


class AuditFilterError(InvalidInputError):
    default_code = "audit.filter"


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    object_ref: str | None = None  # a dossier code, or part of one
    date_from: dt.date | None = None  # local days
    date_to: dt.date | None = None


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LOCAL_ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def local_time(at_utc: dt.datetime) -> dt.datetime:
    return at_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)


class AuditLogService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def search(
        self, officer: Officer, filters: AuditFilter, limit: int = MAX_ROWS
    ) -> list[AuditRow]:
        """Newest first; times are local."""
        officer.require(Permission.ADMINISTER)
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            raise AuditFilterError("khoảng ngày không hợp lệ: ngày cuối trước ngày đầu")
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if filters.username:
            q = q.where(AuditEntry.username == filters.username.strip().lower())
        if filters.object_ref:
            q = q.where(AuditEntry.object_ref.contains(filters.object_ref.strip()))
        if filters.date_from:
            q = q.where(AuditEntry.at >= _utc(filters.date_from))
        if filters.date_to:
            q = q.where(AuditEntry.at < _utc(filters.date_to + dt.timedelta(days=1)))
        with self._db.read() as s:
            return [
                AuditRow(
                    local_time(e.at), e.username, e.action, e.object_type, e.object_ref, e.detail
                )
                for e in s.scalars(q)
            ]

    def usernames(self, officer: Officer) -> list[str]:
        officer.require(Permission.ADMINISTER)
        with self._db.read() as s:
            return list(
                s.scalars(select(AuditEntry.username).distinct().order_by(AuditEntry.username))
            )

    def export_csv(self, officer: Officer, filters: AuditFilter) -> bytes:
        """The filtered entries as CSV (UTF-8 with a BOM, so spreadsheet programs read the
        Vietnamese right); the export is audited."""
        rows = self.search(officer, filters, limit=1_000_000)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["thoi_gian", "can_bo", "hanh_dong", "doi_tuong", "ma", "chi_tiet"])
        for r in rows:
            writer.writerow(
                [r.at.isoformat(sep=" ", timespec="seconds"), r.username, r.action,
                 r.object_type, r.object_ref, r.detail]
            )  # fmt: skip
        with self._db.write() as s:
            audit.record(
                s,
                at_utc=utc_naive(self._clock),
                username=officer.username,
                action="export",
                object_type="audit_log",
                object_ref="csv",
                detail=f"{len(rows)} dòng",
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")
