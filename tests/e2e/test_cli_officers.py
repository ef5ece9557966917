"""Officers prove who they are on the command line (issue 8, item 3): every command that
reads or changes the desk's records needs the acting officer's password from
``$DESK_APP_PASSWORD``, ``--password-file`` or a prompt on the terminal — never from
standard input. A wrong password exits 4 and counts towards the lock-out.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    DATABASE_FILE,
    INIT_ARGS,
    REPO_ROOT,
    TEST_OFFICER,
    TEST_PASSWORD,
    cli_env,
)
from tests.helpers.desk_files import INTAKE_LINE, connect_desk

LINE = INTAKE_LINE


def cli(
    folder: Path | None, *args: str, stdin: str | None = None, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real program, in a session of its own (no terminal to prompt on); with
    ``$DESK_APP_PASSWORD`` only when ``password`` is given."""
    env = cli_env({"DESK_APP_PASSWORD": password} if password else None, drop=["DESK_APP_OFFICER"])
    if password is None:
        env.pop("DESK_APP_PASSWORD", None)
    command = [sys.executable, "-m", "desk_app"]
    if folder is not None:
        command += ["--data-dir", str(folder)]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
        cwd=REPO_ROOT, env=env, timeout=60, check=False, start_new_session=True,
    )  # fmt: skip


def rows(folder: Path, sql: str) -> list[tuple[object, ...]]:
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def dossiers(folder: Path) -> int:
    return int(rows(folder, "SELECT count(*) FROM dossiers")[0][0])


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# Every command that acts, with arguments that get it past the parser.
ACTING = [
    ("intake", "--json", "-"),
    ("receipt", "000.20.33.H12-261123-1001", "--out", "{tmp}/r.pdf"),
    ("show", "000.20.33.H12-261123-1001"),
    ("list", "--json"),
    ("users", "list"),
    ("users", "add", "hoa.lt", "--role", "officer"),
    ("users", "unlock", "hoa.lt"),
    ("holidays", "add-day-off", "2026-11-25", "--reason", "Nghỉ"),
    ("holidays", "add-working-day", "2026-11-28", "--reason", "Làm bù"),
    ("seed-demo", "--dossiers", "3"),
    ("enroll", "--server", "http://127.0.0.1:9", "--code", "ABCD-EFGH"),
    ("backup", "--out", "{tmp}/b.deskbak"),
    ("backup", "config", "--keep", "3"),
    ("backup", "status"),
    (*INIT_ARGS[:-1], "2"),
]


@pytest.mark.parametrize("command", ACTING, ids=lambda c: " ".join(c[:2]))
def test_every_acting_command_needs_the_password_and_stdin_never_gives_it(
    command: tuple[str, ...], inited_dir: Path, tmp_path: Path
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    before = rows(inited_dir, "SELECT count(*) FROM dossiers")
    # The password on standard input (first line) must not be taken as the proof.
    result = cli(inited_dir, *args, stdin=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n{LINE}\n")
    assert result.returncode == 4, result.stderr
    assert "DESK_APP_PASSWORD" in one_line(result)
    assert result.stdout == ""
    assert rows(inited_dir, "SELECT count(*) FROM dossiers") == before
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.deskbak"))


@pytest.mark.parametrize(
    "command",
    [
        ("procedures",),
        ("due-date", "--received", "2026-11-23T09:00", "--working-days", "2"),
        ("holidays", "list", "--year", "2026"),
        ("backup", "daily"),
    ],
    ids=lambda c: c[0],
)
def test_the_commands_that_act_as_no_one_need_no_password(
    command: tuple[str, ...], inited_dir: Path
) -> None:
    result = cli(inited_dir, *command)
    # ``backup daily`` is skipped (no folder configured: exit 1), never refused.
    assert result.returncode in (0, 1), result.stderr
    assert "DESK_APP_PASSWORD" not in result.stderr


def test_a_new_desk_is_set_up_and_given_its_first_account_without_a_password(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "new"
    assert cli(folder, *INIT_ARGS).returncode == 0
    first = cli(folder, "users", "add", "quan.tri", "--role", "admin", stdin="mat-khau-1\n")
    assert first.returncode == 0, first.stderr
    # The second account is an administrator's act: the first one proves it.
    second = cli(folder, "users", "add", "lan.nt", "--role", "officer", stdin="mat-khau-2\n")
    assert second.returncode == 4
    done = cli(
        folder, "users", "add", "lan.nt", "--role", "officer", stdin="mat-khau-2\n",
        password="mat-khau-1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert ("quan.tri", "user_added", "lan.nt") in rows(
        folder, "SELECT username, action, object_ref FROM audit_log"
    )
    # Without any account, an acting command says to create one first.
    empty = tmp_path / "empty"
    assert cli(empty, *INIT_ARGS).returncode == 0
    refused = cli(empty, "list", password="anything")
    assert refused.returncode == 4
    assert "users add" in one_line(refused)


def test_a_wrong_password_exits_4_and_five_lock_the_name(inited_dir: Path) -> None:
    for _ in range(4):
        wrong = cli(inited_dir, "list", password="sai-mat-khau")
        assert wrong.returncode == 4
        assert one_line(wrong) == "desk-app: error: Tên đăng nhập hoặc mật khẩu không đúng."
    locked = cli(inited_dir, "list", password="sai-mat-khau")
    assert locked.returncode == 4
    assert "thử lại sau 30 giây" in one_line(locked)
    # Locked: even the right password waits now.
    still = cli(inited_dir, "list", password=TEST_PASSWORD)
    assert still.returncode == 4 and "thử lại sau" in one_line(still)
    assert rows(inited_dir, "SELECT count(*) FROM audit_log WHERE action = 'login_failed'") == [
        (6,)
    ]
    assert rows(inited_dir, "SELECT failed_count FROM login_attempts") == [(5,)]


def test_a_password_file_proves_the_officer(inited_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    done = cli(inited_dir, "intake", "--json", "-", "--password-file", str(secret), stdin=LINE)
    assert done.returncode == 0, done.stderr
    assert dossiers(inited_dir) == 1
    # The file wins over the environment.
    secret.write_text("sai-mat-khau\n", encoding="utf-8")
    wrong = cli(inited_dir, "list", "--password-file", str(secret), password=TEST_PASSWORD)
    assert wrong.returncode == 4
    missing = cli(inited_dir, "list", "--password-file", str(tmp_path / "none"))
    assert missing.returncode == 2 and "tệp mật khẩu" in one_line(missing)


def test_holidays_are_declared_in_the_proven_officers_name(inited_dir: Path) -> None:
    old = cli(
        inited_dir, "holidays", "add-day-off", "2026-11-25", "--reason", "Nghỉ",
        "--actor", "ai-do", password=TEST_PASSWORD,
    )  # fmt: skip
    assert old.returncode == 2 and "--actor" in old.stderr
    done = cli(
        inited_dir, "holidays", "add-day-off", "2026-11-25", "--reason", "Nghỉ",
        password=TEST_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert rows(inited_dir, "SELECT created_by FROM calendar_overrides") == [(TEST_OFFICER,)]
    assert (TEST_OFFICER, "login") in rows(inited_dir, "SELECT username, action FROM audit_log")


def test_users_add_by_proves_the_administrator(inited_dir: Path) -> None:
    wrong = cli(
        inited_dir, "users", "add", "hoa.lt", "--role", "admin", "--by", TEST_OFFICER,
        stdin="mat-khau-moi\n", password="sai-mat-khau",
    )  # fmt: skip
    assert wrong.returncode == 4
    assert rows(inited_dir, "SELECT username FROM users") == [(TEST_OFFICER,)]


def _read_until(fd: int, marker: bytes, deadline: float) -> bytes:
    seen = b""
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_without_a_password_the_officer_is_asked_on_the_terminal(
    inited_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(LINE + "\n", encoding="utf-8")
    env = cli_env(drop=["DESK_APP_PASSWORD", "DESK_APP_OFFICER"])
    command = [sys.executable, "-m", "desk_app", "--data-dir", str(inited_dir)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal, as a person at the desk has
        os.chdir(REPO_ROOT)
        os.execve(sys.executable, [*command, "intake", "--json", str(source)], env)
    try:
        deadline = time.monotonic() + 60
        prompt = _read_until(fd, b":", deadline)
        assert f"Mật khẩu của {TEST_OFFICER}".encode() in prompt
        os.write(fd, TEST_PASSWORD.encode() + b"\n")
        rest = _read_until(fd, b"}", deadline)
        assert TEST_PASSWORD.encode() not in prompt + rest  # not echoed
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert dossiers(inited_dir) == 1
