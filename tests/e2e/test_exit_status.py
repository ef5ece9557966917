"""Every ``desk-app`` command ends with the same exit statuses, through the real program:

0 done · 1 operational (network, server, sync) · 2 bad input (an unknown dossier code)
· 3 storage damaged, full, read-only or locked · 4 refused (the role may not).

Each failure is one plain line on stderr — no traceback, no citizen's data.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASE_FILE, TEST_OFFICER, RunCli, database_digest
from tests.district_server.conftest import ServerProcess, issue_code, launch_server

AGENCY = "000.20.33.H12"
PASSWORD = "mat-khau-tan-phu"
CCCD = "079301001234"
CITIZEN = "Trần Thị Hồng Nhung"
APPLICANT = {
    "name": CITIZEN, "cccd": CCCD, "date_of_birth": "2001-05-02",
    "phone": "+84 912 345 678", "address": "Ấp Bình Thạnh, Xã Tân Phú",
}  # fmt: skip
INTAKE_LINE = json.dumps({"procedure_code": "1.001193", "applicant": APPLICANT}, ensure_ascii=False)


def failure_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert CCCD not in result.stderr and CITIZEN not in result.stderr
    assert lines[0].startswith("desk-app: error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_0_done(run_cli: RunCli, inited_dir: Path) -> None:
    result = run_cli("procedures", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)


def test_1_operational_an_unreachable_server(run_cli: RunCli, inited_dir: Path) -> None:
    # Nothing listens on the port: the network is the trouble, not the input.
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("enroll", "--server", url, "--code", "ABCD-EFGH")
    assert result.returncode == 1
    assert "không kết nối được máy chủ huyện" in failure_line(result)


@pytest.fixture
def enrolled(
    run_cli: RunCli, inited_dir: Path, tmp_path: Path
) -> Iterator[tuple[ServerProcess, str]]:
    """This desk enrolled with a real district server (on SQLite); yields it and its
    database URL."""
    db_url = f"sqlite:///{tmp_path / 'district.db'}"
    server = launch_server(db_url, tmp_path / "logs")
    try:
        code = issue_code(db_url, AGENCY, 1)
        result = run_cli("enroll", "--server", server.base_url, "--code", code)
        assert result.returncode == 0, result.stderr
        yield server, db_url
    finally:
        server.stop()


def test_1_operational_sync_after_the_server_went_away(
    run_cli: RunCli, enrolled: tuple[ServerProcess, str]
) -> None:
    assert run_cli("intake", "--json", "-", input=INTAKE_LINE + "\n").returncode == 0
    enrolled[0].stop()

    result = run_cli("sync")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["error_codes"] == ["sync.unreachable"] and summary["pending"] == 1
    assert not summary["online"]


def test_1_operational_a_revoked_credential_is_its_own_code(
    run_cli: RunCli, enrolled: tuple[ServerProcess, str]
) -> None:
    revoked = subprocess.run(
        [sys.executable, "-m", "district_server", "revoke", "--commune", AGENCY,
         "--desk", "1", "--db", enrolled[1]],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    result = run_cli("sync")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    # The server answered: the desk is online, and must enrol again.
    assert summary["error_codes"] == ["sync.unauthorized"] and summary["online"]


def test_2_bad_input_an_unknown_dossier_code(run_cli: RunCli, inited_dir: Path) -> None:
    before = database_digest(inited_dir)
    result = run_cli("show", "000.20.33.H12-991231-1999")
    assert result.returncode == 2
    assert "không có hồ sơ mã '000.20.33.H12-991231-1999'" in failure_line(result)
    assert result.stdout == ""
    assert database_digest(inited_dir) == before


def test_3_storage_a_file_that_is_not_a_database(run_cli: RunCli, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    garbage = b"PK\x03\x04 a spreadsheet saved over the database " * 100
    (data_dir / DATABASE_FILE).write_bytes(garbage)
    result = run_cli("show", "000.20.33.H12-991231-1999")
    assert result.returncode == 3
    assert "hỏng" in failure_line(result)
    assert (data_dir / DATABASE_FILE).read_bytes() == garbage  # left as found, for recovery


def test_3_storage_a_folder_that_cannot_hold_the_database(run_cli: RunCli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("procedures", data_dir=blocker / "desk-data")
    assert result.returncode == 3
    failure_line(result)


def test_4_refused_a_role_without_the_permission(run_cli: RunCli, inited_dir: Path) -> None:
    for name, role in (("lan.nt", "admin"), ("chu.tich", "chair")):
        added = run_cli(
            "users", "add", name, "--role", role, "--by", TEST_OFFICER, input=PASSWORD + "\n"
        )
        assert added.returncode == 0, added.stderr
    before = database_digest(inited_dir)
    # The chair views and prints, but does not receive dossiers.
    result = run_cli(
        "intake", "--json", "-", "--officer", "chu.tich",
        input=INTAKE_LINE + "\n", env={"DESK_APP_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert result.returncode == 4
    assert "Chủ tịch UBND" in failure_line(result)
    assert result.stdout == ""
    assert database_digest(inited_dir) == before


def test_the_installed_entry_point_is_the_same_program(inited_dir: Path) -> None:
    script = shutil.which("desk-app", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the desk-app script is not installed next to this interpreter")
    result = subprocess.run(
        [script, "--data-dir", str(inited_dir), "show", "KHONG-CO"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    failure_line(result)
