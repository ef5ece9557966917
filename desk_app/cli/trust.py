"""``desk-app`` commands for trust: backups, restore, and unlocking an account.

* ``backup --out FILE``: an encrypted backup, taken while the app runs, verified after.
* ``backup verify FILE``: decrypt and check a backup (integrity and manifest).
* ``backup config --folder DIR --keep N``: the daily backups' folder and how many to keep.
* ``backup daily``: the daily backup if one is due (for cron or Task Scheduler).
* ``backup status``: where daily backups go and how the last one went (JSON).
* ``restore FILE [--yes]``: replace the database with a backup, after saying what is lost.
* ``users unlock NAME``: lift a lock-out after wrong passwords (an administrator).

The passphrase is asked for (twice when it is being set), read from
``$DESK_APP_BACKUP_PASSPHRASE``, or read as one line from standard input when that is not
a terminal. Exit statuses follow ``desk_app.errors``: 2 bad input or a backup of another
desk or a newer app, 3 a damaged backup or database, 4 a wrong passphrase or role.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import (
    Parser,
    UsageError,
    acting_officer,
    officer_option,
    open_desk,
    open_desk_at,
)
from desk_app.config import DATABASE_FILE
from desk_app.errors import StorageError

if TYPE_CHECKING:
    from desk_app.auth import Permission


def _usage(message: str) -> Exception:
    return UsageError(message)


def _data_dir(args: argparse.Namespace) -> Path:
    from desk_app.config import resolve_data_dir

    return resolve_data_dir(args.data_dir)


def _prove_on_staffed_desk(args: argparse.Namespace, permission: Permission) -> str | None:
    """The proven officer's name when ``--data-dir`` holds a readable desk with accounts.

    ``backup verify`` and ``restore`` must also work where no such desk is: on a fresh
    machine, on a desk with no account yet, and on a damaged database (which is what
    restoring is for). There the backup's passphrase is the only proof, and ``None`` is
    returned. Nothing is created where no database is.
    """
    if not (_data_dir(args) / DATABASE_FILE).is_file():
        return None
    try:
        ctx = open_desk(args)
    except StorageError:
        return None
    try:
        if not ctx.users.has_users():
            return None
        officer = acting_officer(ctx, args)
        officer.require(permission)
        return officer.username
    finally:
        ctx.close()


def _passphrase(*, new: bool) -> str:
    """The backup passphrase: the environment, else asked (twice when ``new``), else one
    line of standard input."""
    from desk_app.backup import PASSPHRASE_ENV

    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Cụm mật khẩu sao lưu: ")
        if new and getpass.getpass("Nhập lại cụm mật khẩu: ") != first:
            raise _usage("the two passphrases differ")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        raise _usage(f"no backup passphrase: set ${PASSPHRASE_ENV} or type it on standard input")
    return line.rstrip("\r\n")


# ------------------------------------------------------------------ backup


def cmd_backup(args: argparse.Namespace) -> int:
    from desk_app.backup import create_backup, passphrase_is_set
    from desk_app.files import check_output_path

    if not args.out:
        raise _usage("give --out FILE, or an action: verify, config, daily, status")
    from desk_app.auth import Permission

    out = Path(args.out)
    check_output_path(out)
    ctx = open_desk(args)
    try:
        officer = acting_officer(ctx, args, admin_default=True)
        officer.require(Permission.ADMINISTER)
        passphrase = _passphrase(new=not passphrase_is_set(ctx))
        manifest = create_backup(ctx, out, passphrase, actor=officer.username)
    finally:
        ctx.close()
    print(json.dumps(_manifest_json(out, manifest), ensure_ascii=False))
    return 0


def _manifest_json(path: Path, manifest: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {"file": str(path), "verified": True, **asdict(manifest)}


def cmd_backup_verify(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission
    from desk_app.backup import verify

    _prove_on_staffed_desk(args, Permission.VIEW)
    passphrase = _passphrase(new=False)
    data_dir = _data_dir(args)
    # The deep check's plain copy goes beside the database, which is in clear anyway.
    work = data_dir if data_dir.is_dir() else Path.cwd()
    manifest = verify(Path(args.file), passphrase, work, deep=args.deep)
    print(json.dumps(_manifest_json(Path(args.file), manifest), ensure_ascii=False))
    return 0


def cmd_backup_config(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission
    from desk_app.backup import configure, passphrase_is_set

    if args.folder is None and args.keep is None:
        raise _usage("give --folder DIR and/or --keep N")
    ctx = open_desk(args)
    try:
        acting_officer(ctx, args, admin_default=True).require(Permission.ADMINISTER)
        passphrase = _passphrase(new=not passphrase_is_set(ctx))
        stored = configure(
            ctx, passphrase, folder=Path(args.folder) if args.folder else None, keep=args.keep
        )
    finally:
        ctx.close()
    if stored:
        print(
            "daily backups configured; the passphrase is kept for this account (credential "
            "store, else the key folder)"
        )
    else:
        print(
            "daily backups configured, but the passphrase could not be kept for this account: "
            "the daily backup runs only with $DESK_APP_BACKUP_PASSPHRASE set"
        )
    return 0


def cmd_backup_daily(args: argparse.Namespace) -> int:
    """The scheduled task's command. Like ``sync`` it acts as no officer: it runs
    unattended, writes only an encrypted backup to the folder an administrator configured,
    and needs the passphrase from the credential store or the environment."""
    from desk_app.backup import run_scheduled_backup

    ctx = open_desk(args)
    try:
        outcome = run_scheduled_backup(ctx)
    finally:
        ctx.close()
    print(
        json.dumps(
            {
                "ran": outcome.ran,
                "file": str(outcome.file) if outcome.file else None,
                "removed": [str(p) for p in outcome.removed],
                "reason": outcome.reason,
            },
            ensure_ascii=False,
        )
    )
    # Skipped because one was made today is success; skipped for want of a passphrase
    # or folder, or failed, is not.
    return 0 if outcome.ran or outcome.reason == "đã sao lưu trong 24 giờ qua" else 1


def cmd_backup_status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desk_app.backup import backup_status

    ctx = open_desk(args)
    try:
        acting_officer(ctx, args)
        status = backup_status(ctx)
    finally:
        ctx.close()
    print(json.dumps(asdict(status), ensure_ascii=False, default=str))
    return 0


# ------------------------------------------------------------------ restore


def cmd_restore(args: argparse.Namespace) -> int:
    from desk_app.auth import Permission
    from desk_app.backup import apply_restore, prepare_restore, record_restore
    from desk_app.clock import SystemClock

    data_dir = _data_dir(args)
    source = Path(args.file)
    if not source.is_file():
        raise _usage(f"{source}: no such file")
    actor = _prove_on_staffed_desk(args, Permission.ADMINISTER) or "restore"
    passphrase = _passphrase(new=False)
    plan = prepare_restore(source, passphrase, data_dir)
    try:
        for line in plan.describe():
            print(line, file=sys.stderr)
        if not args.yes:
            if sys.stdin is None or not sys.stdin.isatty():
                raise _usage("restoring replaces the database: confirm with --yes")
            answer = input("Khôi phục và thay cơ sở dữ liệu hiện tại? [c/K] ")
            if answer.strip().lower() not in ("c", "có", "y", "yes"):
                print("nothing restored", file=sys.stderr)
                return 1
        kept = apply_restore(plan, SystemClock())
    finally:
        plan.discard()
    ctx = open_desk_at(data_dir)
    try:
        record_restore(ctx, plan, actor)
        held = ctx.sync.status().enrolled
    finally:
        ctx.close()
    result = {
        "restored": str(source),
        "dossiers": plan.manifest.dossier_count,
        "unsent_events_lost": plan.unsent_lost,
        "replaced_kept_as": str(kept) if kept else None,
        "intake_held_until_sync": held,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ users unlock


def cmd_users_unlock(args: argparse.Namespace) -> int:

    ctx = open_desk(args)
    try:
        was = ctx.users.unlock(args.name, by=acting_officer(ctx, args))
    finally:
        ctx.close()
    name = args.name.strip().lower()
    print(f"account {name} unlocked" if was else f"account {name} was not locked")
    return 0


# ------------------------------------------------------------------ parser


def _keep(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 365:
        raise argparse.ArgumentTypeError("keep between 1 and 365 backups")
    return value


def register(sub: Any) -> None:
    """Add the trust commands to the ``desk-app`` sub-command set ``sub`` (after the
    account commands, which ``users unlock`` joins)."""

    p = sub.add_parser("backup", help="an encrypted, verified backup of the desk database")
    p.add_argument("--out", metavar="FILE", help="the backup file to write")
    officer_option(p)
    p.set_defaults(func=cmd_backup)
    bsub = p.add_subparsers(dest="backup_command", metavar="ACTION", parser_class=Parser)
    b = bsub.add_parser("verify", help="decrypt and check a backup file")
    b.add_argument("file", metavar="FILE")
    b.add_argument(
        "--deep", action="store_true", help="also run SQLite's integrity check on a decrypted copy"
    )
    officer_option(b)
    b.set_defaults(func=cmd_backup_verify)
    b = bsub.add_parser("config", help="the daily backups' folder and how many to keep")
    b.add_argument("--folder", metavar="DIR", help="a folder or a USB disk")
    b.add_argument("--keep", type=_keep, metavar="N", help="keep the newest N (default 7)")
    officer_option(b)
    b.set_defaults(func=cmd_backup_config)
    b = bsub.add_parser("daily", help="make the daily backup if one is due")
    b.set_defaults(func=cmd_backup_daily)
    b = bsub.add_parser("status", help="the daily backups' folder and last outcome, as JSON")
    officer_option(b)
    b.set_defaults(func=cmd_backup_status)

    p = sub.add_parser("restore", help="replace the database with a backup")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    officer_option(p)
    p.set_defaults(func=cmd_restore)

    users = sub.choices.get("users")
    if users is not None:
        actions = [a for a in users._actions if isinstance(a, argparse._SubParsersAction)]
        if actions:
            u = actions[0].add_parser("unlock", help="lift an account's wait after wrong passwords")
            u.add_argument("name", metavar="NAME")
            officer_option(u)
            u.set_defaults(func=cmd_users_unlock)
