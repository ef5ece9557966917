"""``desk-app enroll`` and ``desk-app sync``: the link to the district server."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from desk_app.cli.common import UsageError, acting_officer, officer_option, open_desk


def cmd_enroll(args: argparse.Namespace) -> int:
    if args.ca_file and not Path(args.ca_file).is_file():
        raise UsageError(f"tệp CA {args.ca_file}: không có tệp này")
    from desk_app.auth import Permission

    ctx = open_desk(args)
    try:
        ctx.profiles.require()
        acting_officer(ctx, args, admin_default=True).require(Permission.ADMINISTER)
        result = ctx.sync.enroll(args.server, args.code, args.ca_file)
        # The first round at once: a machine replacing a desk gets the commune's history
        # (its own old dossiers included) before it receives anything.
        first = ctx.sync.sync_once()
    finally:
        ctx.close()
    result["first_sync"] = first.to_json()
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """One round; its errors are in the JSON summary (with their codes), and any makes
    the exit status 1, as every operational failure does."""
    ctx = open_desk(args)
    try:
        summary = ctx.sync.sync_once()
    finally:
        ctx.close()
    print(json.dumps(summary.to_json(), ensure_ascii=False))
    return 1 if summary.errors else 0


def register(sub: Any) -> None:
    p = sub.add_parser("enroll", help="link this desk to the district server with a one-time code")
    p.add_argument(
        "--server", required=True, metavar="URL", help="e.g. https://tthc.example.vn:8765"
    )
    p.add_argument("--code", required=True, metavar="CODE", help="from `district-server enroll`")
    p.add_argument("--ca-file", metavar="FILE", help="trust this CA certificate (PEM) for TLS")
    officer_option(p)
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", help="one sync round now; prints a JSON summary (for cron)")
    p.set_defaults(func=cmd_sync)
