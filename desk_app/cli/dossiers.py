"""``desk-app`` commands for dossiers: intake, receipt, show, list.

Who acts: ``--officer NAME`` (or ``$DESK_APP_OFFICER``) names the account that receives,
views or prints, for the receipt and the audit log (see ``common.acting_officer``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

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
    from desk_app.intake import IntakeRequest


class _LineError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
        raise UsageError(f"{source}: không có tệp này")
    with path.open(encoding="utf-8-sig") as handle:
        yield from enumerate(handle, 1)


def cmd_intake(args: argparse.Namespace) -> int:
    from desk_app.errors import DeskError, InvalidInputError
    from desk_app.intake import IntakeValidationError

    if args.json != "-" and not Path(args.json).is_file():
        raise UsageError(f"{args.json}: không có tệp này")
    ctx = open_desk(args)
    failed = 0
    try:
        ctx.profiles.require()
        officer = acting_officer(ctx, args)
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
            except InvalidInputError as exc:
                failed += 1
                print(f"line {number}: (line): {exc.message}", file=sys.stderr)
                continue
            except DeskError:
                raise  # storage, role, set-up: the same for every line, so stop here
            except Exception as exc:
                # One unprintable or otherwise unexpected line must not stop a bulk import;
                # its transaction was rolled back, so nothing of it was written. Only the
                # error's kind is printed: its text may quote the line's data.
                failed += 1
                print(
                    f"line {number}: (line): not received ({type(exc).__name__})",
                    file=sys.stderr,
                )
                continue
            d = result.dossier
            out = {
                "line": number,
                "code": d.code,
                "due_at": iso(d.due_at),
                "status": d.status,
                "received_at": iso(d.received_at),
                "procedure_code": d.procedure_code,
            }
            print(json.dumps(out, ensure_ascii=False), flush=True)
    finally:
        ctx.close()
    return 2 if failed else 0


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
    from desk_app.lifecycle import masked_change
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
