"""``desk-app users``: officer accounts (tài khoản cán bộ).

The new account's password is read from standard input; the administrator creating it
(``--by``, default the desk's only one) proves who they are as every acting officer does
(``common.acting_officer``). The first account of a desk is the set-up itself.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from desk_app.cli.common import Parser, UsageError, acting_officer, officer_option, open_desk


def cmd_users_add(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission

    password = _read_password(sys.stdin)
    ctx = open_desk(args)
    try:
        by = "setup"  # before any account exists, the set-up itself acts
        first = not ctx.users.has_users()
        if not first:
            admin = acting_officer(ctx, args, name=args.by, admin_default=True)
            admin.require(Permission.ADMINISTER)
            by = admin.username
        officer = ctx.users.add(args.name, args.full_name or args.name, args.role, password, by=by)
        # The first administrator gets the desk's recovery code, shown this once.
        code = ctx.accounts.issue_recovery_code(officer.username) if first else None
    finally:
        ctx.close()
    print(f"account {officer.username} ({officer.role.value}) created")
    if code:
        print(_recovery_text(code))
    return 0


def _recovery_text(code: str) -> str:
    return (
        f"recovery code: {code}\n"
        "Mã khôi phục dùng một lần: in hoặc chép lại và cất nơi an toàn (tủ hồ sơ của UBND). "
        "Nếu quên mật khẩu quản trị viên: desk-app users recover."
    )


def cmd_users_recover(args: argparse.Namespace) -> int:
    """Reset a forgotten administrator password with the recovery code (offline)."""
    lines = sys.stdin.read().splitlines()
    if len(lines) < 2:
        raise UsageError(
            "cần hai dòng ở đầu vào chuẩn: mã khôi phục, rồi mật khẩu mới của quản trị viên"
        )
    ctx = open_desk(args)
    try:
        username, code = ctx.accounts.recover(lines[0], lines[1], args.name)
    finally:
        ctx.close()
    print(f"password of {username} reset")
    print(_recovery_text(code))
    return 0


def _read_password(stream: TextIO) -> str:
    line = stream.readline()
    if not line:
        raise UsageError("không có mật khẩu ở đầu vào chuẩn (ghi nó ở dòng đầu tiên)")
    return line.rstrip("\r\n")


def cmd_users_list(args: argparse.Namespace) -> int:
    ctx = open_desk(args)
    try:
        acting_officer(ctx, args)
        rows = ctx.users.list()
    finally:
        ctx.close()
    for officer, active, created in rows:
        state = "active" if active else "disabled"
        print(
            f"{officer.username:<20} {officer.role.value:<8} {state:<8} "
            f"{created:%Y-%m-%d}  {officer.full_name}"
        )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="officer accounts")
    usub = p.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, parser_class=Parser
    )
    a = usub.add_parser("add", help="create an account; the password is read from standard input")
    a.add_argument("name", metavar="NAME", help="login name, e.g. lan.nt")
    a.add_argument("--role", required=True, choices=["officer", "chair", "admin"])
    a.add_argument("--full-name", help="printed on receipts (default: NAME)")
    a.add_argument(
        "--by", metavar="ADMIN", help="the administrator creating it (default: the only one)"
    )
    officer_option(a, name=False)
    a.set_defaults(func=cmd_users_add)
    a = usub.add_parser(
        "recover",
        help="reset a forgotten administrator password with the recovery code; reads the "
        "code and the new password from standard input, one a line",
    )
    a.add_argument(
        "name", metavar="NAME", nargs="?", help="the administrator (default: the only one)"
    )
    a.set_defaults(func=cmd_users_recover)
    a = usub.add_parser("list", help="the accounts")
    officer_option(a)
    a.set_defaults(func=cmd_users_list)
