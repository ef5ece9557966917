"""``desk-app form`` and ``desk-app register`` as real child processes on a real data
folder: the files they write read back (poppler, a barcode decoder, openpyxl), their
refusals (one line, exit 2, nothing written) and their audit rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from tests.helpers.desk_files import connect_desk

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-tan-phu"
TODAY = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
DAY = TODAY - dt.timedelta(days=2)


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUTF8="1")
    env.pop("DESK_APP_OFFICER", None)
    # Acting commands may ask for the officer's password (the trust work): give it.
    env["DESK_APP_PASSWORD"] = PASSWORD
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data_dir), *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, env=env,
        timeout=60, check=False,
    )  # fmt: skip


def audit(folder: Path) -> list[tuple[Any, ...]]:
    conn = connect_desk(folder / "desk.sqlite3")
    try:
        return conn.execute(
            "SELECT username, action, object_type, object_ref, detail FROM audit_log "
            "WHERE action IN ('print', 'export') ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A desk with one account and one dossier received two days ago."""
    folder = tmp_path_factory.mktemp("cli-forms")
    init = cli(
        folder, "init", "--commune", "Xã Tân Phú", "--province", "Đồng Nai",
        "--agency-code", "000.20.33.H12", "--desk", "1",
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    added = cli(
        folder, "users", "add", "lan.nt", "--role", "admin", "--full-name", "Nguyễn Thị Lan",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    line = {
        "procedure_code": "1.001193",
        "received_at": f"{DAY}T09:30:00",
        "applicant": {
            "name": "Trần Thị Hồng Nhung", "cccd": "079301001234", "phone": "0912 345 678",
            "address": "Ấp Bình Thạnh, Xã Tân Phú",
        },
    }  # fmt: skip
    intake = cli(folder, "intake", "--json", "-", stdin=json.dumps(line, ensure_ascii=False))
    assert intake.returncode == 0, intake.stderr
    return {"dir": folder, "code": json.loads(intake.stdout)["code"]}


def test_form_writes_the_control_sheet_with_its_barcode(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "pks.pdf"
    result = cli(desk["dir"], "form", desk["code"], "06", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Số: {desk['code']}/PKS" in text
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Trần Thị Hồng Nhung" in text
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [desk["code"]]
    assert audit(desk["dir"])[-1] == ("lan.nt", "print", "dossier", desk["code"], "form 06")


def test_form_01_reprints_the_receipt(desk: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "receipt.pdf"
    result = cli(desk["dir"], "form", desk["code"], "01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert audit(desk["dir"])[-1] == ("lan.nt", "print", "dossier", desk["code"], "receipt")


def test_form_the_dossier_has_nothing_for_is_one_line_and_writes_nothing(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    before = audit(desk["dir"])
    out = tmp_path / "pxl.pdf"
    result = cli(desk["dir"], "form", desk["code"], "04", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả (Mẫu 04)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert audit(desk["dir"]) == before


def test_register_writes_xlsx_and_pdf(desk: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "so.xlsx"
    span = ("--from", str(DAY - dt.timedelta(days=1)), "--to", str(TODAY))
    result = cli(desk["dir"], "register", *span, "--out", str(out))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    data = [r for r in sheet.iter_rows(min_row=8, values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[1]) for r in data] == [(1, desk["code"])]
    assert data[0][6] == dt.datetime.combine(DAY, dt.time(9, 30))
    assert audit(desk["dir"])[-1][1:3] == ("export", "register")

    pdf = tmp_path / "so.pdf"
    result = cli(desk["dir"], "register", *span, "--out", str(pdf))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "SỔ THEO DÕI HỒ SƠ" in text and desk["code"] in text
    assert audit(desk["dir"])[-1][1:3] == ("print", "register")


@pytest.mark.parametrize(
    ("name", "message"),
    [("so.csv", "phải kết thúc bằng .pdf hoặc .xlsx"), ("folder.pdf", "không phải tệp thường")],
)
def test_register_refuses_a_bad_output(
    desk: dict[str, Any], tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder.pdf").mkdir()
    before = audit(desk["dir"])
    result = cli(
        desk["dir"], "register", "--from", str(DAY), "--to", str(TODAY),
        "--out", str(tmp_path / name),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert audit(desk["dir"]) == before
    assert not (tmp_path / "so.csv").exists()


def test_form_02_of_a_citizen_guided_at_intake(desk: dict[str, Any], tmp_path: Path) -> None:
    guided = cli(
        desk["dir"], "guide", "--procedure", "1.001193", "--name", "Lê Văn Tám",
        "--item", "Giấy chứng sinh:chưa có bản chính",
    )  # fmt: skip
    assert guided.returncode == 0, guided.stderr
    visit = json.loads(guided.stdout)["uuid"]
    out = tmp_path / "pbs.pdf"
    result = cli(desk["dir"], "form", visit, "02", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Số: ……/PBS" in text and "Lê Văn Tám" in text and "Giấy chứng sinh" in text
    assert audit(desk["dir"])[-1][1:4] == ("print", "intake_outcome", visit)


def test_form_of_an_unknown_code_is_refused(desk: dict[str, Any], tmp_path: Path) -> None:
    result = cli(
        desk["dir"], "form", "000.20.33.H12-261118-9999", "06", "--out", str(tmp_path / "x.pdf")
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "không có hồ sơ mã" in result.stderr
