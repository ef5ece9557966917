"""Looking into a desk's data folder from a test, as a separate reader of the file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

DATABASE_FILE = "desk.sqlite3"

# One valid ``intake --json`` line (a birth registration), for tests that need a dossier.
INTAKE_LINE = json.dumps(
    {
        "procedure_code": "1.001193",
        "applicant": {
            "name": "Trần Thị Hồng Nhung", "cccd": "079301001234",
            "date_of_birth": "2001-05-02", "address": "Ấp Bình Thạnh, Xã Tân Phú",
        },
    },
    ensure_ascii=False,
)  # fmt: skip


def connect_desk(database: str | Path, **kwargs: Any) -> sqlite3.Connection:
    """A raw connection to a desk database file (the desk's own, a pre-upgrade copy or a
    kept one), keyed as the app keys it: the file is encrypted at rest. ``database`` may
    be a ``file:`` URI (with ``uri=True``)."""
    from desk_app.db import cipher, keys

    path = Path(str(database).removeprefix("file:").split("?")[0])
    key = None
    for folder in (path.parent, path.parent.parent):
        if (folder / keys.KEY_ID_FILE).exists():
            key = keys.load_key(folder)
            break
    return cipher.connect(database, key, **kwargs)


def copy_desk_database(database: Path, folder: Path) -> Path:
    """Copy the desk database file ``database`` (with its -wal and -shm, if any) and the
    name of its key into ``folder``: the copy opens as the original does."""
    import shutil

    from desk_app.db.keys import KEY_ID_FILE

    folder.mkdir(parents=True, exist_ok=True)
    for f in database.parent.glob(f"{database.name}*"):
        if f.name in (database.name, f"{database.name}-wal", f"{database.name}-shm"):
            shutil.copyfile(f, folder / f.name.replace(database.name, DATABASE_FILE))
    key_id = database.parent / KEY_ID_FILE
    if key_id.exists():
        shutil.copyfile(key_id, folder / KEY_ID_FILE)
    return folder / DATABASE_FILE


def dossier_count(folder: Path) -> int:
    """How many dossiers the desk database in ``folder`` holds (committed ones)."""
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        return int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0])
    finally:
        conn.close()
