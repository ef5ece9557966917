"""The ``desk-app`` command line.

``desk-app`` alone opens the GUI (found through the ``desk_app.gui`` entry point, so the
core never imports the UI package). Every other command works headless on the same
database and services as the GUI.

Every command ends the same way (``main``): its ``DeskError`` becomes one line on stderr
— the error's Vietnamese message — and the exit status of its kind:

====  =====================================================================
0     done
1     operational: network, server, sync errors, a desk not set up, a broken invariant
2     bad input, an unknown dossier code, a transition not allowed
3     storage damaged, full, read-only or locked
4     refused: wrong password, lock-out, role
====  =====================================================================

Anything else is a bug: one plain line naming its kind (never its text, which may
quote a citizen's data, and no traceback), and status 1.

The commands live one module per area (``desk``, ``holidays``, ``users``, ``dossiers``,
``lifecycle``, ``sync``, ``trust``) over ``common``; none imports another, and only this
package assembles them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desk_app import __version__
from desk_app.cli import desk, dossiers, holidays, lifecycle, sync, trust, users
from desk_app.cli.common import PROG, Parser, UsageError
from desk_app.config import DATA_DIR_ENV
from desk_app.errors import DeskError, user_message

__all__ = ["PROG", "UsageError", "build_parser", "main"]

EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Reception desk (Bộ phận Một cửa) of a commune People's Committee. "
        "Without a command, opens the desk window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"folder of the desk database (default: ${DATA_DIR_ENV}, else the user data folder)",
    )
    parser.set_defaults(func=desk.cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    # trust after users: ``users unlock`` joins the account commands.
    for area in (desk, holidays, users, dossiers, lifecycle, sync, trust):
        area.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # bad arguments: argparse's one line and status 2
    try:
        return int(args.func(args))
    except DeskError as exc:
        print(f"{PROG}: error: {exc.message}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        print(f"{PROG}: error: {user_message(exc)}", file=sys.stderr)
        return EXIT_UNEXPECTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
