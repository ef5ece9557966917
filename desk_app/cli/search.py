"""``desk-app search QUERY``: find dossiers by code, lookup PIN, name, CCCD or phone.

The name may be typed without diacritics (``đ`` as ``d``), a code in part (``1001``,
``261130-1001``) and in any letter case. With ``--json``, one JSON object per line, the
CCCD masked. The search is one entry of the audit log (its results were shown).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from desk_app.cli.common import UsageError, acting_officer, officer_option, open_desk, positive_arg


def cmd_search(args: argparse.Namespace) -> int:
    from desk_app.search import MAX_LIMIT
    from desk_app.vocabulary import status_label

    if not args.query.strip():
        raise UsageError(
            "hãy nhập điều cần tìm: mã hồ sơ, mã tra cứu, họ tên, CCCD hoặc điện thoại"
        )
    if args.limit > MAX_LIMIT:
        raise UsageError(f"--limit tối đa {MAX_LIMIT}")
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args)
        hits = ctx.search.search(args.query, officer, limit=args.limit)
        ctx.search.record_search(officer, args.query, [h.code for h in hits])
    finally:
        ctx.close()
    for hit in hits:
        if args.json:
            print(json.dumps(hit.to_json(), ensure_ascii=False))
        else:
            print(
                f"{hit.code}  {status_label(hit.status):<16} {hit.received_at:%d/%m/%Y}  "
                f"{hit.applicant_name}  {hit.cccd_masked}"
            )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "search", help="find dossiers by code, lookup PIN, name (no diacritics needed), CCCD, phone"
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="one JSON object per line (CCCD masked)")
    p.add_argument("--limit", type=positive_arg, default=50, metavar="N", help="at most N (50)")
    officer_option(p)
    p.set_defaults(func=cmd_search)
