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
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from district_server.db import (
    DB_ENV_VAR,
    DatabaseUrlError,
    default_db_url,
    make_engine,
    make_session_factory,
    migrate,
    normalize_db_url,
    safe_url,
)
from district_server.enrollment import issue_code, revoke_desk
from district_server.errors import DistrictServerError
from district_server.schemas import MAX_DESK_NUMBER, is_agency_code

if TYPE_CHECKING:
    from sqlalchemy import Engine

PROG = "district-server"
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


def _cmd_run(args: argparse.Namespace, db_url: str) -> int:
    import uvicorn

    from district_server.app import create_app

    _migrated_engine(db_url).dispose()
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        raise CommandFailedError(f"cannot listen on {args.host}:{args.port}: {exc}") from exc
    tls = args.certfile is not None
    config = uvicorn.Config(
        create_app(db_url),
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_config=_log_config(),
        timeout_graceful_shutdown=5,
    )
    try:
        config.load()
    except (OSError, ValueError) as exc:
        sock.close()
        raise CommandFailedError(f"cannot load the TLS certificate or key: {exc}") from exc
    bound_port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    announcement = f"listening on {'https' if tls else 'http'}://{shown_host}:{bound_port}"

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
    run.set_defaults(handler=_cmd_run)

    enroll = commands.add_parser(
        "enroll",
        help="issue a one-time enrolment code for a desk",
        description="Print a one-time code the desk trades for its token (code on line 1).",
    )
    enroll.add_argument("--commune", required=True, type=_agency_code, metavar="AGENCY_CODE")
    enroll.add_argument("--desk", required=True, type=_desk_number, metavar="N")
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
    except (CommandFailedError, DatabaseUrlError) as exc:
        return _fail(str(exc))
    except DistrictServerError as exc:
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
