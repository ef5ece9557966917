"""``desk-app`` commands about the desk itself: the window, first-run set-up, the
procedure catalogue, due dates and demo data."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
    acting_officer,
    count_arg,
    date_arg,
    datetime_arg,
    nonempty_arg,
    officer_option,
    open_desk,
    positive_arg,
)
from desk_app.config import resolve_data_dir
from desk_app.errors import OperationalError

DEFAULT_CODE_PATTERN = "{agency}-{yymmdd}-{desk:1d}{seq:03d}"


def cmd_gui(args: argparse.Namespace) -> int:
    found = entry_points(group="desk_app.gui")
    if not found:
        raise OperationalError(
            "giao diện cửa sổ chưa được cài (thiếu entry point desk_app.gui)",
            code="gui.not_installed",
        )
    run: Callable[[Path], int] = next(iter(found)).load()
    return run(resolve_data_dir(args.data_dir))


def cmd_init(args: argparse.Namespace) -> int:
    from desk_app.calendar import OfficeHours, parse_hhmm
    from desk_app.clock import utc_naive
    from desk_app.profile import Profile

    profile = Profile(
        commune_name=args.commune,
        province=args.province,
        agency_code=args.agency_code,
        desk_number=args.desk,
        office_hours=OfficeHours.parse(args.office_hours),
        same_day_cutoff=parse_hhmm(args.same_day_cutoff),
        dossier_code_pattern=args.code_pattern,
        result_place=args.result_place or "",
    )
    profile.validate()  # before the database is created: bad input leaves nothing behind
    ctx = open_desk(args)
    try:
        if ctx.users.has_users():
            # The first set-up has no one to ask; changing a staffed desk is an
            # administrator's act.
            from desk_app.auth import Permission

            acting_officer(ctx, args, admin_default=True).require(Permission.ADMINISTER)
        ctx.profiles.save(profile, utc_naive(ctx.clock))
    finally:
        ctx.close()
    print(f"desk {profile.desk_number} of {profile.commune_name} ({profile.agency_code}) is set up")
    return 0


def cmd_procedures(args: argparse.Namespace) -> int:
    from desk_app.clock import local_now
    from desk_app.vocabulary import duration_text

    ctx = open_desk(args)
    try:
        procs = ctx.catalogue.in_force(args.on or local_now(ctx.clock).date())
    finally:
        ctx.close()
    if args.json:
        rows = []
        for p in procs:
            row = p.to_json()
            row["duration"] = duration_text(p.duration)
            row["duration_kind"] = p.duration.kind
            row["duration_value"] = p.duration.value
            # For administrators: where the values come from and what to check.
            row["admin_review"] = p.admin_json()
            rows.append(row)
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for p in procs:
            print(f"{p.code:<12} {p.field:<16} {duration_text(p.duration):<22} {p.name}")
    return 0


def cmd_due_date(args: argparse.Namespace) -> int:
    from desk_app.calendar import Duration

    if args.same_day:
        duration = Duration("same_day")
    elif args.working_hours is not None:
        duration = Duration("working_hours", args.working_hours)
    else:
        duration = Duration("working_days", args.working_days)
    ctx = open_desk(args)
    try:
        calendar = ctx.profiles.calendar()
    finally:
        ctx.close()
    due = calendar.due_at(args.received, duration)
    assert due is not None
    print(due.isoformat(timespec="minutes"))
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission
    from desk_app.demo import seed_demo

    ctx = open_desk(args)
    try:
        ctx.profiles.require()
        acting_officer(ctx, args, admin_default=True).require(Permission.ADMINISTER)
        result = seed_demo(ctx, args.dossiers, seed=args.seed, progress=_stderr_progress)
    finally:
        ctx.close()
    print(json.dumps(result))
    return 0


def _stderr_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{done:>9}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def cmd_quick_reference(args: argparse.Namespace) -> int:
    from desk_app.files import check_output_path, write_output
    from desk_app.guide import quick_reference_pdf

    out = Path(args.out)
    check_output_path(out)
    write_output(out, quick_reference_pdf())
    print(out)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="first-run set-up of this desk, headless")
    p.add_argument("--commune", required=True, type=nonempty_arg, help='e.g. "Xã Tân Phú"')
    p.add_argument("--province", required=True, type=nonempty_arg)
    p.add_argument("--agency-code", required=True, help="QCVN 102 code, e.g. 000.20.33.H12")
    p.add_argument("--desk", required=True, type=positive_arg, help="desk number, 1–9 by default")
    p.add_argument("--office-hours", default="07:30-11:30,13:00-17:00")
    p.add_argument("--same-day-cutoff", default="15:00")
    p.add_argument("--code-pattern", default=DEFAULT_CODE_PATTERN)
    p.add_argument("--result-place", help="where citizens collect results")
    officer_option(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("procedures", help="the procedure catalogue in force")
    p.add_argument("--json", action="store_true", help="a JSON list of objects")
    p.add_argument(
        "--on", type=date_arg, help="the catalogue in force on this date (default today)"
    )
    p.set_defaults(func=cmd_procedures)

    p = sub.add_parser("due-date", help="the appointment for a dossier received at a time")
    p.add_argument("--received", required=True, type=datetime_arg, metavar="ISO_DATETIME")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=count_arg, metavar="N")
    g.add_argument("--same-day", action="store_true")
    g.add_argument("--working-hours", type=count_arg, metavar="N")
    p.set_defaults(func=cmd_due_date)

    p = sub.add_parser("seed-demo", help="fill the database with realistic demo dossiers")
    p.add_argument("--dossiers", required=True, type=positive_arg, metavar="N")
    p.add_argument("--seed", type=int, default=2026)
    officer_option(p)
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("quick-reference", help="the one-page quick reference for the desk (PDF)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(func=cmd_quick_reference)
