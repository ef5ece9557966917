"""The real ``desk-app`` command line, run as a child process on real data folders."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from desk_app import config
from desk_app.calendar import Duration, WorkingCalendar
from desk_app.cli import build_parser
from tests.conftest import DATABASE_FILE, INIT_ARGS, RunCli, database_digest
from tests.helpers.desk_files import connect_desk


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused command writes on stderr."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("desk-app")
    return lines[0]


def command_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command the parser knows, found by walking it."""

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [prefix]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += walk(sub, (*prefix, name))
        return found

    return walk(build_parser(), ())


def test_the_test_database_name_matches_the_app() -> None:
    assert config.DATABASE_FILE == DATABASE_FILE


def test_the_command_walk_finds_the_known_commands() -> None:
    paths = set(command_paths())
    assert {
        (),
        ("init",),
        ("procedures",),
        ("due-date",),
        ("holidays", "add-day-off"),
        ("holidays", "add-working-day"),
        ("holidays", "list"),
        ("seed-demo",),
    } <= paths


@pytest.mark.parametrize("command", command_paths(), ids=lambda c: " ".join(c) or "desk-app")
def test_help_of_every_command(command: tuple[str, ...], run_cli: RunCli, data_dir: Path) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: desk-app")
    assert result.stderr == ""
    assert not data_dir.exists(), "--help must not create the data folder"


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("desk-app 0.")
    from desk_app.db.migrate import HEAD_REVISION

    assert result.stdout.strip().endswith(f"(schema {HEAD_REVISION})")


# ------------------------------------------------------------------ init and procedures


def test_init_then_procedures(run_cli: RunCli, data_dir: Path) -> None:
    result = run_cli(*INIT_ARGS)
    assert result.returncode == 0, result.stderr
    assert "Xã Tân Phú" in result.stdout
    assert (data_dir / DATABASE_FILE).is_file()

    result = run_cli("procedures", "--json")
    assert result.returncode == 0, result.stderr
    procedures = json.loads(result.stdout)
    assert isinstance(procedures, list)
    assert len(procedures) == 90
    for p in procedures:
        assert {"code", "name", "field", "duration"} <= set(p)
        assert isinstance(p["duration"], str) and p["duration"]
    birth = next(p for p in procedures if p["code"] == "1.001193")
    assert birth["name"] == "Thủ tục đăng ký khai sinh"
    assert birth["duration"] == "Trong ngày" and birth["duration_kind"] == "same_day"
    assert birth["admin_review"]["confidence"] == "confirmed"
    assert "dichvucong.gov.vn" in birth["admin_review"]["source"]
    conflict = next(p for p in procedures if p["code"] == "1.004859")
    assert conflict["admin_review"]["flags"][0]["code"] == "duration_conflict"

    plain = run_cli("procedures", "--on", "2026-11-23")
    assert plain.returncode == 0, plain.stderr
    assert len(plain.stdout.splitlines()) == len(procedures)
    assert any(
        line.startswith("1.001193") and "Thủ tục đăng ký khai sinh" in line
        for line in plain.stdout.splitlines()
    )


def test_init_twice_updates_the_profile(inited_dir: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "init",
        "--commune",
        "Xã Tân Phú",
        "--province",
        "Đồng Nai",
        "--agency-code",
        "000.20.33.H12",
        "--desk",
        "2",
        "--result-place",
        "Quầy 2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("desk 2 of Xã Tân Phú")


# ------------------------------------------------------------------ due dates


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--received", "2026-11-23T16:00", "--same-day"), "2026-11-25T17:00"),
        (("--received", "2026-02-13T10:00", "--working-days", "2"), "2026-02-24T17:00"),
        (("--received", "2026-11-23T16:00", "--working-hours", "8"), "2026-11-25T16:00"),
        # 09:00 UTC is 16:00 in Vietnam: after the cut-off.
        (("--received", "2026-11-23T09:00+00:00", "--same-day"), "2026-11-25T17:00"),
    ],
)
def test_due_date(inited_dir: Path, run_cli: RunCli, args: tuple[str, ...], expected: str) -> None:
    # Every case here is also checked in tests/unit/test_calendar.py; this is the CLI path.
    result = run_cli("due-date", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == expected


# ------------------------------------------------------------------ bad input

BAD_INPUTS = [
    pytest.param(
        ("due-date", "--received", "23/11/2026 09:00", "--same-day"),
        "not an ISO 8601 date-time",
        id="unparseable-date",
    ),
    pytest.param(
        ("due-date", "--received", "2026-11-23T09:00", "--working-days", "-3"),
        "negative",
        id="negative-count",
    ),
    pytest.param(
        ("due-date", "--received", "2026-11-23T09:00", "--working-days", "2", "--same-day"),
        "not allowed with",
        id="working-days-and-same-day",
    ),
    pytest.param(("due-date", "--same-day"), "--received", id="missing-received"),
    pytest.param(
        ("due-date", "--received", "2026-11-23T09:00"), "one of the arguments", id="no-duration"
    ),
    pytest.param(
        ("due-date", "--received", "2026-11-23T09:00", "--working-days", "99999"),
        "unreasonably large",
        id="huge-count",
    ),
    pytest.param(
        (
            "init",
            "--commune",
            "Xã Tân Phú",
            "--province",
            "Đồng Nai",
            "--agency-code",
            "H12",
            "--desk",
            "1",
        ),
        "Mã đơn vị phải có dạng 000.00.00.H00",
        id="bad-agency-code",
    ),
    pytest.param(
        (
            "init",
            "--commune",
            "Xã Tân Phú",
            "--province",
            "Đồng Nai",
            "--agency-code",
            "000.20.33.H12",
            "--desk",
            "0",
        ),
        "--desk: must be at least 1",
        id="desk-0",
    ),
    pytest.param(
        (
            "init",
            "--commune",
            "Xã Tân Phú",
            "--province",
            "Đồng Nai",
            "--agency-code",
            "000.20.33.H12",
            "--desk",
            "10",
        ),
        "số quầy 10",
        id="desk-10-one-digit-field",
    ),
    pytest.param(
        (
            "init",
            "--commune",
            "Xã Tân Phú",
            "--province",
            "Đồng Nai",
            "--agency-code",
            "000.20.33.H12",
            "--desk",
            "1",
            "--office-hours",
            "7h30-17h",
        ),
        "giờ làm việc",
        id="bad-office-hours",
    ),
    pytest.param(("frobnicate",), "invalid choice", id="unknown-command"),
    pytest.param(("holidays", "list", "--year", "20260"), "outside 1990", id="year-typo"),
    pytest.param(
        ("holidays", "add-day-off", "2026-11-22", "--reason", "Nghỉ"),
        "không phải ngày làm việc",
        id="day-off-on-a-sunday",
    ),
    pytest.param(
        ("holidays", "add-working-day", "2026-11-23", "--reason", "Làm bù"),
        "vốn đã là ngày làm việc",
        id="working-day-on-a-monday",
    ),
    pytest.param(
        ("holidays", "add-day-off", "2026-11-25", "--reason", "  "),
        "must not be empty",
        id="empty-reason",
    ),
    pytest.param(
        ("holidays", "add-day-off", "25/11/2026", "--reason", "Nghỉ"),
        "not a date",
        id="override-date-unparseable",
    ),
    pytest.param(
        ("due-date", "--received", "2200-01-01T10:00", "--working-days", "2"),
        "2200",
        id="received-year-out-of-range",
    ),
    pytest.param(
        ("holidays", "add-day-off", "2200-01-05", "--reason", "Nghỉ"),
        "2200",
        id="override-year-out-of-range",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_one_line_and_writes_nothing(
    inited_dir: Path, run_cli: RunCli, args: tuple[str, ...], message: str
) -> None:
    before = database_digest(inited_dir)
    files_before = sorted(p.name for p in inited_dir.iterdir())
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert message in one_error_line(result)
    assert result.stdout == ""
    assert database_digest(inited_dir) == before
    assert sorted(p.name for p in inited_dir.iterdir()) == files_before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((*INIT_ARGS[:-1], "0"), id="desk-0"),
        pytest.param(
            (
                "init",
                "--commune",
                "Xã Tân Phú",
                "--province",
                "Đồng Nai",
                "--agency-code",
                "000.20.33",
                "--desk",
                "1",
            ),
            id="bad-agency-code",
        ),
        pytest.param(("due-date", "--received", "hôm qua", "--same-day"), id="unparseable-date"),
        pytest.param(("frobnicate",), id="unknown-command"),
    ],
)
def test_bad_input_on_a_fresh_folder_creates_no_database(
    run_cli: RunCli, data_dir: Path, args: tuple[str, ...]
) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    one_error_line(result)
    assert not data_dir.exists()


def test_override_on_a_desk_not_set_up_is_an_operational_error(run_cli: RunCli) -> None:
    result = run_cli("holidays", "add-day-off", "2026-11-25", "--reason", "Nghỉ")
    assert result.returncode == 1
    assert "chưa được thiết lập" in one_error_line(result)


# ------------------------------------------------------------------ calendar overrides


def due_line(run_cli: RunCli, received: str, working_days: int) -> str:
    result = run_cli("due-date", "--received", received, "--working-days", str(working_days))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[0]


def test_administrator_overrides_move_due_dates(inited_dir: Path, run_cli: RunCli) -> None:
    """add-day-off and add-working-day through the CLI, a refused one, then list and due-date.

    The "before" dates come from the pure calendar (in-process) to spare subprocesses;
    tests/unit/test_calendar.py checks the same dates through CalendarAdmin.
    """
    plain = WorkingCalendar()
    monday, thursday = dt.datetime(2026, 11, 23, 9, 0), dt.datetime(2026, 12, 3, 9, 0)
    assert plain.due_at(monday, Duration("working_days", 1)) == dt.datetime(2026, 11, 25, 17, 0)
    assert plain.due_at(thursday, Duration("working_days", 2)) == dt.datetime(2026, 12, 7, 17, 0)

    result = run_cli("holidays", "add-day-off", "2026-11-25", "--reason", "QĐ 12/QĐ-UBND")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-11-25 is now a day off: QĐ 12/QĐ-UBND"
    result = run_cli("holidays", "add-working-day", "2026-12-05", "--reason", "Làm bù")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-12-05 is now a working day: Làm bù"

    # A day off on a Sunday makes no sense: refused, and nothing written.
    before = database_digest(inited_dir)
    refused = run_cli("holidays", "add-day-off", "2026-11-22", "--reason", "Chủ nhật")
    assert refused.returncode == 2
    assert "không phải ngày làm việc" in one_error_line(refused)
    assert database_digest(inited_dir) == before

    listed = run_cli("holidays", "list", "--year", "2026", "--json")
    assert listed.returncode == 0, listed.stderr
    days = {d["date"]: d for d in json.loads(listed.stdout)}
    overrides = {k: v for k, v in days.items() if v["source"] == "override"}
    assert overrides == {
        "2026-11-25": {
            "date": "2026-11-25",
            "working": False,
            "source": "override",
            "reason": "QĐ 12/QĐ-UBND",
        },
        "2026-12-05": {
            "date": "2026-12-05",
            "working": True,
            "source": "override",
            "reason": "Làm bù",
        },
    }
    assert days["2026-11-24"]["source"] == "holiday"
    assert days["2026-11-24"]["working"] is False
    assert {f"2026-02-{d}" for d in range(16, 21)} <= set(days)

    assert due_line(run_cli, "2026-11-23T09:00", 1) == "2026-11-26T17:00"
    assert due_line(run_cli, "2026-12-03T09:00", 2) == "2026-12-05T17:00"


def test_an_override_is_cleared_through_the_cli(inited_dir: Path, run_cli: RunCli) -> None:
    result = run_cli("holidays", "add-day-off", "2026-11-25", "--reason", "QĐ 12/QĐ-UBND")
    assert result.returncode == 0, result.stderr
    assert due_line(run_cli, "2026-11-23T09:00", 1) == "2026-11-26T17:00"

    result = run_cli("holidays", "clear", "2026-11-25")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-11-25 follows the official calendar again"
    assert due_line(run_cli, "2026-11-23T09:00", 1) == "2026-11-25T17:00"
    conn = connect_desk(inited_dir / DATABASE_FILE)
    try:
        kinds = conn.execute(
            "SELECT kind FROM events WHERE kind LIKE 'calendar.%' ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    assert kinds == [("calendar.override_set",), ("calendar.override_cleared",)]

    # Nothing left to clear: one plain line, nothing written.
    before = database_digest(inited_dir)
    refused = run_cli("holidays", "clear", "2026-11-25")
    assert refused.returncode == 2
    assert "không có ngoại lệ" in one_error_line(refused)
    assert database_digest(inited_dir) == before


# ------------------------------------------------------------------ where the data lives


def test_data_dir_environment_variable_works_like_the_option(
    run_cli: RunCli, tmp_path: Path
) -> None:
    target = tmp_path / "from-env"
    result = run_cli(*INIT_ARGS, data_dir=None, env={"DESK_APP_DATA_DIR": str(target)})
    assert result.returncode == 0, result.stderr
    assert (target / DATABASE_FILE).is_file()
    assert database_digest(target) != []


def test_data_dir_option_wins_over_the_environment(run_cli: RunCli, tmp_path: Path) -> None:
    env_dir, option_dir = tmp_path / "env", tmp_path / "option"
    result = run_cli(*INIT_ARGS, data_dir=option_dir, env={"DESK_APP_DATA_DIR": str(env_dir)})
    assert result.returncode == 0, result.stderr
    assert (option_dir / DATABASE_FILE).is_file()
    assert not env_dir.exists()


def test_quick_reference_is_written_as_a_pdf(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "tra-cuu.pdf"
    result = run_cli("quick-reference", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    refused = run_cli("quick-reference", "--out", str(tmp_path))  # a folder
    assert refused.returncode == 2
