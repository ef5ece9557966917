"""``desk-app`` commands for accounts and dossiers: users, intake, receipt, show, list.

Who acts: ``--officer NAME`` (or ``$DESK_APP_OFFICER``) names the account that receives,
views or prints, for the receipt and the audit log. Without it, a desk with exactly one
account uses that one, and a desk with no account yet acts as ``cli``; a desk with several
accounts must be told.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.context import DeskContext
    from desk_app.intake import IntakeRequest

OFFICER_ENV = "DESK_APP_OFFICER"


class _LineError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _usage(message: str) -> Exception:
    from desk_app.cli import UsageError

    return UsageError(message)


def _open(args: argparse.Namespace) -> DeskContext:
    from desk_app.cli import _open as open_ctx

    return open_ctx(args)


def _officer(ctx: DeskContext, args: argparse.Namespace) -> Officer:
    from desk_app.auth import Officer, Role

    name = (getattr(args, "officer", None) or os.environ.get(OFFICER_ENV) or "").strip().lower()
    accounts = [(o, active) for o, active, _ in ctx.users.list()]
    if name:
        for officer, active in accounts:
            if officer.username == name:
                if not active:
                    raise _usage(f"account {name!r} is disabled")
                return officer
        raise _usage(f"no account named {name!r} (see `desk-app users list`)")
    active_accounts = [o for o, active in accounts if active]
    if not accounts:
        return Officer("cli", "Cán bộ tiếp nhận", Role.ADMIN)
    if len(active_accounts) == 1:
        return active_accounts[0]
    raise _usage(f"several accounts exist: name one with --officer or ${OFFICER_ENV}")


# ------------------------------------------------------------------ users


def cmd_users_add(args: argparse.Namespace) -> int:
    from desk_app.auth import AccountError, PermissionDeniedError, Role

    password = _read_password(sys.stdin)
    ctx = _open(args)
    try:
        by = args.by
        if by is None:
            # The desk's only administrator acts unless told otherwise; before any account
            # exists, the set-up itself does.
            admins = [o for o, active, _ in ctx.users.list() if active and o.role is Role.ADMIN]
            if len(admins) > 1:
                raise _usage("several administrators exist: name the one acting with --by")
            by = admins[0].username if admins else "setup"
        officer = ctx.users.add(args.name, args.full_name or args.name, args.role, password, by=by)
    except (AccountError, PermissionDeniedError) as exc:
        raise _usage(str(exc)) from exc
    finally:
        ctx.close()
    print(f"account {officer.username} ({officer.role.value}) created")
    return 0


def _read_password(stream: TextIO) -> str:
    line = stream.readline()
    if not line:
        raise _usage("no password on standard input (give it as the first line)")
    return line.rstrip("\r\n")


def cmd_users_list(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
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


# ------------------------------------------------------------------ intake


def _str(obj: dict[str, Any], key: str, path: str, *, required: bool) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise _LineError(path, "missing")
        return ""
    if not isinstance(value, str):
        raise _LineError(path, "must be a string")
    return value


def _date(obj: dict[str, Any], key: str, path: str) -> dt.date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _LineError(path, "must be a date string YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _LineError(path, f"{value!r} is not a date YYYY-MM-DD") from None


def parse_intake_line(text: str) -> IntakeRequest:
    """One JSON line → an ``IntakeRequest``; ``_LineError`` names the field at fault."""
    from desk_app.clock import LOCAL_ZONE
    from desk_app.intake import ApplicantInput, DocumentInput, IntakeRequest, RepresentativeInput

    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineError("(line)", f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise _LineError("(line)", "must be a JSON object")
    known = {"procedure_code", "applicant", "representative", "received_at", "documents",
             "channel", "notes", "sets_count"}  # fmt: skip
    unknown = sorted(set(obj) - known)
    if unknown:
        raise _LineError(unknown[0], "unknown field")
    code = _str(obj, "procedure_code", "procedure_code", required=True)
    a = obj.get("applicant")
    if not isinstance(a, dict):
        raise _LineError("applicant", "missing or not an object")
    applicant = ApplicantInput(
        name=_str(a, "name", "applicant.name", required=True),
        cccd=_str(a, "cccd", "applicant.cccd", required=True),
        date_of_birth=_date(a, "date_of_birth", "applicant.date_of_birth"),
        phone=_str(a, "phone", "applicant.phone", required=False),
        address=_str(a, "address", "applicant.address", required=True),
        email=_str(a, "email", "applicant.email", required=False) or None,
    )
    rep = None
    r = obj.get("representative")
    if r is not None:
        if not isinstance(r, dict):
            raise _LineError("representative", "must be an object")
        rep = RepresentativeInput(
            name=_str(r, "name", "representative.name", required=True),
            cccd=_str(r, "cccd", "representative.cccd", required=False),
            phone=_str(r, "phone", "representative.phone", required=False),
        )
    received = None
    raw_received = obj.get("received_at")
    if raw_received is not None:
        if not isinstance(raw_received, str):
            raise _LineError("received_at", "must be an ISO 8601 date-time string")
        try:
            received = dt.datetime.fromisoformat(raw_received)
        except ValueError:
            raise _LineError(
                "received_at", f"{raw_received!r} is not an ISO 8601 date-time"
            ) from None
        if received.tzinfo is not None:
            received = received.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    documents = None
    raw_docs = obj.get("documents")
    if raw_docs is not None:
        if not isinstance(raw_docs, list):
            raise _LineError("documents", "must be a list")
        docs = []
        for i, d in enumerate(raw_docs):
            if not isinstance(d, dict):
                raise _LineError(f"documents[{i}]", "must be an object")
            count = d.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool):
                raise _LineError(f"documents[{i}].count", "must be a whole number")
            docs.append(
                DocumentInput(
                    name=_str(d, "name", f"documents[{i}].name", required=True),
                    kind=_str(d, "kind", f"documents[{i}].kind", required=False) or "original",
                    count=count,
                )
            )
        documents = tuple(docs)
    sets = obj.get("sets_count", 1)
    if not isinstance(sets, int) or isinstance(sets, bool):
        raise _LineError("sets_count", "must be a whole number")
    return IntakeRequest(
        procedure_code=code,
        applicant=applicant,
        representative=rep,
        channel=_str(obj, "channel", "channel", required=False) or "in_person",
        documents=documents,
        sets_count=sets,
        notes=_str(obj, "notes", "notes", required=False),
        received_at=received,
    )


def _lines(source: str) -> Iterator[tuple[int, str]]:
    if source == "-":
        stream: TextIO = sys.stdin
        yield from enumerate(stream, 1)
        return
    path = Path(source)
    if not path.is_file():
        raise _usage(f"{source}: no such file")
    with path.open(encoding="utf-8-sig") as handle:
        yield from enumerate(handle, 1)


def cmd_intake(args: argparse.Namespace) -> int:
    from desk_app.auth import PermissionDeniedError
    from desk_app.errors import DeskOperationalError
    from desk_app.intake import IntakeValidationError

    if args.json != "-" and not Path(args.json).is_file():
        raise _usage(f"{args.json}: no such file")
    ctx = _open(args)
    failed = 0
    try:
        ctx.profiles.require()
        officer = _officer(ctx, args)
        for number, raw in _lines(args.json):
            if not raw.strip():
                continue
            try:
                request = parse_intake_line(raw)
                result = ctx.intake.receive(request, officer)
            except _LineError as exc:
                failed += 1
                print(f"line {number}: {exc.field}: {exc.message}", file=sys.stderr)
                continue
            except IntakeValidationError as exc:
                failed += 1
                first = exc.errors[0]
                more = f" (+{len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
                print(f"line {number}: {first.field}: {first.message}{more}", file=sys.stderr)
                continue
            except (DeskOperationalError, PermissionDeniedError):
                raise  # the same for every line: stop here
            except Exception as exc:
                # One unprintable or otherwise unexpected line must not stop a bulk import;
                # its transaction was rolled back, so nothing of it was written.
                failed += 1
                print(f"line {number}: (line): not received: {exc}", file=sys.stderr)
                continue
            d = result.dossier
            out = {
                "line": number,
                "code": d.code,
                "due_at": _iso(d.due_at),
                "status": d.status,
                "received_at": _iso(d.received_at),
                "procedure_code": d.procedure_code,
            }
            print(json.dumps(out, ensure_ascii=False), flush=True)
    finally:
        ctx.close()
    return 2 if failed else 0


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


# ------------------------------------------------------------------ read


def cmd_receipt(args: argparse.Namespace) -> int:
    from desk_app.files import check_output_path, write_output
    from desk_app.intake import DossierNotFoundError

    out = Path(args.out)
    check_output_path(out)  # before any work: a device or folder is refused, exit 2
    ctx = _open(args)
    try:
        officer = _officer(ctx, args)
        pdf = ctx.intake.receipt(args.code, officer, action="export")
    except DossierNotFoundError as exc:
        raise _usage(str(exc)) from exc
    finally:
        ctx.close()
    write_output(out, pdf)  # whole or not at all, and never over a device node
    print(str(out))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from desk_app.intake import STATUS_LABELS, DossierNotFoundError

    ctx = _open(args)
    try:
        officer = _officer(ctx, args)
        view = ctx.intake.get(args.code, officer)
        timeline = ctx.lifecycle.timeline(view.code)
    except DossierNotFoundError as exc:
        raise _usage(str(exc)) from exc
    finally:
        ctx.close()
    data = view.to_json()
    data["applicant_name"] = view.applicant_name
    # Every step in the order the desks agree on; "applied": false marks a transition that
    # lost a conflict (another desk's came first on the server).
    data["timeline"] = [
        {
            "kind": e.kind,
            "at": e.occurred_at_utc.replace(tzinfo=dt.UTC).isoformat(),
            "actor": e.actor,
            "origin": e.origin,
            "server_seq": e.server_seq,
            "to": e.payload.get("to"),
            "applied": e.applied,
        }
        for e in timeline
    ]
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"{view.code}  {STATUS_LABELS.get(view.status, view.status)}")
        print(f"  {view.procedure_name} ({view.procedure_code})")
        print(f"  {view.applicant_name}, CCCD {view.cccd_masked}")
        print(f"  received {view.received_at:%d/%m/%Y %H:%M}, due {_iso(view.due_at) or '—'}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.start and args.end and args.end < args.start:
        raise _usage("--to is before --from")
    ctx = _open(args)
    try:
        officer = _officer(ctx, args)
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
    from desk_app.cli import _date, _Parser, _positive

    def officer_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--officer", metavar="NAME", help=f"acting account (default ${OFFICER_ENV})")

    p = sub.add_parser("users", help="officer accounts")
    usub = p.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    a = usub.add_parser("add", help="create an account; the password is read from standard input")
    a.add_argument("name", metavar="NAME", help="login name, e.g. lan.nt")
    a.add_argument("--role", required=True, choices=["officer", "chair", "admin"])
    a.add_argument("--full-name", help="printed on receipts (default: NAME)")
    a.add_argument(
        "--by", metavar="ADMIN", help="the administrator creating it (default: the only one)"
    )
    a.set_defaults(func=cmd_users_add)
    a = usub.add_parser("list", help="the accounts")
    a.set_defaults(func=cmd_users_list)

    p = sub.add_parser("intake", help="receive dossiers from JSON lines")
    p.add_argument(
        "--json", required=True, metavar="FILE", help="one JSON object per line; - for stdin"
    )
    officer_arg(p)
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("receipt", help="write the receipt (Form 01) of a stored dossier")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    officer_arg(p)
    p.set_defaults(func=cmd_receipt)

    p = sub.add_parser("show", help="one dossier")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("list", help="dossiers received in a date range")
    p.add_argument("--from", dest="start", type=_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE")
    p.add_argument("--limit", type=_positive, metavar="N")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    officer_arg(p)
    p.set_defaults(func=cmd_list)


# ------------------------------------------------------------------ sync


def cmd_enroll(args: argparse.Namespace) -> int:
    from desk_app.sync.engine import EnrollmentError

    if args.ca_file and not Path(args.ca_file).is_file():
        raise _usage(f"CA file {args.ca_file}: no such file")
    ctx = _open(args)
    try:
        ctx.profiles.require()
        result = ctx.sync.enroll(args.server, args.code, args.ca_file)
        # The first round at once: a machine replacing a desk gets the commune's history
        # (its own old dossiers included) before it receives anything.
        first = ctx.sync.sync_once()
    except EnrollmentError as exc:
        print(f"desk-app: error: {exc}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    result["first_sync"] = first.to_json()
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
        summary = ctx.sync.sync_once()
    finally:
        ctx.close()
    print(json.dumps(summary.to_json(), ensure_ascii=False))
    return 1 if summary.errors else 0


def register_sync(sub: Any) -> None:
    p = sub.add_parser("enroll", help="link this desk to the district server with a one-time code")
    p.add_argument(
        "--server", required=True, metavar="URL", help="e.g. https://tthc.example.vn:8765"
    )
    p.add_argument("--code", required=True, metavar="CODE", help="from `district-server enroll`")
    p.add_argument("--ca-file", metavar="FILE", help="trust this CA certificate (PEM) for TLS")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", help="one sync round now; prints a JSON summary (for cron)")
    p.set_defaults(func=cmd_sync)
