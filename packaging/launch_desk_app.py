"""Frozen-build entry point: entry-point metadata is not available inside the bundle,
so the GUI is started directly when no command is given."""

import sys

from desk_app.cli import main

if __name__ == "__main__":
    if len(sys.argv) == 1:
        from desk_app.config import resolve_data_dir
        from ui.app import run

        sys.exit(run(resolve_data_dir(None)))
    sys.exit(main())
