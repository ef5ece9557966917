"""The audit log (nhật ký truy cập): who viewed, printed, exported or changed what.

Append-only (database triggers refuse updates and deletes). Never give it a full CCCD:
``detail`` is free text, so callers pass masked numbers (``desk_app.cccd.mask_cccd``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db.engine import Database
from desk_app.db.models import AuditEntry

AuditAction = Literal[
    "login", "login_failed", "logout", "lock", "unlock", "view", "print", "export", "create",
    "change", "user_added", "account_locked", "account_unlocked", "backup", "restore",
]  # fmt: skip
# Account administration (``desk_app.accounts``), kept apart so other lists merge cleanly.
AccountAuditAction = Literal[
    "user_disabled", "user_enabled", "user_role_changed", "password_reset",
    "password_changed", "recovery_code_issued", "password_recovered", "profile_changed",
    "catalogue_loaded",
]  # fmt: skip


def record(
    session: Session,
    *,
    at_utc: dt.datetime,
    username: str,
    action: AuditAction | AccountAuditAction,
    object_type: str,
    object_ref: str,
    detail: str = "",
) -> None:
    """Add one entry inside the caller's transaction."""
    session.add(
        AuditEntry(
            at=at_utc.replace(tzinfo=None),
            username=username,
            action=action,
            object_type=object_type,
            object_ref=object_ref,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    username: str
    action: str
    object_type: str
    object_ref: str
    detail: str


def recent(db: Database, limit: int = 200, object_ref: str | None = None) -> list[AuditRow]:
    with db.read() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if object_ref is not None:
            q = q.where(AuditEntry.object_ref == object_ref)
        return [
            AuditRow(e.at, e.username, e.action, e.object_type, e.object_ref, e.detail)
            for e in s.scalars(q)
        ]
