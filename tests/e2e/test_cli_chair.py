"""``desk-app backlog`` and ``desk-app report`` as the chair, through the real program."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from tests.conftest import DATABASE_FILE, RunCli, copy_database, run_desk_app
from tests.unit.chair.dataset import LAND, receive, step

PASSWORD = "mat-khau-chu-tich-1"
ENV = {"DESK_APP_OFFICER": "chutich", "DESK_APP_PASSWORD": PASSWORD}
KEYS = (
    "received_total", "received_online", "received_in_person", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "in_progress_total", "in_progress_within_deadline", "in_progress_overdue",
    "withdrawn", "stopped",
)  # fmt: skip


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def chair_desk(tmp_path_factory: pytest.TempPathFactory, profiled_template: Path) -> Path:
    """A desk set up by ``init`` with an administrator, the chair, an officer and four
    dossiers around January 2026; made once, copied per test."""
    folder = tmp_path_factory.mktemp("chair-desk")
    copy_database(profiled_template, folder)
    admin = {"DESK_APP_OFFICER": "quantri", "DESK_APP_PASSWORD": PASSWORD}
    for name, role in (("quantri", "admin"), ("chutich", "chair"), ("canbo1", "officer")):
        added = run_desk_app(
            ("users", "add", name, "--role", role),
            data_dir=folder,
            input=PASSWORD + "\n",
            env=admin,
        )
        assert added.returncode == 0, added.stderr
    ctx = DeskContext.open(folder, FixedClock(T("2026-01-20 09:00")))
    try:
        receive(ctx, "C1", T("2025-12-29 09:00"), T("2026-01-02 17:00"))  # carried, late
        step(ctx, "C1", "result_ready", T("2026-01-05 10:00"))
        receive(ctx, "N1", T("2026-01-06 09:00"), T("2026-01-09 17:00"), procedure=LAND)
        step(ctx, "N1", "result_ready", T("2026-01-08 10:00"))  # early
        receive(ctx, "N2", T("2026-01-12 09:00"), T("2026-02-05 17:00"), channel="online")
        receive(ctx, "N3", T("2026-01-13 09:00"), T("2026-01-16 17:00"))
        step(ctx, "N3", "withdrawn", T("2026-01-14 09:00"))
    finally:
        ctx.close()
    return folder


@pytest.fixture
def desk_dir(chair_desk: Path, data_dir: Path) -> Path:
    copy_database(chair_desk / DATABASE_FILE, data_dir)
    return data_dir


def test_report_json_and_files(run_cli: RunCli, desk_dir: Path, tmp_path: Path) -> None:
    result = run_cli("report", "--from", "2026-01-01", "--to", "2026-01-31", "--json", env=ENV)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {k: data[k] for k in KEYS} == {
        "received_total": 4, "received_online": 1, "received_in_person": 2, "carried_over": 1,
        "resolved_total": 2, "resolved_early": 1, "resolved_on_time": 0, "resolved_late": 1,
        "in_progress_total": 1, "in_progress_within_deadline": 1, "in_progress_overdue": 0,
        "withdrawn": 1, "stopped": 0,
    }  # fmt: skip
    assert all(isinstance(data[k], int) for k in KEYS)
    assert {r["label"] for r in data["rows"]} == {"Hộ tịch", "Đất đai"}
    assert data["progress_percent"] == 50.0

    xlsx, pdf = tmp_path / "q1.xlsx", tmp_path / "q1.pdf"
    for out in (xlsx, pdf):
        done = run_cli("report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out),
                       env=ENV)  # fmt: skip
        assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    cells = [[c.value for c in r] for r in load_workbook(xlsx).active.iter_rows()]
    assert next(r for r in cells if r[1] == "Tổng cộng")[2:6] == [4, 1, 2, 1]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Biểu II.06a" in text

    bad = run_cli("report", "--from", "2026-01-01", "--to", "2026-01-31", "--out",
                  str(tmp_path / "r.docx"), env=ENV)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    backwards = run_cli("report", "--from", "2026-02-01", "--to", "2026-01-31", env=ENV)
    assert backwards.returncode == 2


def test_backlog_json_and_refusal(run_cli: RunCli, desk_dir: Path, tmp_path: Path) -> None:
    result = run_cli("backlog", "--json", env=ENV)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["counts"]) == {
        "due_today", "overdue", "due_soon", "waiting_supplement", "received_today",
        "returned_today",
    }  # fmt: skip
    # Only N2 is open (the real clock is later than 05/02/2026): it is overdue.
    assert data["open_total"] == 1
    assert [i["code"] for i in data["lists"]["overdue"]] == ["000.20.33.H12-N2"]
    sheet = tmp_path / "sheet.pdf"
    printed = run_cli("backlog", "--out", str(sheet), env=ENV)
    assert printed.returncode == 0, printed.stderr
    assert sheet.read_bytes().startswith(b"%PDF")
    officer = {**ENV, "DESK_APP_OFFICER": "canbo1"}
    refused = run_cli("backlog", "--json", env=officer)
    assert refused.returncode == 4, refused.stderr
    assert refused.stderr.count("\n") == 1
