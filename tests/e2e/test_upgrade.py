"""A newer desk app opens every database an older release wrote, keeping every dossier,
account and due date, takes a copy first, and says what changed.

The fixtures in ``tests/data/upgrade/REV/`` were written by the released program itself
(``make_fixture.sh COMMIT REV`` runs the old code): accounts, a calendar override, three
dossiers and a stored receipt, with the old program's own ``list --json`` and
``show --json`` beside them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desk_app.db.migrate import HEAD_REVISION, KNOWN_REVISIONS
from tests.conftest import RunCli
from tests.helpers.desk_files import connect_desk

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "upgrade"
RELEASED = sorted(p.name for p in FIXTURES.iterdir() if (p / "desk.sqlite3").exists())
OFFICER = {"DESK_APP_OFFICER": "canbo1", "DESK_APP_PASSWORD": "Can-bo-2026"}
ADMIN = {"DESK_APP_OFFICER": "quantri1", "DESK_APP_PASSWORD": "Quan-tri-2026"}
# What an upgrade must keep of each dossier, exactly as the old program showed it.
KEPT = ("code", "uuid", "status", "procedure_code", "procedure_name", "channel",
        "received_at", "due_at", "applicant", "representative", "documents")  # fmt: skip


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_every_released_revision_has_a_fixture() -> None:
    # 0002 was the first release (0001 never shipped alone); 0004 is this month's.
    assert {"0002", "0003", "0004"} <= set(RELEASED)
    assert set(RELEASED) <= set(KNOWN_REVISIONS)


@pytest.mark.parametrize("revision", RELEASED)
def test_an_older_database_opens_with_everything_intact(
    revision: str, run_cli: RunCli, data_dir: Path
) -> None:
    source = FIXTURES / revision
    data_dir.mkdir(parents=True)
    shutil.copyfile(source / "desk.sqlite3", data_dir / "desk.sqlite3")
    before = _lines((source / "list.jsonl").read_text(encoding="utf-8"))
    shown_before = _lines((source / "show.jsonl").read_text(encoding="utf-8"))

    listed = run_cli("list", "--json", env=OFFICER)
    assert listed.returncode == 0, listed.stderr
    after = _lines(listed.stdout)
    assert [d["code"] for d in after] == [d["code"] for d in before]
    for old, new in zip(before, after, strict=True):
        for key in KEPT:
            if key in old:
                assert new[key] == old[key], (revision, old["code"], key)

    # The upgrade said what it did, once, and kept a copy of the old file first.
    if revision != HEAD_REVISION:
        assert f"từ phiên bản lược đồ {revision} lên {HEAD_REVISION}" in listed.stderr
        copies = list((data_dir / "pre-upgrade").glob(f"desk-{revision}-*.sqlite3"))
        assert len(copies) == 1
        with connect_desk(copies[0]) as old_db:
            version = old_db.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == (revision,)
    again = run_cli("list", "--json", env=OFFICER)
    assert again.returncode == 0 and "nâng cấp" not in again.stderr

    for old in shown_before:
        shown = run_cli("show", str(old["code"]), "--json", env=OFFICER)
        assert shown.returncode == 0, shown.stderr
        new = json.loads(shown.stdout)
        for key in KEPT:
            if key in old:
                assert new[key] == old[key], (revision, old["code"], key)
        assert new["due_at"] is not None

    # Both accounts still log in with their passwords, with their roles.
    receipt = run_cli(
        "receipt", str(before[0]["code"]), "--out", str(data_dir / "r.pdf"), env=OFFICER
    )
    assert receipt.returncode == 0, receipt.stderr
    unlock = run_cli("users", "unlock", "canbo1", env=ADMIN)
    assert unlock.returncode == 0, unlock.stderr
    wrong = run_cli("users", "unlock", "canbo1", env={**ADMIN, "DESK_APP_OFFICER": "canbo1"})
    assert wrong.returncode == 4  # an officer is not an administrator

    # The calendar override the old desk recorded still moves due dates.
    days = run_cli("holidays", "list", "--year", "2026", "--json")
    assert days.returncode == 0, days.stderr
    assert "2026-12-31" in days.stdout
