"""``desk-app holidays``: extra days off and make-up working days (ngày nghỉ, ngày làm bù)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import (
    Parser,
    acting_officer,
    date_arg,
    nonempty_arg,
    officer_option,
    open_desk,
    year_arg,
)

if TYPE_CHECKING:
    from desk_app.calendar import OverrideKind


def cmd_holidays_add(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission

    kind: OverrideKind = "day_off" if args.holidays_command == "add-day-off" else "working_day"
    ctx = open_desk(args)
    try:
        ctx.profiles.require()  # a desk not set up says so before asking who acts
        officer = acting_officer(ctx, args, admin_default=True)
        officer.require(Permission.ADMINISTER)
        ctx.calendar_admin.add_override(args.date, kind, args.reason, actor=officer.username)
    finally:
        ctx.close()
    label = "day off" if kind == "day_off" else "working day"
    print(f"{args.date.isoformat()} is now a {label}: {args.reason.strip()}")
    return 0


def cmd_holidays_clear(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission

    ctx = open_desk(args)
    try:
        ctx.profiles.require()
        officer = acting_officer(ctx, args, admin_default=True)
        officer.require(Permission.ADMINISTER)
        ctx.calendar_admin.clear_override(args.date, actor=officer.username)
    finally:
        ctx.close()
    print(f"{args.date.isoformat()} follows the official calendar again")
    return 0


def cmd_holidays_list(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
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


def register(sub: Any) -> None:
    p = sub.add_parser("holidays", help="days off and make-up working days")
    hsub = p.add_subparsers(
        dest="holidays_command", metavar="ACTION", required=True, parser_class=Parser
    )
    for name, help_text in (
        ("add-day-off", "declare an extra official day off"),
        ("add-working-day", "declare a make-up working day (e.g. a Saturday)"),
    ):
        h = hsub.add_parser(name, help=help_text)
        h.add_argument("date", type=date_arg, metavar="DATE")
        h.add_argument("--reason", required=True, type=nonempty_arg)
        officer_option(h)  # an administrator declares it, in their own name
        h.set_defaults(func=cmd_holidays_add)
    h = hsub.add_parser("clear", help="withdraw a day's override: back to the official calendar")
    h.add_argument("date", type=date_arg, metavar="DATE")
    officer_option(h)
    h.set_defaults(func=cmd_holidays_clear)
    h = hsub.add_parser("list", help="the year's days off and make-up days")
    h.add_argument("--year", required=True, type=year_arg)
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_holidays_list)
