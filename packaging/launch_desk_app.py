"""Frozen-build entry point: the ``desk-app`` command, GUI included (the spec bundles the
package metadata that names the GUI's entry point)."""

import sys

from desk_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
