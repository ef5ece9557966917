"""A wheel built from the checkout, installed into a new virtual environment outside it, runs
the desk's headless commands and the district server's migrations: everything it reads at run
time (migrations, catalogue, form template, fonts) comes from the installed wheel.

The new environment borrows the checkout environment's third-party packages through a path
line in a ``.pth`` file rather than installing PySide6 and friends again. A path line is not
scanned for ``.pth`` files of its own, so the checkout's editable-install finder stays out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from district_server.db import head_revision
from tests.helpers.desk_files import connect_desk

REPO_ROOT = Path(__file__).resolve().parents[2]
PDFTOTEXT = "/usr/bin/pdftotext"
PDFFONTS = "/usr/bin/pdffonts"
AGENCY = "000.20.33.H12"
APPLICANT = "Trần Thị Hồng Nhung"
# Copied into the build folder: what a source checkout holds, less environments and leftovers
# (a stale build/ folder would otherwise slip old files into the wheel).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*_cache"
)


@dataclass(frozen=True)
class Installed:
    bin: Path
    work: Path  # the working directory of every command: outside the checkout
    env: dict[str, str]

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=self.work,
            env=self.env, timeout=120, check=False,
        )  # fmt: skip

    def desk(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        data = str(self.work / "desk-data")
        return self.run(str(self.bin / "desk-app"), "--data-dir", data, *args, stdin=stdin)


def checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(REPO_ROOT)
    source = root / "source"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCE)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "DESK_APP_", "DISTRICT_SERVER_")) and k != "VIRTUAL_ENV"
    }
    env["PYTHONUTF8"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DESK_APP_PASSWORD"] = "mat-khau-tan-phu"  # lan.nt's, below: officers prove who acts
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    checked(subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "--wheel-dir", str(root / "dist"), str(source)],
        capture_output=True, text=True, cwd=root, env=env, timeout=300, check=False,
    ))  # fmt: skip
    [wheel] = (root / "dist").glob("desk_app-*.whl")

    venv = root / "venv"
    checked(subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        capture_output=True, text=True, timeout=120, check=False,
    ))  # fmt: skip
    python = venv / "bin" / "python"
    checked(subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, cwd=root, env=env, timeout=300, check=False,
    ))  # fmt: skip
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    borrowed = sysconfig.get_path("purelib")
    (Path(own_site) / "borrowed_dependencies.pth").write_text(borrowed + "\n", encoding="utf-8")

    work = root / "work"
    work.mkdir()
    return Installed(bin=venv / "bin", work=work, env=env)


def test_the_installed_program_reads_nothing_from_the_checkout(installed: Installed) -> None:
    probe = checked(installed.run(
        str(installed.bin / "python"), "-c",
        "import json, sys, desk_app, ui, district_server.db as d, desk_app.paths as p\n"
        "print(json.dumps({'modules': [desk_app.__file__, ui.__file__, d.__file__],\n"
        "  'data': [str(p.resource_path()), str(p.migrations_path('desk')),\n"
        "           str(d.migrations_dir())], 'path': sys.path}))",
    ))  # fmt: skip
    found = json.loads(probe.stdout)
    venv = installed.bin.parent.resolve()
    for file in found["modules"] + found["data"]:
        assert Path(file).exists() and Path(file).resolve().is_relative_to(venv), file
    for entry in found["path"]:
        folder = (installed.work / entry).resolve()  # "" is the command's working directory
        if any((folder / name).exists() for name in ("desk_app", "resources", "db")):
            assert folder.is_relative_to(venv), folder


def test_the_installed_desk_app_receives_a_dossier_and_prints_its_receipt(
    installed: Installed,
) -> None:
    checked(installed.desk(
        "init", "--commune", "Xã Tân Phú", "--province", "Đồng Nai",
        "--agency-code", AGENCY, "--desk", "1",
    ))  # fmt: skip
    added = checked(installed.desk(
        "users", "add", "lan.nt", "--role", "admin", "--full-name", "Nguyễn Thị Lan",
        stdin="mat-khau-tan-phu\n",
    ))  # fmt: skip
    # The first administrator also gets the desk's recovery code, printed once.
    assert added.stdout.splitlines()[0] == "account lan.nt (admin) created"
    assert added.stdout.splitlines()[1].startswith("recovery code: ")

    dossier = {
        "procedure_code": "1.001193",
        "applicant": {
            "name": APPLICANT, "cccd": "079301001234", "date_of_birth": "2001-05-02",
            "phone": "+84 912 345 678", "address": "Ấp Bình Thạnh, Xã Tân Phú",
        },
    }  # fmt: skip
    received = checked(
        installed.desk("intake", "--json", "-", stdin=json.dumps(dossier, ensure_ascii=False))
    )
    [saved] = [json.loads(line) for line in received.stdout.splitlines()]
    assert saved["status"] == "received"
    assert saved["code"].startswith(f"{AGENCY}-")

    pdf = installed.work / "receipt.pdf"
    checked(installed.desk("receipt", saved["code"], "--out", str(pdf)))
    text = checked(installed.run(PDFTOTEXT, "-layout", str(pdf), "-")).stdout
    assert saved["code"] in text
    assert APPLICANT in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    # The procedure's name comes from the shipped catalogue, the faces from the shipped fonts.
    assert "Thủ tục đăng ký khai sinh" in text
    fonts = checked(installed.run(PDFFONTS, str(pdf))).stdout
    assert "NotoSerif" in fonts


def test_the_installed_district_server_migrates_a_database(installed: Installed) -> None:
    database = installed.work / "district.sqlite3"
    checked(installed.run(
        str(installed.bin / "district-server"), "migrate", "--db", f"sqlite:///{database}"
    ))  # fmt: skip
    conn = connect_desk(database)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        [(revision,)] = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        conn.close()
    assert {"communes", "desks", "enrollment_codes", "credentials", "events"} <= tables
    assert revision == head_revision()  # of the checkout: every script shipped


def test_the_installed_window_opens_with_its_fonts(installed: Installed) -> None:
    env = dict(installed.env, QT_QPA_PLATFORM="offscreen", DESK_APP_STARTUP_PROBE="1")
    opened = subprocess.run(
        [str(installed.bin / "desk-app"), "--data-dir", str(installed.work / "window-data")],
        capture_output=True, text=True, encoding="utf-8", cwd=installed.work, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    checked(opened)
    assert "ready" in opened.stdout
    assert "font not loaded" not in opened.stderr
