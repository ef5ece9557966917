"""``desk-app`` commands that print: a dossier's forms and the tracking register.

``form CODE FORM --out FILE.pdf`` writes Form 01–06 of a stored dossier (01 reprints the
receipt as issued); ``register --from DATE --to DATE --out FILE`` writes Form 07 for the
dossiers received in that range, as PDF or XLSX by the file's extension. Both are
audited (a print; the spreadsheet an export) and write whole or not at all.
``templates`` checks the forms this desk corrected (``templates/`` in its data folder).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desk_app.cli.common import UsageError, acting_officer, date_arg, officer_option, open_desk

_REGISTER_FORMATS = {".pdf": "pdf", ".xlsx": "xlsx"}


def cmd_form(args: argparse.Namespace) -> int:
    from desk_app.files import check_output_path, write_output

    out = Path(args.out)
    check_output_path(out)  # before any work: a device or folder is refused, exit 2
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        pdf = ctx.forms.form_pdf(args.code, args.form, officer)
    finally:
        ctx.close()
    write_output(out, pdf)
    print(str(out))
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from desk_app.files import check_output_path, write_output

    out = Path(args.out)
    fmt = _REGISTER_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"{out.name}: tên tệp phải kết thúc bằng .pdf hoặc .xlsx")
    if args.end < args.start:
        raise UsageError("--to ở trước --from")
    check_output_path(out)
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        content = ctx.forms.register(
            args.start, args.end, officer, "pdf" if fmt == "pdf" else "xlsx"
        )
    finally:
        ctx.close()
    write_output(out, content)
    print(str(out))
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    """One line per file of the desk's ``templates`` folder: used, or why not (then 2)."""
    from desk_app.config import resolve_data_dir
    from desk_app.dossier_forms import corrected_templates

    folder, checks = corrected_templates(resolve_data_dir(args.data_dir))
    if not checks:
        print(f"Không có mẫu in sửa riêng ({folder}): mọi mẫu in theo tệp đi kèm phần mềm.")
        return 0
    for check in checks:
        if check.used:
            print(f"{check.file_name}: dùng tệp sửa riêng")
        else:
            print(f"{check.file_name}: KHÔNG dùng, in theo mẫu đi kèm — {check.problem}")
    return 0 if all(check.used for check in checks) else 2


def register(sub: Any) -> None:
    p = sub.add_parser("form", help="write a form (01-06) of a stored dossier as PDF")
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "form",
        metavar="FORM",
        help="01 receipt, 02 request to complete, 03 refusal, 04 apology and new date, "
        "05 stop notice, 06 control sheet",
    )
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    officer_option(p)
    p.set_defaults(func=cmd_form)

    p = sub.add_parser(
        "templates", help="check the forms this desk corrected (TOML files in DATA/templates)"
    )
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("register", help="write the tracking register (Form 07) of a date range")
    p.add_argument("--from", dest="start", required=True, type=date_arg, metavar="DATE")
    p.add_argument("--to", dest="end", required=True, type=date_arg, metavar="DATE")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.xlsx")
    officer_option(p)
    p.set_defaults(func=cmd_register)
