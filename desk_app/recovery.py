"""When the desk's database cannot be opened: what to tell the person, and the way back.

Issue 8: the app offers the last good backup when it finds the database damaged. The
command line names it (``backup.damaged_database_message``); the window shows an
``OpenFailure`` and, when restoring can help (a damaged file, or a key this account does
not hold), offers the last good backup or another file, through the same
``prepare_restore`` / ``apply_restore`` path as ``desk-app restore``.

Nothing is destroyed: the damaged file and its journals are set aside under a dated name
(``desk.sqlite3.damaged-YYYYmmdd-HHMMSS``) before the restored file takes its place, so a
stale write-ahead log of the damaged file is never replayed over the restored one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desk_app.backup import RestorePlan, apply_restore, last_good_entry, record_restore
from desk_app.clock import Clock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.errors import user_message
from desk_app.files import fsync_folder

if TYPE_CHECKING:
    from desk_app.context import DeskContext

DAMAGED_MESSAGE = "Cơ sở dữ liệu của quầy bị hỏng: phần mềm không đọc được tệp {0}."
DAMAGED_SUFFIX = ".damaged-"
#: who the audit names for a restore from the damaged-database screen: no account can be
#: proven on a database that cannot be read, the backup's passphrase is the gate
RESTORE_ACTOR = "restore"


@dataclass(frozen=True)
class GoodBackup:
    """A backup verified when it was written, still where it was written."""

    file: Path
    created_at: dt.datetime | None  # UTC
    dossiers: int | None


@dataclass(frozen=True)
class OpenFailure:
    """Why the database in ``data_dir`` did not open, in one plain Vietnamese line."""

    data_dir: Path
    message: str
    #: a backup can bring the desk back (the file is damaged, or its key is lost here)
    restorable: bool
    last_good: GoodBackup | None
    #: the file itself is damaged (not merely unreadable here for want of its key)
    damaged: bool = False


def is_damage(exc: BaseException) -> bool:
    """``exc``, raised opening a database, says its file is damaged (not locked, full,
    read-only, or without its key here: those say themselves what to do)."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from desk_app.db.cipher import DATABASE_ERRORS, OPERATIONAL_ERRORS
    from desk_app.db.keys import DatabaseKeyMissingError
    from desk_app.errors import StorageDamagedError

    if isinstance(exc, (OperationalError, *OPERATIONAL_ERRORS, DatabaseKeyMissingError)):
        return False
    return isinstance(exc, (StorageDamagedError, DatabaseError, *DATABASE_ERRORS))


def _parse_utc(value: object) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def last_good(data_dir: Path) -> GoodBackup | None:
    """The newest verified backup that is still where it was written."""
    entry = last_good_entry(data_dir)
    if entry is None:
        return None
    dossiers = entry.get("dossiers")
    return GoodBackup(
        Path(str(entry["file"])),
        _parse_utc(entry.get("created_at")),
        dossiers if isinstance(dossiers, int) else None,
    )


def describe_open_failure(data_dir: Path, exc: BaseException) -> OpenFailure:
    """What the window says about ``exc``, raised by ``DeskContext.open(data_dir)``."""
    from desk_app.db.keys import DatabaseKeyMissingError

    if is_damage(exc):
        message = DAMAGED_MESSAGE.format(data_dir / DATABASE_FILE)
        return OpenFailure(data_dir, message, True, last_good(data_dir), damaged=True)
    if isinstance(exc, DatabaseKeyMissingError):
        return OpenFailure(data_dir, exc.message, True, last_good(data_dir))
    return OpenFailure(data_dir, user_message(exc), False, None)


def _set_aside_journals(db_file: Path, aside: Path) -> None:
    for suffix in ("-wal", "-shm"):
        journal = db_file.with_name(db_file.name + suffix)
        if journal.exists():
            os.replace(journal, aside.with_name(aside.name + suffix))


def restore_over_damaged(plan: RestorePlan, clock: Clock) -> Path | None:
    """Put the verified backup of ``plan`` in place of a database that cannot be opened.

    The damaged file (and its journals) is kept beside, under a dated name, returned;
    None when there was no file. Nothing is replaced when the backup cannot be put in
    place (``apply_restore`` refuses whole).
    """
    db_file = plan.data_dir / DATABASE_FILE
    aside = db_file.with_name(f"{DATABASE_FILE}{DAMAGED_SUFFIX}{utc_naive(clock):%Y%m%d-%H%M%S}")
    _set_aside_journals(db_file, aside)
    try:
        kept = apply_restore(plan, clock)
    finally:
        plan.discard()
    if kept is None:
        return None
    os.replace(kept, aside)
    fsync_folder(plan.data_dir)
    return aside


@dataclass
class Restored:
    """The desk opened on the restored database, and where the damaged file went."""

    context: DeskContext
    damaged_kept: Path | None


def restore_and_open(plan: RestorePlan, clock: Clock) -> Restored:
    """``restore_over_damaged``, then open the restored desk and audit the restore in it."""
    from desk_app.context import DeskContext

    kept = restore_over_damaged(plan, clock)
    ctx = DeskContext.open(plan.data_dir, clock)
    try:
        record_restore(ctx, plan, RESTORE_ACTOR)
    except BaseException:
        ctx.close()
        raise
    return Restored(ctx, kept)
