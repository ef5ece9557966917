"""Looking into a desk's data folder from a test, as a separate reader of the file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

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


def dossier_count(folder: Path) -> int:
    """How many dossiers the desk database in ``folder`` holds (committed ones)."""
    conn = sqlite3.connect(folder / DATABASE_FILE)
    try:
        return int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0])
    finally:
        conn.close()
