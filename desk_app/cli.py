"""The ``desk-app`` command line.

``desk-app`` alone opens the GUI (found through the ``desk_app.gui`` entry point, so the
core never imports the UI package). Every other command works headless on the same
database and services as the GUI. Bad input exits with status 2 and one line on stderr
naming what is wrong, before anything is written; an operational failure exits 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desk_app import __version__
from desk_app.config import DATA_DIR_ENV, resolve_data_dir
from desk_app.errors import DeskOperationalError

if TYPE_CHECKING:
    from desk_app.calendar import Duration, OverrideKind
    from desk_app.context import DeskContext

# Heavy modules (SQLAlchemy, holidays) are imported inside the commands: ``desk-app``
# alone must show its window fast, and that path needs none of them.
DEFAULT_CODE_PATTERN = "{agency}-{yymmdd}-{desk:1d}{seq:03d}"

PROG = "desk-app"


class UsageError(Exception):
    """Bad input from the command line: exit 2 with this one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: scripts log it, people read it.
        self.exit(2, f"{self.prog}: error: {message}\n")


# ------------------------------------------------------------------ argument types


_YEARS = range(1990, 2101)  # the calendar's range: holidays are known for these years


def _date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if value.year not in _YEARS:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years 1990–2100")
    return value


def _datetime(text: str) -> dt.datetime:
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


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give zero or more")
    return value


def _count(text: str) -> int:
    """A duration count: zero or more, and below ten years of days."""
    value = _whole(text)
    if value > 3650:
        raise argparse.ArgumentTypeError(f"{value} is unreasonably large (at most 3650)")
    return value


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1990 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"year {value} is outside 1990–2100")
    return value


def _nonempty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


# ------------------------------------------------------------------ commands


def _open(args: argparse.Namespace) -> DeskContext:
    from desk_app.context import DeskContext

    return DeskContext.open(resolve_data_dir(args.data_dir))


def cmd_gui(args: argparse.Namespace) -> int:
    found = entry_points(group="desk_app.gui")
    if not found:
        raise RuntimeError("the GUI is not installed (no desk_app.gui entry point)")
    run: Callable[[Path], int] = next(iter(found)).load()
    return run(resolve_data_dir(args.data_dir))


def cmd_init(args: argparse.Namespace) -> int:
    from desk_app.calendar import OfficeHours, parse_hhmm
    from desk_app.clock import utc_naive
    from desk_app.dossier_code import CodePatternError
    from desk_app.profile import Profile, ProfileError

    try:
        hours = OfficeHours.parse(args.office_hours)
        cutoff = parse_hhmm(args.same_day_cutoff)
        profile = Profile(
            commune_name=args.commune,
            province=args.province,
            agency_code=args.agency_code,
            desk_number=args.desk,
            office_hours=hours,
            same_day_cutoff=cutoff,
            dossier_code_pattern=args.code_pattern,
            result_place=args.result_place or "",
        )
        profile.validate()
    except (ValueError, ProfileError, CodePatternError) as exc:
        raise UsageError(str(exc)) from exc
    ctx = _open(args)
    try:
        ctx.profiles.save(profile, utc_naive(ctx.clock))
    except ProfileError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        ctx.close()
    print(f"desk {profile.desk_number} of {profile.commune_name} ({profile.agency_code}) is set up")
    return 0


def cmd_procedures(args: argparse.Namespace) -> int:
    from desk_app.clock import local_now

    ctx = _open(args)
    try:
        procs = ctx.catalogue.in_force(args.on or local_now(ctx.clock).date())
    finally:
        ctx.close()
    if args.json:
        rows = []
        for p in procs:
            row = p.to_json()
            row["duration"] = _duration_text(p.duration)
            row["duration_kind"] = p.duration.kind
            row["duration_value"] = p.duration.value
            # For administrators: where the values come from and what to check.
            row["admin_review"] = p.admin_json()
            rows.append(row)
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for p in procs:
            print(f"{p.code:<12} {p.field:<16} {_duration_text(p.duration):<22} {p.name}")
    return 0


def _duration_text(d: Duration) -> str:
    match d.kind:
        case "working_days":
            return f"{d.value} working days"
        case "working_hours":
            return f"{d.value} working hours"
        case "calendar_days":
            return f"{d.value} days"
        case "same_day":
            return "same day"
    return "no fixed date"


def cmd_due_date(args: argparse.Namespace) -> int:
    from desk_app.calendar import Duration

    if args.same_day:
        duration = Duration("same_day")
    elif args.working_hours is not None:
        duration = Duration("working_hours", args.working_hours)
    else:
        duration = Duration("working_days", args.working_days)
    ctx = _open(args)
    try:
        calendar = ctx.profiles.calendar()
    finally:
        ctx.close()
    due = calendar.due_at(args.received, duration)
    assert due is not None
    print(due.isoformat(timespec="minutes"))
    return 0


def cmd_holidays_add(args: argparse.Namespace) -> int:
    from desk_app.calendar_admin import OverrideError

    kind: OverrideKind = "day_off" if args.holidays_command == "add-day-off" else "working_day"
    ctx = _open(args)
    try:
        ctx.calendar_admin.add_override(args.date, kind, args.reason, actor=args.actor)
    except (OverrideError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    finally:
        ctx.close()
    label = "day off" if kind == "day_off" else "working day"
    print(f"{args.date.isoformat()} is now a {label}: {args.reason.strip()}")
    return 0


def cmd_holidays_list(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
        days = ctx.calendar_admin.year(args.year)
    finally:
        ctx.close()
    if args.json:
        rows = [
            {
                "date": d.day.isoformat(),
                "working": d.working,
                "source": d.source,
                "reason": d.reason,
            }
            for d in days
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for d in days:
        status = "working day" if d.working else "day off"
        print(f"{d.day.isoformat()}  {d.day:%a}  {status:<11}  {d.source:<15}  {d.reason}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from desk_app.demo import seed_demo
    from desk_app.profile import NotInitializedError

    ctx = _open(args)
    try:
        ctx.profiles.require()
        result = seed_demo(ctx, args.dossiers, seed=args.seed, progress=_stderr_progress)
    except NotInitializedError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        ctx.close()
    print(json.dumps(result))
    return 0


def _stderr_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{done:>9}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Reception desk (Bộ phận Một cửa) of a commune People's Committee. "
        "Without a command, opens the desk window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"folder of the desk database (default: ${DATA_DIR_ENV}, else the user data folder)",
    )
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("init", help="first-run set-up of this desk, headless")
    p.add_argument("--commune", required=True, type=_nonempty, help='e.g. "Xã Tân Phú"')
    p.add_argument("--province", required=True, type=_nonempty)
    p.add_argument("--agency-code", required=True, help="QCVN 102 code, e.g. 000.20.33.H12")
    p.add_argument("--desk", required=True, type=_positive, help="desk number, 1–9 by default")
    p.add_argument("--office-hours", default="07:30-11:30,13:00-17:00")
    p.add_argument("--same-day-cutoff", default="15:00")
    p.add_argument("--code-pattern", default=DEFAULT_CODE_PATTERN)
    p.add_argument("--result-place", help="where citizens collect results")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("procedures", help="the procedure catalogue in force")
    p.add_argument("--json", action="store_true", help="a JSON list of objects")
    p.add_argument("--on", type=_date, help="the catalogue in force on this date (default today)")
    p.set_defaults(func=cmd_procedures)

    p = sub.add_parser("due-date", help="the appointment for a dossier received at a time")
    p.add_argument("--received", required=True, type=_datetime, metavar="ISO_DATETIME")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=_count, metavar="N")
    g.add_argument("--same-day", action="store_true")
    g.add_argument("--working-hours", type=_count, metavar="N")
    p.set_defaults(func=cmd_due_date)

    p = sub.add_parser("holidays", help="days off and make-up working days")
    hsub = p.add_subparsers(
        dest="holidays_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    for name, help_text in (
        ("add-day-off", "declare an extra official day off"),
        ("add-working-day", "declare a make-up working day (e.g. a Saturday)"),
    ):
        h = hsub.add_parser(name, help=help_text)
        h.add_argument("date", type=_date, metavar="DATE")
        h.add_argument("--reason", required=True, type=_nonempty)
        h.add_argument(
            "--actor", default="admin", type=_nonempty, help="who declares it (for the record)"
        )
        h.set_defaults(func=cmd_holidays_add)
    h = hsub.add_parser("list", help="the year's days off and make-up days")
    h.add_argument("--year", required=True, type=_year)
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_holidays_list)

    p = sub.add_parser("seed-demo", help="fill the database with realistic demo dossiers")
    p.add_argument("--dossiers", required=True, type=_positive, metavar="N")
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_seed_demo)

    from desk_app import cli_dossiers

    cli_dossiers.register(sub)
    cli_dossiers.register_sync(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except DeskOperationalError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
