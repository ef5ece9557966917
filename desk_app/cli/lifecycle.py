"""``desk-app event / correct / directory / settings / guide / refuse``: the dossier's
life after the receipt, from the command line.

``desk-app event CODE ACTION`` records one action (``handover``, ``request-supplement``,
``supplement-received``, ``extend``, ``withdraw``, ``stop``, ``result-ready``,
``not-eligible``, ``return``, ``annul``) acting as ``--officer NAME``; an action the
dossier's status does not allow is refused with the reason (exit 2), and so is an option
the action does not take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from desk_app.cli.common import (
    Parser,
    UsageError,
    acting_officer,
    datetime_arg,
    iso,
    nonempty_arg,
    officer_option,
    open_desk,
)
from event_schema import SETTING_KEYS

EVENT_ACTIONS = (
    "handover", "request-supplement", "supplement-received", "extend", "withdraw", "stop",
    "result-ready", "not-eligible", "return", "annul",
)  # fmt: skip

# Which options each action takes (beyond --at, which all but annul take).
_OPTIONS: dict[str, frozenset[str]] = {
    "handover": frozenset({"to", "note", "at"}),
    "request-supplement": frozenset({"reason", "item", "at"}),
    "supplement-received": frozenset({"note", "at"}),
    "extend": frozenset({"new_due", "reason", "at"}),
    "withdraw": frozenset({"reason", "at"}),
    "stop": frozenset({"reason", "at"}),
    "result-ready": frozenset({"note", "at"}),
    "not-eligible": frozenset({"reason", "at"}),
    "return": frozenset({"rating", "method", "note", "at"}),
    "annul": frozenset({"reason", "target"}),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "handover": ("to",),
    "request-supplement": ("reason",),
    "extend": ("new_due", "reason"),
    "stop": ("reason",),
    "not-eligible": ("reason",),
    "annul": ("reason",),
}
_FLAG = {"new_due": "--new-due", "item": "--item"}


def due_arg(text: str) -> dt.datetime | dt.date:
    """A new appointment: a date (the close of office that day) or a date and time."""
    if len(text.strip()) == 10:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    return datetime_arg(text)


def _details(args: argparse.Namespace) -> dict[str, Any]:
    action = args.action
    allowed = _OPTIONS[action]
    given = {
        name
        for name in ("to", "note", "reason", "item", "new_due", "rating", "method", "at", "target")
        if getattr(args, name) not in (None, [])
    }
    stray = sorted(given - allowed)
    if stray:
        flag = _FLAG.get(stray[0], f"--{stray[0]}")
        raise UsageError(f"thao tác {action} không nhận {flag}")
    for name in _REQUIRED.get(action, ()):
        if name not in given:
            raise UsageError(f"thao tác {action} cần {_FLAG.get(name, f'--{name}')}")
    details: dict[str, Any] = {}
    if "at" in given:
        details["at"] = args.at
    match action:
        case "handover":
            details.update(to=args.to, note=args.note or "")
        case "request-supplement":
            details.update(reason=args.reason, items=list(args.item or ()))
        case "supplement-received":
            details.update(note=args.note or "")
        case "extend":
            details.update(new_due=args.new_due, reason=args.reason)
        case "withdraw" | "stop" | "not-eligible":
            details.update(reason=args.reason or "")
        case "result-ready":
            details.update(reason=args.note or "")
        case "return":
            details.update(
                method=args.method or "desk", rating=args.rating, comment=args.note or ""
            )
        case "annul":
            details.update(reason=args.reason, target=args.target)
    return details


def cmd_event(args: argparse.Namespace) -> int:
    details = _details(args)  # before opening the desk: a usage error writes nothing
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        result = ctx.lifecycle.perform(args.code, args.action, officer, **details)
    finally:
        ctx.close()
    p = result.projection
    print(
        json.dumps(
            {
                "code": result.code,
                "event": result.event_uuid,
                "kind": result.kind,
                "status": p.status,
                "holder": p.holder,
                "due_at": iso(p.due_at),
                "original_due_at": iso(p.original_due_at),
                "classification": p.classification,
            },
            ensure_ascii=False,
        )
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    changes: dict[str, str | None] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {item[:40]!r}: cần dạng TRƯỜNG=GIÁ_TRỊ")
        changes[name.strip()] = value
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        result = ctx.lifecycle.correct(args.code, officer, changes=changes, reason=args.reason)
    finally:
        ctx.close()
    print(json.dumps({"code": result.code, "event": result.event_uuid}, ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ directory


def cmd_directory_add(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        entry = ctx.directory.add(
            args.kind, args.name, officer, unit=args.unit or "", username=args.username
        )
    finally:
        ctx.close()
    print(json.dumps(entry.to_json(), ensure_ascii=False))
    return 0


def cmd_directory_retire(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        entry = ctx.directory.retire(args.entry_id, officer)
    finally:
        ctx.close()
    print(json.dumps(entry.to_json(), ensure_ascii=False))
    return 0


def cmd_directory_list(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
    try:
        entries = ctx.directory.list(include_retired=args.all)
    finally:
        ctx.close()
    for e in entries:
        if args.json:
            print(json.dumps(e.to_json(), ensure_ascii=False))
        else:
            state = "" if e.active else "  (retired)"
            print(f"{e.entry_id}  {e.kind:<7}  {e.name}{f' — {e.unit}' if e.unit else ''}{state}")
    return 0


# ------------------------------------------------------------------ settings


def cmd_settings_show(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
    try:
        settings = ctx.settings.get()
    finally:
        ctx.close()
    print(json.dumps(settings.to_json(), ensure_ascii=False))
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    from desk_app.commune_settings import parse_setting

    parse_setting(args.key, args.value)  # a bad value: one line, exit 2, before any password
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        settings = ctx.settings.set(args.key, args.value, officer)
    finally:
        ctx.close()
    print(json.dumps(settings.to_json(), ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ guided, refused


def cmd_intake_outcome(args: argparse.Namespace) -> int:
    from desk_app.intake_outcomes import Visitor
    from event_schema import MissingItem

    visitor = Visitor(
        procedure_code=args.procedure,
        applicant_name=args.name,
        applicant_cccd=args.cccd or "",
        applicant_phone=args.phone or "",
        applicant_address=args.address or "",
    )
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        if args.command == "guide":
            items = [
                MissingItem(n.strip(), r.strip())
                for n, _, r in (i.partition(":") for i in args.item)
            ]
            view = ctx.intake_outcomes.guide(visitor, officer, items=items, note=args.note or "")
        else:
            view = ctx.intake_outcomes.refuse(visitor, officer, reason=args.reason)
    finally:
        ctx.close()
    print(json.dumps(view.to_json(), ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ parser


def register(sub: Any) -> None:
    p = sub.add_parser("event", help="record one action on a dossier (hand-over, supplement…)")
    p.add_argument("code", metavar="CODE")
    p.add_argument("action", metavar="ACTION", choices=EVENT_ACTIONS, help=", ".join(EVENT_ACTIONS))
    p.add_argument(
        "--at", type=datetime_arg, metavar="ISO", help="when it happened (not later than now)"
    )
    p.add_argument("--reason", type=nonempty_arg, metavar="TEXT")
    p.add_argument(
        "--to", type=nonempty_arg, metavar="NAME", help="receiver (directory name or id)"
    )
    p.add_argument("--new-due", dest="new_due", type=due_arg, metavar="ISO")
    p.add_argument(
        "--rating", type=nonempty_arg, metavar="R", help="a label of the scale or its number"
    )
    p.add_argument("--method", choices=("desk", "post"), help="how the result is returned")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument(
        "--item", action="append", metavar="NAME[:REASON]", help="a paper to add (repeat)"
    )
    p.add_argument(
        "--target", metavar="UUID", help="annul: the step's event (default: your latest)"
    )
    officer_option(p)
    p.set_defaults(func=cmd_event)

    p = sub.add_parser("correct", help="correct applicant fields of a received dossier")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--set", action="append", required=True, metavar="FIELD=VALUE")
    p.add_argument("--reason", required=True, type=nonempty_arg, metavar="TEXT")
    officer_option(p)
    p.set_defaults(func=cmd_correct)

    p = sub.add_parser("directory", help="the officers and units dossiers are handed to")
    dsub = p.add_subparsers(
        dest="directory_command", metavar="ACTION", required=True, parser_class=Parser
    )
    q = dsub.add_parser("add", help="add an officer or a unit (administrator)")
    q.add_argument("name", type=nonempty_arg, metavar="NAME")
    q.add_argument("--kind", choices=("officer", "unit"), required=True)
    q.add_argument("--unit", metavar="TEXT", help="the officer's unit, or a unit's parent")
    q.add_argument("--username", metavar="LOGIN", help="the officer's account, if any")
    officer_option(q)
    q.set_defaults(func=cmd_directory_add)
    q = dsub.add_parser("retire", help="stop offering an entry (administrator)")
    q.add_argument("entry_id", metavar="ID")
    officer_option(q)
    q.set_defaults(func=cmd_directory_retire)
    q = dsub.add_parser("list", help="the receivers offered")
    q.add_argument("--all", action="store_true", help="retired entries too")
    q.add_argument("--json", action="store_true", help="one JSON object per line")
    q.set_defaults(func=cmd_directory_list)

    p = sub.add_parser("settings", help="commune settings of the lifecycle")
    ssub = p.add_subparsers(
        dest="settings_command", metavar="ACTION", required=True, parser_class=Parser
    )
    q = ssub.add_parser("show", help="the settings in force (JSON)")
    q.set_defaults(func=cmd_settings_show)
    q = ssub.add_parser("set", help=f"change one (administrator): {', '.join(SETTING_KEYS)}")
    q.add_argument(
        "key",
        choices=SETTING_KEYS,
        help="pause_rule restart|shift; max_extensions 0-9; rating_scale 'A|B|C' (2-7 labels); "
        "warning_days 0-30 (working days counted as due soon)",
    )
    q.add_argument("value", metavar="VALUE")
    officer_option(q)
    q.set_defaults(func=cmd_settings_set)

    for name, help_text in (
        ("guide", "record a citizen guided to complete a dossier (Form 02; nothing received)"),
        ("refuse", "record a dossier refused at intake (Form 03)"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--procedure", required=True, metavar="CODE")
        p.add_argument("--name", required=True, type=nonempty_arg, metavar="NAME")
        p.add_argument("--cccd", metavar="NUMBER")
        p.add_argument("--phone", metavar="PHONE")
        p.add_argument("--address", metavar="TEXT")
        if name == "guide":
            p.add_argument("--item", action="append", required=True, metavar="NAME[:REASON]")
            p.add_argument("--note", metavar="TEXT")
        else:
            p.add_argument("--reason", required=True, type=nonempty_arg, metavar="TEXT")
        officer_option(p)
        p.set_defaults(func=cmd_intake_outcome)
