"""Where this desk keeps its data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "desk-app"
DATA_DIR_ENV = "DESK_APP_DATA_DIR"
DATABASE_FILE = "desk.sqlite3"
#: forms this desk corrected (``FORM.toml`` files replacing the shipped ones), in the data folder
TEMPLATES_FOLDER = "templates"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``$DESK_APP_DATA_DIR``, else the user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
