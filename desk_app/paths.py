"""Where the shipped data lives: ``resources/`` and ``db/migrations/``.

Both sit beside the Python packages in the source tree (an editable install uses them in
place); a PyInstaller build unpacks them under ``sys._MEIPASS`` with the same layout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``resources/`` and ``db/``."""
    override = os.environ.get("DESK_APP_ROOT")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``."""
    return project_root().joinpath("resources", *parts)


def migrations_path(name: str) -> Path:
    """An Alembic script folder under ``db/migrations/`` (``desk`` or ``district``)."""
    return project_root() / "db" / "migrations" / name
