"""Where the shipped data lives: ``resources/`` and ``db/migrations/desk/``.

The source tree keeps them at its top; they install as the packages ``desk_app._resources``
and ``desk_app._migrations`` (setup.py), so ``importlib.resources`` finds them the same way
in the checkout (editable install), an installed wheel and a PyInstaller build.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from importlib.resources import as_file, files
from pathlib import Path

RESOURCES_PACKAGE = "desk_app._resources"
MIGRATIONS_PACKAGES = {"desk": "desk_app._migrations"}

# Fonts (ReportLab, Qt) and Alembic need real paths that stay valid for the process's life.
# An install on disk hands them out as they are; a zipped one would be extracted once, here.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


@functools.cache
def _folder(package: str) -> Path:
    return _extracted.enter_context(as_file(files(package)))


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``."""
    return _folder(RESOURCES_PACKAGE).joinpath(*parts)


def migrations_path(name: str) -> Path:
    """The Alembic script folder of the desk database (``name`` is ``"desk"``).

    The district server's scripts belong to it (``district_server.db.migrations_dir``).
    """
    try:
        package = MIGRATIONS_PACKAGES[name]
    except KeyError:
        raise ValueError(f"no migrations named {name!r} ship with the desk app") from None
    return _folder(package)
