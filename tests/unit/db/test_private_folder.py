"""Only the OS account running the desk reads its data folder (issue 8, item 6): the
folder 0700 and its files 0600, when made and again at each opening."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.keys import KEY_ID_FILE
from tests.helpers.desk_files import copy_desk_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    found.update({p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()})
    return found


def test_a_new_data_folder_is_private_to_its_account(tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    old = os.umask(0o022)  # a usual umask: without care, 0755 and 0644
    try:
        ctx = DeskContext.open(folder)
        try:
            seen = modes(folder)  # while open: with its -wal and -shm
        finally:
            ctx.close()
    finally:
        os.umask(old)
    assert {f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"} <= set(seen)
    assert seen.pop(".") == 0o700
    assert set(seen.values()) == {0o600}, seen


def test_an_existing_folder_with_loose_modes_is_tightened_at_opening(
    desk_template: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copied"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    target = copy_desk_database(desk_template, folder)
    target.chmod(0o644)
    (folder / KEY_ID_FILE).chmod(0o644)
    (folder / "notes.txt").write_text("x")
    (folder / "notes.txt").chmod(0o666)
    DeskContext.open(folder).close()
    seen = modes(folder)
    assert seen.pop(".") == 0o700
    assert set(seen.values()) == {0o600}, seen
