"""``desk-app`` commands for dossiers: intake, receipt, show, list.

Who acts: ``--officer NAME`` (or ``$DESK_APP_OFFICER``) names the account that receives,
views or prints, for the receipt and the audit log (see ``common.acting_officer``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import (
    UsageError,
    acting_officer,
    date_arg,
    iso,
    officer_option,
    open_desk,
    positive_arg,
)

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------ intake


def _read_lines(source: str) -> list[tuple[int, bytes]]:
    """The numbered lines of the file (or stdin), as bytes: each is decoded on its own, so
    bad UTF-8 is named by its line."""
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(f"{source}: không đọc được tệp ({exc.strerror})") from None
    return [(n, raw.removesuffix(b"\r")) for n, raw in enumerate(data.split(b"\n"), 1)]


def cmd_intake(args: argparse.Namespace) -> int:
    """All lines or none (desk_app.importer): exit 2 naming every bad line, nothing
    written; lines imported before are said so and not imported again."""
    from desk_app.importer import import_lines

    if args.json != "-" and not Path(args.json).is_file():
        raise UsageError(f"{args.json}: không có tệp này")
    ctx = open_desk(args)
    try:
        ctx.profiles.require()
        officer = acting_officer(ctx, args)
        outcome = import_lines(ctx, officer, _read_lines(args.json))
    finally:
        ctx.close()
    if outcome.problems:
        for problem in outcome.problems:
            print(problem, file=sys.stderr)
        print(
            f"không nhập hồ sơ nào: {len(outcome.problems)} dòng lỗi; sửa các dòng trên rồi "
            "chạy lại cả tệp",
            file=sys.stderr,
        )
        return 2
    for number, d in outcome.saved:
        out = {
            "line": number,
            "code": d.code,
            "due_at": iso(d.due_at),
            "status": d.status,
            "received_at": iso(d.received_at),
            "procedure_code": d.procedure_code,
            # e.g. the same citizen and procedure a few days ago: said, never a block
            "warnings": outcome.warnings.get(number, []),
        }
        print(json.dumps(out, ensure_ascii=False))
    for already in outcome.already:
        where = (
            f"dòng {already.same_file_line} của tệp này"
            if already.same_file_line
            else "một lần nhập trước"
        )
        print(
            json.dumps(
                {"line": already.line, "code": already.code, "already_imported": True},
                ensure_ascii=False,
            )
        )
        print(
            f"dòng {already.line}: đã nhập ở {where} (mã hồ sơ {already.code}); bỏ qua",
            file=sys.stderr,
        )
    return 0


# ------------------------------------------------------------------ read


def cmd_receipt(args: argparse.Namespace) -> int:
    from desk_app.files import check_output_path, write_output

    out = Path(args.out)
    check_output_path(out)  # before any work: a device or folder is refused, exit 2
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        pdf = ctx.intake.receipt(args.code, officer, action="export")
    finally:
        ctx.close()
    write_output(out, pdf)  # whole or not at all, and never over a device node
    print(str(out))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from desk_app.lifecycle import masked_change, step_text
    from desk_app.vocabulary import status_label

    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        view = ctx.intake.get(args.code, officer)
        timeline = ctx.lifecycle.timeline(view.code)
        p = ctx.lifecycle.projection(view.code)
        actions = ctx.lifecycle.available_actions(view.code, officer)
    finally:
        ctx.close()
    data = view.to_json()
    data["applicant_name"] = view.applicant_name
    data.update(
        status=p.status,
        status_label=status_label(p.status),
        due_at=iso(p.due_at),
        original_due_at=iso(p.original_due_at),
        classification=p.classification,
        holder=p.holder,
        pauses=[
            {"started_at": iso(x.started_at), "ended_at": iso(x.ended_at), "reason": x.reason}
            for x in p.pauses
        ],
        extension_count=p.extension_count,
        result_at=iso(p.result_at),
        outcome=p.outcome,
        returned_at=iso(p.returned_at),
        actions=actions,
    )
    # Every step in the order the desks agree on: "at" as stated, "recorded_at" when it
    # was recorded (UTC); "applied": false marks a step that lost a conflict or was
    # annulled ("annulled": true, struck out in the window).
    steps = []
    for e in timeline:
        detail = {k: v for k, v in e.payload.items() if k != "at"}
        if e.kind == "dossier.received":
            detail = {}
        elif "changes" in detail:
            detail["changes"] = [masked_change(c) for c in detail["changes"]]
        steps.append(
            {
                "uuid": e.uuid,
                "kind": e.kind,
                "text": step_text(e.kind, e.payload),
                "at": iso(e.at),
                "recorded_at": e.occurred_at_utc.replace(tzinfo=dt.UTC).isoformat(),
                "actor": e.actor,
                "origin": e.origin,
                "server_seq": e.server_seq,
                "to": e.payload.get("to"),
                "applied": e.applied,
                "annulled": e.annulled,
                "detail": detail,
            }
        )
    data["timeline"] = steps
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"{view.code}  {status_label(p.status)}")
        print(f"  {view.procedure_name} ({view.procedure_code})")
        print(f"  {view.applicant_name}, CCCD {view.cccd_masked}")
        print(f"  received {view.received_at:%d/%m/%Y %H:%M}, due {iso(p.due_at) or '—'}")
        if p.holder:
            print(f"  holder {p.holder}")
        if p.classification:
            print(f"  result {p.classification}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.start and args.end and args.end < args.start:
        raise UsageError("--to ở trước --from")
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        rows = ctx.intake.list_received(officer, args.start, args.end, limit=args.limit)
    finally:
        ctx.close()
    for view in rows:
        data = view.to_json()
        data["applicant_name"] = view.applicant_name
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(
                f"{view.code}  {view.status:<18} {view.received_at:%Y-%m-%d %H:%M}  "
                f"{view.applicant_name}"
            )
    return 0


# ------------------------------------------------------------------ parser


def register(sub: Any) -> None:
    p = sub.add_parser("intake", help="receive dossiers from JSON lines")
    p.add_argument(
        "--json", required=True, metavar="FILE", help="one JSON object per line; - for stdin"
    )
    officer_option(p)
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("receipt", help="write the receipt (Form 01) of a stored dossier")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    officer_option(p)
    p.set_defaults(func=cmd_receipt)

    p = sub.add_parser("show", help="one dossier")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true")
    officer_option(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("list", help="dossiers received in a date range")
    p.add_argument("--from", dest="start", type=date_arg, metavar="DATE")
    p.add_argument("--to", dest="end", type=date_arg, metavar="DATE")
    p.add_argument("--limit", type=positive_arg, metavar="N")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    officer_option(p)
    p.set_defaults(func=cmd_list)
