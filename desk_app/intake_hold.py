"""Intake waits after a restore until the desk has its history back.

A backup is older than the server: the desk's codes and event numbers issued after it
live only there. A desk restored from a backup (``sync_state.restored_at`` set by
``desk_app.backup``) receives no dossier until one whole pull has brought its own events
back and raised its code and event sequences above them (``full_pull_done``, set by the
sync engine when the pull completes), so it can never issue a code or a number twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db.models import SyncState
from desk_app.errors import OperationalError


class IntakeHeldError(OperationalError):
    """Intake is held until the restored desk has synced its history."""

    default_code = "intake.held_after_restore"


HELD_MESSAGE = (
    "Máy vừa được khôi phục từ bản sao lưu: chưa được tiếp nhận hồ sơ cho đến khi đồng bộ "
    "xong với máy chủ huyện (để không cấp trùng mã hồ sơ). Hãy kết nối mạng và chạy đồng bộ."
)


def intake_held(session: Session) -> bool:
    row = session.execute(
        select(SyncState.restored_at, SyncState.full_pull_done).where(SyncState.id == 1)
    ).first()
    return row is not None and row.restored_at is not None and not row.full_pull_done


def require_intake_open(session: Session) -> None:
    """Raise ``IntakeHeldError`` while a restored desk has not pulled its history."""
    if intake_held(session):
        raise IntakeHeldError(HELD_MESSAGE)
