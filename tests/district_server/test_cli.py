"""The ``district-server`` command line, run as a real process."""

from __future__ import annotations

import re
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from district_server.cli import main as cli_main
from tests.district_server.conftest import run_cli, subprocess_env

COMMUNE_A = "000.20.33.H12"

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process: same code path as the console script."""
    try:
        status: object = cli_main(list(args))
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    assert isinstance(status, int)
    return status, captured.out, captured.err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: district-server")
    for command in ("run", "enroll", "revoke", "migrate"):
        status, out, _err = _in_process(capsys, command, "--help")
        assert status == 0
        assert out.startswith(f"usage: district-server {command}")
        assert "--db" in out


def test_bad_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    cases = [
        [],
        ["frobnicate"],
        ["enroll", "--db", db, "--desk", "1"],
        ["enroll", "--db", db, "--commune", "20.33.H12", "--desk", "1"],
        ["enroll", "--db", db, "--commune", "000.20.33.H1Z", "--desk", "1"],
        ["enroll", "--db", db, "--commune", "٠٠٠.20.33.H12", "--desk", "1"],  # non-ASCII digits
        ["enroll", "--db", db, "--commune", COMMUNE_A, "--desk", "0"],
        ["enroll", "--db", db, "--commune", COMMUNE_A, "--desk", "one"],
        ["enroll", "--db", db, "--commune", COMMUNE_A, "--desk", "1", "--expires-days", "0"],
        ["revoke", "--db", db, "--commune", COMMUNE_A],
        ["run", "--db", db, "--certfile", "cert.pem"],
        ["run", "--db", db, "--keyfile", "key.pem"],
        ["run", "--db", db, "--port", "70000"],
        ["migrate", "--db", "mysql://user@host/db"],
        ["migrate", "--db", "not a url"],
        ["migrate", "--db", "sqlite://"],
    ]
    for args in cases:
        status, out, err = _in_process(capsys, *args)
        assert status == 2, (args, err)
        lines = err.splitlines()
        assert len(lines) == 1, (args, err)
        assert lines[0].startswith("district-server") and "error:" in lines[0], (args, lines)
        assert out == ""

    monkeypatch.setenv("DISTRICT_SERVER_DB", "nonsense")
    status, _out, err = _in_process(capsys, "migrate")
    assert status == 2
    assert err.count("\n") == 1 and "DISTRICT_SERVER_DB" in err
    assert not (tmp_path / "x.db").exists()

    # And as a real process, the exit status the shell sees.
    result = run_cli("enroll", "--db", db, "--commune", "bad", "--desk", "1")
    assert result.returncode == 2
    assert result.stderr.startswith("district-server enroll: error: argument --commune")
    assert len(result.stderr.splitlines()) == 1


def test_enroll_prints_the_code_alone_on_the_first_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'district.db'}"
    result = run_cli("enroll", "--db", db, "--commune", COMMUNE_A, "--desk", "3")
    assert result.returncode == 0, result.stderr
    # stdout holds the code alone; the explanation is on stderr.
    assert len(result.stdout.splitlines()) == 1, result.stdout
    first = result.stdout.strip()
    assert CODE_RE.match(first), first
    assert COMMUNE_A in result.stderr
    with sqlite3.connect(tmp_path / "district.db") as connection:
        stored = [row[0] for row in connection.execute("SELECT code_hash FROM enrollment_codes")]
    assert len(stored) == 1
    assert first.replace("-", "") not in stored[0]  # only a hash is kept


def test_database_comes_from_the_environment_or_the_user_data_folder(tmp_path: Path) -> None:
    from_env = tmp_path / "env.db"
    result = run_cli("migrate", env=subprocess_env(DISTRICT_SERVER_DB=f"sqlite:///{from_env}"))
    assert result.returncode == 0, result.stderr
    assert from_env.exists()

    data_home = tmp_path / "data-home"
    result = run_cli(
        "enroll",
        "--commune",
        COMMUNE_A,
        "--desk",
        "1",
        env=subprocess_env(XDG_DATA_HOME=str(data_home)),
    )
    assert result.returncode == 0, result.stderr
    default_db = data_home / "district-server" / "district.db"
    assert default_db.exists()
    with sqlite3.connect(default_db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_operational_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'district.db'}"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        cases = [
            ["revoke", "--db", db, "--commune", COMMUNE_A, "--desk", "9"],
            ["migrate", "--db", "postgresql://nobody@127.0.0.1:1/none"],
            ["migrate", "--db", f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"],
            ["run", "--db", db, "--port", port],
            ["run", "--db", db, "--port", "0", "--certfile", "/nope.pem", "--keyfile", "/no.pem"],
        ]
        with ThreadPoolExecutor(len(cases)) as pool:
            results = list(pool.map(lambda args: run_cli(*args), cases))
    for args, result in zip(cases, results, strict=True):
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("district-server: error: "), (args, lines)
    assert "never enrolled" in results[0].stderr
    assert "cannot listen" in results[3].stderr


@pytest.mark.postgres
def test_migrate_twice_on_postgres(postgres_url: str) -> None:
    for _ in range(2):
        result = run_cli("migrate", "--db", postgres_url)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
