"""What every ``desk-app`` command shares: the parser class, the argument types, opening
the desk, and who acts (``--officer``).

The command modules import this one and never each other; ``desk_app.cli`` (the package)
assembles them. An import-linter contract keeps it so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desk_app.config import resolve_data_dir
from desk_app.errors import InvalidInputError, RefusedError

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.context import DeskContext

PROG = "desk-app"
OFFICER_ENV = "DESK_APP_OFFICER"


class UsageError(InvalidInputError):
    """Bad input from the command line: exit 2 with this one line."""

    default_code = "cli.usage"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: scripts log it, people read it.
        self.exit(2, f"{self.prog}: error: {message}\n")


# ------------------------------------------------------------------ argument types


_YEARS = range(1990, 2101)  # the calendar's range: holidays are known for these years


def date_arg(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if value.year not in _YEARS:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years 1990–2100")
    return value


def datetime_arg(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time such as 2026-11-23T09:30"
        ) from None
    if value.tzinfo is not None:
        from desk_app.clock import LOCAL_ZONE

        value = value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    if value.year not in _YEARS:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years 1990–2100")
    return value


def whole_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give zero or more")
    return value


def count_arg(text: str) -> int:
    """A duration count: zero or more, and below ten years of days."""
    value = whole_arg(text)
    if value > 3650:
        raise argparse.ArgumentTypeError(f"{value} is unreasonably large (at most 3650)")
    return value


def positive_arg(text: str) -> int:
    value = whole_arg(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def year_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1990 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"year {value} is outside 1990–2100")
    return value


def nonempty_arg(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


def officer_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--officer", metavar="NAME", help=f"acting account (default ${OFFICER_ENV})")


# ------------------------------------------------------------------ the desk


def open_desk(args: argparse.Namespace) -> DeskContext:
    """The desk's services on the database ``--data-dir`` names."""
    return open_desk_at(resolve_data_dir(args.data_dir))


def open_desk_at(data_dir: Path) -> DeskContext:
    """The desk's services; a damaged database is reported with the last good backup."""
    # Imported here: ``desk-app`` alone must show its window fast, and that path needs
    # neither SQLAlchemy nor the services.
    import sqlite3

    from sqlalchemy.exc import DatabaseError, OperationalError

    from desk_app.context import DeskContext
    from desk_app.errors import StorageDamagedError

    try:
        ctx = DeskContext.open(data_dir)
    except (StorageDamagedError, DatabaseError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, OperationalError | sqlite3.OperationalError):
            raise  # locked, full, read-only: not damage
        from desk_app.backup import damaged_database_message

        raise StorageDamagedError(damaged_database_message(data_dir)) from exc
    if ctx.upgrade is not None and ctx.upgrade.upgraded:
        # Once, on the command that found the older database: scripts read stdout.
        print(f"{PROG}: {ctx.upgrade.summary()}", file=sys.stderr)
    return ctx


def acting_officer(ctx: DeskContext, args: argparse.Namespace) -> Officer:
    """Who acts: ``--officer NAME`` (or ``$DESK_APP_OFFICER``). Without it, a desk with
    exactly one account uses that one, and a desk with no account yet acts as ``cli``; a
    desk with several accounts must be told."""
    from desk_app.auth import Officer, Role

    name = (getattr(args, "officer", None) or os.environ.get(OFFICER_ENV) or "").strip().lower()
    accounts = [(o, active) for o, active, _ in ctx.users.list()]
    if name:
        for officer, active in accounts:
            if officer.username == name:
                if not active:
                    raise RefusedError(
                        f"tài khoản {name!r} đã bị khoá", code="auth.account_disabled"
                    )
                return officer
        raise UsageError(
            f"không có tài khoản {name!r} (xem `desk-app users list`)", code="auth.no_account"
        )
    active_accounts = [o for o, active in accounts if active]
    if not accounts:
        return Officer("cli", "Cán bộ tiếp nhận", Role.ADMIN)
    if len(active_accounts) == 1:
        return active_accounts[0]
    raise UsageError(f"có nhiều tài khoản: hãy chỉ rõ bằng --officer hoặc ${OFFICER_ENV}")


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
