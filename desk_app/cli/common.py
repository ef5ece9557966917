"""What every ``desk-app`` command shares: the parser class, the argument types, opening
the desk, and who acts (``--officer`` and that officer's password).

Officers prove who they are: every command that reads or changes the desk's records acts
as ``--officer NAME`` (or ``$DESK_APP_OFFICER``; a desk with one account uses it) with
that officer's password from ``$DESK_APP_PASSWORD``, ``--password-file FILE`` (its first
line) or a prompt on the terminal — never from standard input, which ``intake --json -``
and ``users add`` read. A wrong password exits 4 and counts towards the lock-out like a
wrong password at the window's login (``UserService.authenticate``).

The command modules import this one and never each other; ``desk_app.cli`` (the package)
assembles them. An import-linter contract keeps it so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
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
PASSWORD_ENV = "DESK_APP_PASSWORD"


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


def officer_option(p: argparse.ArgumentParser, *, name: bool = True) -> None:
    """``--officer NAME`` (unless ``name`` is false) and ``--password-file FILE``."""
    if name:
        p.add_argument("--officer", metavar="NAME", help=f"acting account (default ${OFFICER_ENV})")
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"the acting officer's password, on its first line (default ${PASSWORD_ENV}, "
        "else asked on the terminal)",
    )


# ------------------------------------------------------------------ the desk


def open_desk(args: argparse.Namespace) -> DeskContext:
    """The desk's services on the database ``--data-dir`` names."""
    return open_desk_at(resolve_data_dir(args.data_dir))


def open_desk_at(data_dir: Path) -> DeskContext:
    """The desk's services; a damaged database is reported with the last good backup."""
    # Imported here: ``desk-app`` alone must show its window fast, and that path needs
    # neither SQLAlchemy nor the services.
    from sqlalchemy.exc import DatabaseError, OperationalError

    from desk_app.context import DeskContext
    from desk_app.db.cipher import DATABASE_ERRORS, OPERATIONAL_ERRORS
    from desk_app.db.keys import DatabaseKeyMissingError
    from desk_app.errors import StorageDamagedError

    damage: tuple[type[BaseException], ...] = (StorageDamagedError, DatabaseError, *DATABASE_ERRORS)
    try:
        ctx = DeskContext.open(data_dir)
    except damage as exc:
        if isinstance(exc, (OperationalError, *OPERATIONAL_ERRORS, DatabaseKeyMissingError)):
            raise  # locked, full, read-only: not damage; a lost key says what to do itself
        from desk_app.backup import damaged_database_message

        raise StorageDamagedError(damaged_database_message(data_dir)) from exc
    ctx.db.on_audit_lost = _warn_audit_lost
    if ctx.upgrade is not None and ctx.upgrade.upgraded:
        # Once, on the command that found the older database: scripts read stdout.
        print(f"{PROG}: {ctx.upgrade.summary()}", file=sys.stderr)
    return ctx


def _warn_audit_lost(exc: Exception) -> None:
    # Told once, after the command's output (``desk_app.cli.main``), and only when the
    # command succeeded: the read went ahead, and the person knows it left no trace.
    notice = (
        f"{PROG}: cảnh báo: không ghi được nhật ký truy cập ({exc}); "
        "dữ liệu vẫn được đọc và hiển thị"
    )
    if notice not in AUDIT_LOST:
        AUDIT_LOST.append(notice)


AUDIT_LOST: list[str] = []


def acting_officer(
    ctx: DeskContext,
    args: argparse.Namespace,
    *,
    name: str | None = None,
    admin_default: bool = False,
) -> Officer:
    """Who acts, proven by password: ``name`` if given, else ``--officer NAME`` (or
    ``$DESK_APP_OFFICER``); without one, a desk's only active account (only active
    administrator when ``admin_default``). The password comes from ``officer_password``.

    A wrong password, an unknown or disabled name, or a name waiting after wrong passwords
    is refused (exit 4) the same way and in the same time as at the window's login, and
    counts towards the lock-out. A desk with no account yet refuses: only ``init`` and the
    first ``users add`` act without one.
    """
    from desk_app.auth import Role

    chosen = (name or getattr(args, "officer", None) or os.environ.get(OFFICER_ENV) or "").strip()
    if not chosen:
        accounts = [(o, active) for o, active, _ in ctx.users.list()]
        if not accounts:
            raise RefusedError(
                "bàn tiếp nhận chưa có tài khoản nào: hãy tạo tài khoản quản trị trước "
                "(`desk-app users add TÊN --role admin`)",
                code="auth.no_accounts",
            )
        candidates = [
            o for o, active in accounts if active and (not admin_default or o.role is Role.ADMIN)
        ]
        if len(candidates) != 1:
            flag = "--by" if admin_default else "--officer"
            raise UsageError(f"có nhiều tài khoản: hãy chỉ rõ bằng {flag} hoặc ${OFFICER_ENV}")
        chosen = candidates[0].username
    return ctx.users.authenticate(chosen, officer_password(args, chosen.lower()))


def officer_password(args: argparse.Namespace, name: str) -> str:
    """The acting officer's password: ``--password-file`` (first line), else
    ``$DESK_APP_PASSWORD``, else asked on the terminal. Never read from standard input."""
    path = getattr(args, "password_file", None)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise UsageError(f"{path}: không đọc được tệp mật khẩu") from None
        first = text.splitlines()[0] if text else ""
        if not first:
            raise UsageError(f"{path}: tệp mật khẩu trống")
        return first
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if _terminal_available():
        try:
            return getpass.getpass(f"Mật khẩu của {name}: ")
        except EOFError:
            pass
    raise RefusedError(
        f"cần mật khẩu của {name}: đặt ${PASSWORD_ENV}, dùng --password-file, "
        "hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập",
        code="auth.password_missing",
    )


def _terminal_available() -> bool:
    """Whether a prompt can reach a person without touching standard input."""
    if sys.platform == "win32":
        # getpass reads the console itself (msvcrt), whatever standard input is.
        return any(s is not None and s.isatty() for s in (sys.stdin, sys.stderr))
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False  # getpass would fall back to standard input: never
    os.close(fd)
    return True


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
