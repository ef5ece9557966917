"""``desk-app backlog`` and ``desk-app report``: the chair's lists and the period report.

Both act as an officer whose role may see reports (the chair, an administrator), named
as every acting command names one (``common.acting_officer``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal

from desk_app.cli.common import (
    UsageError,
    acting_officer,
    date_arg,
    officer_option,
    open_desk,
    positive_arg,
    whole_arg,
)


def _filters(args: argparse.Namespace) -> Any:
    from desk_app.backlog import BacklogFilter

    return BacklogFilter(
        received_from=args.received_from,
        received_to=args.received_to,
        statuses=tuple(args.status or ()),
        procedure_code=args.procedure,
        field=args.field,
        desk=args.desk,
    )


def _out_path(text: str | None, allowed: tuple[str, ...]) -> Path | None:
    if text is None:
        return None
    path = Path(text)
    if path.suffix.lower() not in allowed:
        raise UsageError(
            f"tệp {path.name}: chỉ ghi được tệp {' hoặc '.join(allowed)} (theo đuôi tên tệp)"
        )
    from desk_app.files import check_output_path

    check_output_path(path)
    return path


def cmd_backlog(args: argparse.Namespace) -> int:
    out = _out_path(args.out, (".pdf",))
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        profile = ctx.profiles.require()
        backlog = ctx.backlog.backlog(
            officer, _filters(args), warning_days=args.warning_days, record_view=True
        )
        if out is not None:
            from desk_app.files import write_output
            from desk_app.report import UNIT_NAME
            from desk_app.report_pdf import render_backlog_sheet

            pdf = render_backlog_sheet(backlog, profile.parent_body, UNIT_NAME, profile.place_name)
            write_output(out, pdf)
            ctx.reports.record_output(officer, "print", "backlog_sheet", backlog.today.isoformat())
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(backlog.to_json(), ensure_ascii=False))
    else:
        from desk_app.backlog import TILE_LABELS, TILES

        for key in TILES:
            print(f"{TILE_LABELS[key]}: {backlog.counts[key]}")
        print(f"Đang giải quyết: {backlog.open_total}")
        for item in backlog.lists["overdue"]:
            print(f"  quá hạn {item.days_late} ngày LV  {item.code}  {item.holder}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.date_to < args.date_from:
        raise UsageError("--to phải cùng ngày hoặc sau --from")
    out = _out_path(args.out, (".pdf", ".xlsx"))
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        ctx.profiles.require()
        action: Literal["view", "export"] = "view" if out is None else "export"
        report = ctx.reports.period(
            args.date_from, args.date_to, officer, args.by, audit_action=action
        )
        if out is not None:
            from desk_app.files import write_output

            if out.suffix.lower() == ".pdf":
                from desk_app.report_pdf import render_report_pdf

                data = render_report_pdf(report)
            else:
                from desk_app.report_xlsx import write_xlsx

                data = write_xlsx(report)
            write_output(out, data)
    finally:
        ctx.close()
    if args.json or out is None:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    return 0


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--received-from", type=date_arg, metavar="DATE", help="received on or after")
    p.add_argument("--received-to", type=date_arg, metavar="DATE", help="received on or before")
    p.add_argument("--status", action="append", metavar="STATUS", help="repeatable")
    p.add_argument("--procedure", metavar="CODE", help="procedure code")
    p.add_argument("--field", metavar="NAME", help="field of work (lĩnh vực)")
    p.add_argument("--desk", type=positive_arg, metavar="N", help="desk number")


def register(sub: Any) -> None:
    p = sub.add_parser("backlog", help="the chair's lists: due today, overdue, due soon, ...")
    p.add_argument("--json", action="store_true", help="print the lists as one JSON object")
    p.add_argument(
        "--warning-days",
        type=whole_arg,
        default=None,
        metavar="N",
        help="due soon: within the next N working days (default: the commune's setting, 2)",
    )
    p.add_argument("--out", metavar="FILE.pdf", help="write the daily backlog sheet (A4 PDF)")
    _filter_options(p)
    officer_option(p)
    p.set_defaults(func=cmd_backlog)

    p = sub.add_parser("report", help="the period statistics report (Biểu II.06a)")
    p.add_argument("--from", dest="date_from", type=date_arg, required=True, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=date_arg, required=True, metavar="DATE")
    p.add_argument("--by", choices=("field", "procedure"), default="field")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--out", metavar="FILE", help="write the report: FILE.pdf or FILE.xlsx")
    officer_option(p)
    p.set_defaults(func=cmd_report)
