"""The ``district-server`` command: run the API, enrol and revoke desks, migrate the database.

Exit codes: 0 success, 1 an operational failure (one line on stderr), 2 bad arguments
(one line on stderr). Every command migrates the database first, so an administrator can
enrol desks before the server has ever run.
"""

from __future__ import annotations

import argparse
import copy
import os
import socket
import ssl
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from alembic.util import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from district_server.db import (
    DB_ENV_VAR,
    DEFAULT_MAX_PUSHES,
    DEFAULT_POOL_SIZE,
    DatabaseUrlError,
    default_db_url,
    make_engine,
    make_session_factory,
    migrate,
    normalize_db_url,
    safe_url,
)
from district_server.enrollment import issue_code, issue_codes, revoke_desk
from district_server.errors import DistrictServerError
from district_server.operator import UnknownEventError
from district_server.protocol import BODY_TIMEOUT_ENV_VAR, HEADER_TIMEOUT_ENV_VAR
from district_server.schemas import MAX_DESK_NUMBER, is_agency_code

if TYPE_CHECKING:
    from sqlalchemy import Engine

PROG = "district-server"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_CODE_LIFETIME_DAYS = 365.0


class CommandFailedError(Exception):
    """A failure to report on one line with exit code 1."""


class _Parser(argparse.ArgumentParser):
    """Reports bad arguments on a single line (argparse would add the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# ------------------------------------------------------------------ argument types


def _agency_code(value: str) -> str:
    code = value.strip().upper()
    if not is_agency_code(code):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an agency code like 000.20.33.H12 (QCVN 102)"
        )
    return code


def _desk_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a desk number") from None
    if not 1 <= number <= MAX_DESK_NUMBER:
        raise argparse.ArgumentTypeError(f"desk numbers start at 1, got {number}")
    return number


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days") from None
    if not 0 < days <= MAX_CODE_LIFETIME_DAYS:
        raise argparse.ArgumentTypeError(
            f"the lifetime must be more than 0 and at most {MAX_CODE_LIFETIME_DAYS:g} days"
        )
    return days


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 0-65535")
    return port


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600 s, got {value}")
    return seconds


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {number}")
        return number

    return parse


def _db_url(value: str) -> str:
    try:
        return normalize_db_url(value)
    except DatabaseUrlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# ------------------------------------------------------------------ commands


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _migrated_engine(db_url: str) -> Engine:
    engine = make_engine(db_url)
    try:
        migrate(engine)
    except CommandError as exc:
        engine.dispose()
        raise CommandFailedError(f"cannot migrate {safe_url(db_url)}: {_one_line(exc)}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise CommandFailedError(
            f"cannot use database {safe_url(db_url)}: {_one_line(exc)}"
        ) from exc
    return engine


def _cmd_migrate(args: argparse.Namespace, db_url: str) -> int:
    engine = _migrated_engine(db_url)
    engine.dispose()
    print(f"database {safe_url(db_url)} is up to date")
    return 0


def _cmd_enroll(args: argparse.Namespace, db_url: str) -> int:
    if args.from_csv is not None:
        return _enroll_from_csv(args, db_url)
    engine = _migrated_engine(db_url)
    try:
        with make_session_factory(engine).begin() as session:
            issued = issue_code(
                session,
                args.commune,
                args.desk,
                datetime.now(UTC),
                timedelta(days=args.expires_days),
            )
    finally:
        engine.dispose()
    # The code alone on stdout, so scripts can take it with `head -n 1` (or $(...)); the
    # explanation goes to stderr, where a closed pipe on stdout cannot break it.
    print(issued.code, flush=True)
    print(
        f"one-time enrolment code for desk {issued.desk} of commune {issued.agency_code}, "
        f"valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    return 0


class BadInputError(Exception):
    """Input a person must fix (exit status 2)."""


def read_desk_rows(path: str) -> list[tuple[str, int]]:
    """The ``commune,desk`` rows of a roll-out file, all checked before any is used."""
    import csv

    try:
        handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror}") from None
    rows: list[tuple[str, int]] = []
    seen: dict[tuple[str, int], int] = {}
    with handle:
        reader = csv.DictReader(handle)
        fields = [name.strip().lower() for name in reader.fieldnames or []]
        if "commune" not in fields or "desk" not in fields:
            raise BadInputError(f"{path}: the first line must name the columns commune,desk")
        reader.fieldnames = fields
        for record in reader:
            line = reader.line_num
            try:
                commune = _agency_code(record.get("commune") or "")
                desk = _desk_number((record.get("desk") or "").strip())
            except argparse.ArgumentTypeError as exc:
                raise BadInputError(f"{path}, line {line}: {exc}") from None
            if (commune, desk) in seen:
                raise BadInputError(
                    f"{path}, line {line}: desk {desk} of commune {commune} is already on "
                    f"line {seen[(commune, desk)]}"
                )
            seen[(commune, desk)] = line
            rows.append((commune, desk))
    if not rows:
        raise BadInputError(f"{path}: no desks listed")
    return rows


def _enroll_from_csv(args: argparse.Namespace, db_url: str) -> int:
    import csv

    rows = read_desk_rows(args.from_csv)
    engine = _migrated_engine(db_url)
    try:
        # One transaction: a failure issues no code at all, so the file can simply be run
        # again.
        with make_session_factory(engine).begin() as session:
            issued = issue_codes(
                session, rows, datetime.now(UTC), timedelta(days=args.expires_days)
            )
    finally:
        engine.dispose()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["commune", "desk", "code", "expires_at"])
    for item in issued:
        writer.writerow(
            [item.agency_code, item.desk, item.code, item.expires_at.isoformat(timespec="seconds")]
        )
    sys.stdout.flush()
    print(f"{len(issued)} one-time enrolment codes issued", file=sys.stderr)
    return 0


def _cmd_revoke(args: argparse.Namespace, db_url: str) -> int:
    engine = _migrated_engine(db_url)
    try:
        with make_session_factory(engine).begin() as session:
            done = revoke_desk(session, args.commune, args.desk, datetime.now(UTC))
    finally:
        engine.dispose()
    print(
        f"desk {args.desk} of commune {args.commune}: revoked {done.credentials} token(s), "
        f"withdrew {done.codes} unused enrolment code(s)"
    )
    return 0


def _cmd_events(args: argparse.Namespace, db_url: str) -> int:
    import json

    from district_server.operator import list_refused, list_set_aside

    engine = _migrated_engine(db_url)
    try:
        with make_session_factory(engine).begin() as session:
            lister = list_refused if args.which == "refused" else list_set_aside
            rows = lister(session, args.commune, args.desk)
    finally:
        engine.dispose()
    if args.json:
        for row in rows:
            print(json.dumps(row.to_json(), ensure_ascii=False))
        return 0
    for row in rows:
        times = f" x{row.times}" if row.times > 1 else ""
        print(
            f"{row.commune} desk {row.desk}  {row.event}  {row.kind} v{row.version}  "
            f"{row.code}{times}  {row.at:%Y-%m-%d %H:%M} UTC  {row.reason}"
        )
    print(f"{len(rows)} {args.which} event(s)", file=sys.stderr)
    return 0


def _cmd_retract(args: argparse.Namespace, db_url: str) -> int:
    import getpass

    from district_server.operator import retract

    operator = args.by or os.environ.get("USER") or getpass.getuser()
    engine = _migrated_engine(db_url)
    try:
        with make_session_factory(engine).begin() as session:
            done = retract(session, args.event, args.reason, operator, datetime.now(UTC))
    finally:
        engine.dispose()
    print(done.uuid)
    print(
        f"event {done.target} ({done.target_kind}) of commune {done.commune} is retracted by "
        f"event {done.uuid} (server_seq {done.server_seq}); desks ignore it from their next sync",
        file=sys.stderr,
    )
    return 0


def _reason(value: str) -> str:
    text = value.strip()
    if not text:
        raise argparse.ArgumentTypeError("give the reason the retraction is made for")
    if len(text) > 1000:
        raise argparse.ArgumentTypeError("the reason is longer than 1000 characters")
    return text


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    # Keep stdout for the "listening on" line; request logs go to stderr with the rest.
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


def _prepare_metrics_dir() -> str:
    """A fresh folder for prometheus-client's multiprocess files, before any metric exists.

    Set even for one worker, so that ``/metrics`` reads the same way whatever the count.
    """
    import tempfile

    folder = tempfile.mkdtemp(prefix="district-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    return folder


def _cmd_run(args: argparse.Namespace, db_url: str) -> int:
    import shutil

    if args.workers > 1 and make_url(db_url).get_backend_name() != "postgresql":
        raise CommandFailedError(
            "--workers needs PostgreSQL: the embedded SQLite database takes one writer at a "
            "time, so it is served by a single process; give --db postgresql://..."
        )
    _migrated_engine(db_url).dispose()
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        raise CommandFailedError(f"cannot listen on {args.host}:{args.port}: {exc}") from exc
    # Inherited by the workers, whose protocol reads them.
    os.environ[HEADER_TIMEOUT_ENV_VAR] = str(args.header_timeout)
    os.environ[BODY_TIMEOUT_ENV_VAR] = str(args.body_timeout)
    metrics_dir = _prepare_metrics_dir()
    try:
        return _serve(args, db_url, sock)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve(args: argparse.Namespace, db_url: str, sock: socket.socket) -> int:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from district_server.admission import AdmissionLimits
    from district_server.app import (
        ENROL_FAILURES_ENV_VAR,
        MAX_PUSHES_ENV_VAR,
        POOL_SIZE_ENV_VAR,
        create_app,
    )
    from district_server.protocol import KEEP_ALIVE_TIMEOUT_S, http_protocol

    tls = args.certfile is not None
    common: dict[str, Any] = {
        "ssl_certfile": args.certfile,
        "ssl_keyfile": args.keyfile,
        "log_config": _log_config(),
        "access_log": args.access_log,
        "timeout_graceful_shutdown": 5,
        "http": http_protocol(args.http),
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT_S,
        "backlog": 2048,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    if args.workers > 1:
        # Workers are new processes: they build their app from the environment.
        os.environ[DB_ENV_VAR] = db_url
        os.environ[MAX_PUSHES_ENV_VAR] = str(args.max_pushes)
        os.environ[ENROL_FAILURES_ENV_VAR] = str(args.enrol_failures)
        if args.pool_size:
            os.environ[POOL_SIZE_ENV_VAR] = str(args.pool_size)
        config = uvicorn.Config(
            "district_server.app:app_from_env", factory=True, workers=args.workers, **common
        )
    else:
        app = create_app(
            db_url,
            AdmissionLimits(max_pushes=args.max_pushes),
            args.pool_size,
            args.enrol_failures,
        )
        config = uvicorn.Config(app, **common)
    try:
        if args.workers > 1:
            # Each worker loads the app itself; the supervisor only checks the TLS files
            # (a loaded config holds an engine, which cannot go to a new process).
            if tls:
                ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                    args.certfile, args.keyfile
                )
        else:
            config.load()
    except (OSError, ValueError) as exc:
        sock.close()
        raise CommandFailedError(f"cannot load the TLS certificate or key: {exc}") from exc
    bound_port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    announcement = f"listening on {'https' if tls else 'http'}://{shown_host}:{bound_port}"

    if args.workers > 1:
        # Connections wait in the listen queue until a worker takes them.
        sock.listen(config.backlog)
        sock.set_inheritable(True)
        print(announcement, flush=True)
        print(f"serving with {args.workers} worker processes", file=sys.stderr, flush=True)
        Multiprocess(config, sockets=[sock]).run()
        return 0

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(announcement, flush=True)

    _Server(config).run(sockets=[sock])
    return 0


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``district-server``."""
    parser = _Parser(
        prog=PROG,
        description="District server: receives the event logs of commune one-stop desks.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    db_help = f"database URL (default: ${DB_ENV_VAR}, else SQLite in the user data folder)"

    run = commands.add_parser("run", help="serve the API", description="Serve the HTTP API.")
    run.add_argument("--db", type=_db_url, help=db_help)
    run.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    run.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    run.add_argument("--certfile", help="TLS certificate chain (PEM); needs --keyfile")
    run.add_argument("--keyfile", help="TLS private key (PEM); needs --certfile")
    run.add_argument(
        "--workers",
        type=_count(1, 64),
        default=1,
        metavar="N",
        help="worker processes (PostgreSQL only; default 1)",
    )
    run.add_argument(
        "--max-pushes",
        type=_count(1, 64),
        default=DEFAULT_MAX_PUSHES,
        metavar="N",
        help=f"pushes one worker takes at a time; the others get 503 + Retry-After "
        f"(default {DEFAULT_MAX_PUSHES})",
    )
    run.add_argument(
        "--pool-size",
        type=_count(1, 1000),
        default=None,
        metavar="N",
        help=f"PostgreSQL connections per worker (default {DEFAULT_POOL_SIZE}); "
        "workers x pool size must stay within max_connections",
    )
    run.add_argument(
        "--enrol-failures",
        type=_count(1, 1_000_000),
        default=10,
        metavar="N",
        help="failed enrolment attempts allowed per client address and minute; beyond, "
        "429 + Retry-After (default 10)",
    )
    run.add_argument(
        "--header-timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="close a connection whose request headers take longer (default 10)",
    )
    run.add_argument(
        "--body-timeout",
        type=_seconds,
        default=60.0,
        metavar="S",
        help="close a connection whose request body takes longer (default 60)",
    )
    run.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        metavar="IPS",
        help="comma-separated proxies whose X-Forwarded-For is trusted (default 127.0.0.1)",
    )
    run.add_argument(
        "--http",
        choices=["httptools", "h11"],
        default="httptools",
        help="HTTP parser: httptools (C, default) or h11 (pure Python)",
    )
    run.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (off by default: the proxy in front logs them, and /metrics "
        "counts them; at a province's rate the log line costs a twentieth of a request)",
    )
    run.set_defaults(handler=_cmd_run)

    enroll = commands.add_parser(
        "enroll",
        help="issue a one-time enrolment code for a desk",
        description="Print a one-time code the desk trades for its token (code on line 1).",
    )
    enroll.add_argument("--commune", type=_agency_code, metavar="AGENCY_CODE")
    enroll.add_argument("--desk", type=_desk_number, metavar="N")
    enroll.add_argument(
        "--from-csv",
        metavar="FILE",
        help="enrol every desk of a CSV file with columns commune,desk ('-' for stdin); "
        "prints commune,desk,code,expires_at as CSV",
    )
    enroll.add_argument("--db", type=_db_url, help=db_help)
    enroll.add_argument(
        "--expires-days", type=_days, default=7.0, metavar="D", help="code lifetime (default 7)"
    )
    enroll.set_defaults(handler=_cmd_enroll)

    revoke = commands.add_parser(
        "revoke",
        help="revoke a desk's tokens",
        description="Revoke every token of a desk and withdraw its unused enrolment codes.",
    )
    revoke.add_argument("--commune", required=True, type=_agency_code, metavar="AGENCY_CODE")
    revoke.add_argument("--desk", required=True, type=_desk_number, metavar="N")
    revoke.add_argument("--db", type=_db_url, help=db_help)
    revoke.set_defaults(handler=_cmd_revoke)

    events = commands.add_parser(
        "events",
        help="list the events refused by the server or set aside by desks",
        description="refused: events this server refused when a desk pushed them; "
        "set-aside: events of the commune's log a desk pulled and could not apply.",
    )
    events.add_argument("which", choices=["refused", "set-aside"])
    events.add_argument("--commune", type=_agency_code, metavar="AGENCY_CODE")
    events.add_argument("--desk", type=_desk_number, metavar="N")
    events.add_argument("--json", action="store_true", help="one JSON object per line")
    events.add_argument("--db", type=_db_url, help=db_help)
    events.set_defaults(handler=_cmd_events)

    retract = commands.add_parser(
        "retract",
        help="retract an event with a compensating event (nothing is deleted)",
        description="Append an event.retracted for the event to its commune's log; "
        "every desk then folds as if that event were not there. Prints the new event's uuid.",
    )
    retract.add_argument("--event", required=True, metavar="UUID")
    retract.add_argument("--reason", required=True, type=_reason, metavar="TEXT")
    retract.add_argument("--by", metavar="NAME", help="who retracts (default: the OS user)")
    retract.add_argument("--db", type=_db_url, help=db_help)
    retract.set_defaults(handler=_cmd_retract)

    migrate_cmd = commands.add_parser(
        "migrate", help="bring the database schema up to date", description="Apply migrations."
    )
    migrate_cmd.add_argument("--db", type=_db_url, help=db_help)
    migrate_cmd.set_defaults(handler=_cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``district-server`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run" and (args.certfile is None) != (args.keyfile is None):
        parser.error("--certfile and --keyfile go together: give both or neither")
    if args.command == "enroll":
        if args.from_csv is None and (args.commune is None or args.desk is None):
            parser.error("enroll needs --commune and --desk, or --from-csv FILE")
        if args.from_csv is not None and (args.commune is not None or args.desk is not None):
            parser.error("--from-csv lists the desks itself: leave out --commune and --desk")
    db_url: str | None = args.db
    if db_url is None:
        from_env = os.environ.get(DB_ENV_VAR)
        if from_env:
            try:
                db_url = normalize_db_url(from_env)
            except DatabaseUrlError as exc:
                parser.error(f"${DB_ENV_VAR}: {exc}")
    handler: Callable[[argparse.Namespace, str], int] = args.handler
    try:
        return handler(args, db_url or default_db_url())
    except BadInputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (CommandFailedError, DatabaseUrlError) as exc:
        return _fail(str(exc))
    except DistrictServerError as exc:
        if isinstance(exc, UnknownEventError):  # retract: no such event uuid
            print(f"{PROG}: error: {exc.message}", file=sys.stderr)
            return 2
        return _fail(exc.message)
    except SQLAlchemyError as exc:
        return _fail(f"database error: {_one_line(exc)}")
    except OSError as exc:
        return _fail(_one_line(exc))
    except KeyboardInterrupt:
        return 130


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1
