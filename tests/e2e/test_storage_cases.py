"""The database file in trouble (issue 8, item 4), through the real program: a read-only
folder, many processes opening a new folder at once, an emptied file, a truncated one.

Each case ends in one plain line and its exit status, never a traceback, and never by
silently making a new, empty desk where one was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.db.keys import KEY_ID_FILE
from tests.conftest import DATABASE_FILE, REPO_ROOT, RunCli, cli_env
from tests.helpers.desk_files import INTAKE_LINE, connect_desk, dossier_count

LINE = INTAKE_LINE
PASSPHRASE_ENV = {"DESK_APP_BACKUP_PASSPHRASE": "cụm mật khẩu của xã Tân Phú"}

# Root ignores permission bits; without these capabilities it obeys them as anyone does.
AS_PLAIN_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    if os.geteuid() == 0
    else []
)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "079301001234" not in result.stderr
    return lines[0]


@pytest.fixture
def one_dossier(inited_dir: Path, run_cli: RunCli) -> str:
    saved = run_cli("intake", "--json", "-", input=LINE + "\n")
    assert saved.returncode == 0, saved.stderr
    return str(json.loads(saved.stdout)["code"])


@pytest.fixture
def backup_file(one_dossier: str, run_cli: RunCli, tmp_path: Path) -> Path:
    out = tmp_path / "backups" / "desk.deskbak"
    out.parent.mkdir()
    made = run_cli("backup", "--out", str(out), env=PASSPHRASE_ENV)
    assert made.returncode == 0, made.stderr
    return out


def test_a_read_only_folder_still_reads_says_the_audit_is_lost_and_writes_nothing(
    one_dossier: str, inited_dir: Path
) -> None:
    for extra in ("-wal", "-shm"):
        assert not (inited_dir / f"{DATABASE_FILE}{extra}").exists()
    before = dossier_count(inited_dir)
    inited_dir.chmod(0o555)
    try:

        def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*AS_PLAIN_USER, sys.executable, "-m", "desk_app", "--data-dir",
                 str(inited_dir), *args],
                input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT,
                env=cli_env(), timeout=60, check=False,
            )  # fmt: skip

        listed = run("list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [json.loads(x)["code"] for x in listed.stdout.splitlines()] == [one_dossier]
        assert "nhật ký truy cập" in one_line(listed)
        shown = run("show", one_dossier, "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["code"] == one_dossier
        assert "nhật ký truy cập" in one_line(shown)
        # A line not imported before (the same line again would be "already imported"
        # and need no write at all).
        fresh = json.dumps({**json.loads(LINE), "import_id": "read-only-folder"})
        refused = run("intake", "--json", "-", stdin=fresh + "\n")
        assert refused.returncode == 3, refused.stderr
        assert "chỉ cho đọc" in one_line(refused)
        assert refused.stdout == ""
    finally:
        inited_dir.chmod(0o755)
    assert dossier_count(inited_dir) == before
    assert sorted(p.name for p in inited_dir.iterdir()) == sorted([DATABASE_FILE, KEY_ID_FILE])


OPEN_AT_ONCE = """
import sys
from pathlib import Path
from desk_app.context import DeskContext
print("ready", flush=True)
sys.stdin.readline()  # the go, sent to every process at once
ctx = DeskContext.open(Path(sys.argv[1]))
print(len(ctx.catalogue.in_force(__import__("datetime").date(2026, 11, 23))))
ctx.close()
"""


def test_thirty_processes_opening_a_new_folder_at_once_all_succeed(tmp_path: Path) -> None:
    folder = tmp_path / "new-desk"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=cli_env(),
        )
        for _ in range(30)
    ]
    for child in children:  # every process imported and waiting, however loaded the machine
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n", child.communicate()[1]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outcomes = [(c.wait(timeout=180), *c.communicate()) for c in children]
    failed = [err for rc, _, err in outcomes if rc != 0]
    assert failed == [], failed[0]
    assert {out.strip() for _, out, _ in outcomes} == {"90"}  # one catalogue, loaded once
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        assert conn.execute("SELECT count(*) FROM catalogue_versions").fetchone() == (1,)
    finally:
        conn.close()
    assert not list(folder.glob(".*.new-*"))


def test_an_emptied_database_is_not_made_into_a_new_desk(
    backup_file: Path, inited_dir: Path, run_cli: RunCli
) -> None:
    (inited_dir / DATABASE_FILE).write_bytes(b"")
    for args in (("list", "--json"), ("procedures",)):
        result = run_cli(*args)
        assert result.returncode == 3, result.stderr
        assert str(backup_file.resolve()) in one_line(result)
    assert (inited_dir / DATABASE_FILE).stat().st_size == 0


def test_a_database_whose_desk_content_vanished_is_reported(
    backup_file: Path, inited_dir: Path, run_cli: RunCli
) -> None:
    (inited_dir / DATABASE_FILE).unlink()
    conn = connect_desk(inited_dir / DATABASE_FILE)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    result = run_cli("list", "--json")
    assert result.returncode == 3, result.stderr
    assert str(backup_file.resolve()) in one_line(result)
    conn = connect_desk(inited_dir / DATABASE_FILE)
    try:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    assert tables == [("notes",)]


def test_a_truncated_database_is_damaged_and_names_the_last_good_backup(
    backup_file: Path, inited_dir: Path, run_cli: RunCli
) -> None:
    path = inited_dir / DATABASE_FILE
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate((size // 2) // 4096 * 4096)
    result = run_cli("list", "--json")
    assert result.returncode == 3, result.stderr
    line = one_line(result)
    assert "bị hỏng" in line and f"desk-app restore {backup_file.resolve()}" in line
    restored = run_cli("restore", str(backup_file), "--yes", env=PASSPHRASE_ENV)
    assert restored.returncode == 0, restored.stderr
    assert dossier_count(inited_dir) == 1
