"""``desk-app users / intake / receipt / show / list`` as real child processes on a real
data folder: what a script or a cron job sees (stdout, stderr, exit status, files)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from argon2 import PasswordHasher
from PIL import Image

from tests.helpers.desk_files import connect_desk, copy_desk_database

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASE_FILE = "desk.sqlite3"
PASSWORD = "mat-khau-tan-phu"
OFFICER_NAME = "Nguyễn Thị Lan"
CCCD = "079301001234"
MASKED = "0793******34"
PDFTOTEXT = "/usr/bin/pdftotext"
PDFTOPPM = "/usr/bin/pdftoppm"
TODAY = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
DAY_A = TODAY - dt.timedelta(days=10)
DAY_B = TODAY - dt.timedelta(days=3)


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUTF8="1")
    env.pop("DESK_APP_OFFICER", None)
    env["DESK_APP_PASSWORD"] = PASSWORD  # lan.nt proves who acts
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data_dir), *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, env=env,
        timeout=60, check=False,
    )  # fmt: skip


def query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = connect_desk(data_dir / DATABASE_FILE)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def dossier_count(data_dir: Path) -> int:
    return int(query(data_dir, "SELECT count(*) FROM dossiers")[0][0])


def copy_desk(source: Path, target: Path) -> Path:
    copy_desk_database(source / DATABASE_FILE, target)
    return target


def line(**changes: Any) -> str:
    obj: dict[str, Any] = {
        "procedure_code": "1.001193",
        "applicant": {
            "name": "Trần Thị Hồng Nhung", "cccd": CCCD, "date_of_birth": "2001-05-02",
            "phone": "+84 912 345 678", "address": "Ấp Bình Thạnh, Xã Tân Phú",
        },
    }  # fmt: skip
    applicant = changes.pop("applicant", {})
    obj["applicant"].update(applicant)
    obj.update(changes)
    return json.dumps(obj, ensure_ascii=False)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desk set up by ``init`` with one admin account added by ``users add``."""
    folder = tmp_path_factory.mktemp("cli-desk")
    init = cli(
        folder, "init", "--commune", "Xã Tân Phú", "--province", "Đồng Nai",
        "--agency-code", "000.20.33.H12", "--desk", "1",
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    added = cli(
        folder, "users", "add", "lan.nt", "--role", "admin", "--full-name", OFFICER_NAME,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    # The first administrator also gets the desk's recovery code, printed once.
    assert added.stdout.splitlines()[0] == "account lan.nt (admin) created"
    assert added.stdout.splitlines()[1].startswith("recovery code: ")
    return folder


@pytest.fixture
def fresh(pristine: Path, tmp_path: Path) -> Path:
    return copy_desk(pristine, tmp_path / "desk")


MIXED_LINES = [
    line(),  # 1
    line(applicant={"name": "Nhung"}),  # 2
    line(procedure_code="1.004873", received_at=f"{DAY_A}T09:00:00"),  # 3
    "{not json",  # 4
    "   ",  # 5: blank, skipped
    line(applicant={"cccd": "07930100123"}),  # 6
    line(received_at=f"{DAY_B}T10:15:00", applicant={"name": "Lê Văn Tám", "cccd": "075090001122",
         "date_of_birth": None}),  # 7
    line(fax="0123"),  # 8
    line(procedure_code="9.9", channel="fax", sets_count=0),  # 9
]  # fmt: skip


GOOD_LINES = (1, 3, 7)


@pytest.fixture(scope="module")
def received(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``intake --json FILE`` on a copy of the desk: first the file with its bad lines
    (refused whole), then the same file with the bad lines blanked out (fixed)."""
    folder = copy_desk(pristine, tmp_path_factory.mktemp("cli-received"))
    source = folder / "dossiers.jsonl"
    source.write_text("\n".join(MIXED_LINES) + "\n", encoding="utf-8")
    before = dossier_count(folder)
    refused = cli(folder, "intake", "--json", str(source))
    refused_after = dossier_count(folder)
    fixed = [text if n in GOOD_LINES else "" for n, text in enumerate(MIXED_LINES, 1)]
    source.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    result = cli(folder, "intake", "--json", str(source))
    out = [json.loads(x) for x in result.stdout.splitlines()]
    again = cli(folder, "intake", "--json", str(source))
    return {
        "dir": folder, "refused": refused, "refused_after": refused_after, "result": result,
        "out": out, "before": before, "after": dossier_count(folder), "again": again,
        "after_again": dossier_count(folder), "codes": {o["line"]: o["code"] for o in out},
    }  # fmt: skip


# ------------------------------------------------------------------ users


def test_users_add_reads_the_password_from_stdin(pristine: Path) -> None:
    listed = cli(pristine, "users", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = listed.stdout.splitlines()
    assert row.split()[:3] == ["lan.nt", "admin", "active"]
    assert row.endswith(OFFICER_NAME)
    [(stored,)] = query(pristine, "SELECT password_hash FROM users")
    assert PasswordHasher().verify(stored, PASSWORD)
    assert ("setup", "user_added", "lan.nt") in query(
        pristine, "SELECT username, action, object_ref FROM audit_log"
    )


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        pytest.param("", "không có mật khẩu ở đầu vào chuẩn", id="no-password"),
        pytest.param("ngan7ky\n", "mật khẩu cần ít nhất 8 ký tự", id="short-password"),
    ],
)
def test_users_add_refusals_are_one_line_and_write_nothing(
    fresh: Path, stdin: str, message: str
) -> None:
    result = cli(fresh, "users", "add", "hoa.lt", "--role", "officer", stdin=stdin)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert query(fresh, "SELECT username FROM users") == [("lan.nt",)]


# ------------------------------------------------------------------ intake


def test_intake_names_every_bad_line_and_writes_nothing(received: dict[str, Any]) -> None:
    refused = received["refused"]
    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == ""
    assert received["refused_after"] == received["before"]  # nothing of the good lines either
    errors = refused.stderr.splitlines()
    assert [e.split(":")[0] for e in errors[:-1]] == [
        "line 2", "line 4", "line 6", "line 8", "line 9"
    ]  # fmt: skip
    assert errors[0] == "line 2: applicant.name: Họ và tên gồm ít nhất hai chữ, không có chữ số."
    assert errors[1].startswith("line 4: (dòng): không phải JSON hợp lệ")
    assert errors[2] == "line 6: applicant.cccd: Số CCCD phải gồm đúng 12 chữ số."
    assert errors[3] == "line 8: fax: trường không có trong mẫu nhập"
    assert errors[4].startswith("line 9: procedure_code: Không có thủ tục mã '9.9'")
    assert errors[4].endswith("(+2 lỗi khác)")
    assert errors[5].startswith("không nhập hồ sơ nào: 5 dòng lỗi")


def test_intake_of_the_fixed_file_prints_each_saved_line(received: dict[str, Any]) -> None:
    result = received["result"]
    assert result.returncode == 0, result.stderr
    out = received["out"]
    assert [o["line"] for o in out] == list(GOOD_LINES)
    for o in out:
        assert o["status"] == "received"
        assert o["code"].startswith("000.20.33.H12-")
        assert dt.datetime.fromisoformat(o["due_at"]) >= dt.datetime.fromisoformat(o["received_at"])
    assert out[1]["code"] == f"000.20.33.H12-{DAY_A:%y%m%d}-1001"
    assert out[1]["received_at"] == f"{DAY_A}T09:00:00"
    assert out[2]["code"] == f"000.20.33.H12-{DAY_B:%y%m%d}-1001"
    assert received["after"] - received["before"] == 3
    folder = received["dir"]
    assert query(folder, "SELECT count(*) FROM events")[0][0] == 3
    assert query(folder, "SELECT count(*) FROM import_keys")[0][0] == 3
    assert query(folder, "SELECT DISTINCT received_by_name FROM dossiers") == [(OFFICER_NAME,)]


def test_intake_of_the_same_file_again_adds_nothing(received: dict[str, Any]) -> None:
    again = received["again"]
    assert again.returncode == 0, again.stderr
    assert received["after_again"] == received["after"]
    out = [json.loads(x) for x in again.stdout.splitlines()]
    assert [(o["line"], o["code"], o["already_imported"]) for o in out] == [
        (n, received["codes"][n], True) for n in GOOD_LINES
    ]
    assert [e.split(":")[0] for e in again.stderr.splitlines()] == ["line 1", "line 3", "line 7"]
    assert "đã nhập ở một lần nhập trước" in again.stderr


def test_intake_from_stdin(fresh: Path) -> None:
    mixed = cli(fresh, "intake", "--json", "-", stdin=line() + "\n" + line(channel="fax") + "\n")
    assert mixed.returncode == 2
    assert mixed.stdout == ""
    assert mixed.stderr.splitlines()[0] == (
        "line 2: channel: Hình thức nộp là trực tiếp, qua bưu chính hoặc trực tuyến."
    )
    assert dossier_count(fresh) == 0
    clean = cli(fresh, "intake", "--json", "-", stdin=line(sets_count=2) + "\n")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["code"] == f"000.20.33.H12-{TODAY:%y%m%d}-1001"
    assert clean.stderr == ""
    assert dossier_count(fresh) == 1


def test_intake_reports_an_unprintable_line_and_writes_nothing(fresh: Path) -> None:
    huge = line(documents=[{"name": "giấy tờ " * 400, "kind": "original"}])
    result = cli(fresh, "intake", "--json", "-", stdin=huge + "\n" + line() + "\n")
    assert result.returncode == 2
    assert result.stderr.startswith("line 1: documents[0].name: ")
    assert result.stdout == ""
    assert dossier_count(fresh) == 0


# ------------------------------------------------------------------ receipt, show, list


def test_receipt_writes_the_pdf_with_a_readable_barcode(
    received: dict[str, Any], tmp_path: Path
) -> None:
    folder, code = received["dir"], received["codes"][1]
    out = tmp_path / "giay-tiep-nhan.pdf"
    result = cli(folder, "receipt", code, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert out.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob("*.part"))
    text = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "Trần Thị Hồng Nhung" in text
    assert OFFICER_NAME in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    subprocess.run(
        [PDFTOPPM, "-r", "200", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
    )
    [png] = tmp_path.glob("page*.png")
    found = zxingcpp.read_barcodes(Image.open(png))
    assert code in [b.text for b in found]
    assert {b.format for b in found if b.text == code} == {zxingcpp.BarcodeFormat.Code128}
    assert ("lan.nt", "export", code) in query(
        folder, "SELECT username, action, object_ref FROM audit_log"
    )


def test_show_json_masks_the_cccd(received: dict[str, Any]) -> None:
    folder, code = received["dir"], received["codes"][1]
    result = cli(folder, "show", code, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["code"] == code
    assert data["status"] == "received"
    assert data["applicant_name"] == "Trần Thị Hồng Nhung"
    assert data["received_at"] and data["due_at"]
    assert dt.datetime.fromisoformat(data["due_at"]) >= dt.datetime.fromisoformat(
        data["received_at"]
    )
    assert data["applicant"]["cccd"] == MASKED
    assert data["applicant"]["phone"] == "0912345678"
    assert CCCD not in result.stdout
    [step] = data["timeline"]
    assert step["kind"] == "dossier.received"
    assert step["applied"] is True
    assert step["origin"] == "000.20.33.H12#1"
    assert ("lan.nt", "view", code) in query(
        folder, "SELECT username, action, object_ref FROM audit_log"
    )


@pytest.mark.parametrize(
    ("start", "end", "lines"),
    [
        pytest.param(DAY_A, DAY_A, [3], id="day-a"),
        pytest.param(DAY_A, DAY_B, [3, 7], id="a-to-b"),
    ],
)
def test_list_json_gives_one_line_per_dossier_in_range(
    received: dict[str, Any], start: dt.date, end: dt.date, lines: list[int]
) -> None:
    result = cli(
        received["dir"], "list", "--from", start.isoformat(), "--to", end.isoformat(), "--json"
    )
    assert result.returncode == 0, result.stderr
    listed = [json.loads(x) for x in result.stdout.splitlines()]
    assert [d["code"] for d in listed] == [received["codes"][n] for n in lines]
    assert all(d["applicant"]["cccd"] in (MASKED, "0750******22") for d in listed)
    assert "079301001234" not in result.stdout and "075090001122" not in result.stdout


def test_an_unknown_code_is_one_line_and_exit_2(received: dict[str, Any], tmp_path: Path) -> None:
    folder = received["dir"]
    shown = cli(folder, "show", "000.20.33.H12-991231-1999")
    assert shown.returncode == 2
    assert shown.stderr.count("\n") == 1 and "000.20.33.H12-991231-1999" in shown.stderr
    assert shown.stdout == ""
    out = tmp_path / "x.pdf"
    printed = cli(folder, "receipt", "KHONG-CO", "--out", str(out))
    assert printed.returncode == 2 and printed.stderr.count("\n") == 1
    assert not out.exists()


def test_an_unknown_officer_is_refused_as_a_wrong_password_and_exit_4(fresh: Path) -> None:
    # Refused as a wrong password is, so the answer does not say which names exist.
    result = cli(fresh, "intake", "--json", "-", "--officer", "khong.co", stdin=line() + "\n")
    assert result.returncode == 4
    assert result.stderr == "desk-app: error: Tên đăng nhập hoặc mật khẩu không đúng.\n"
    assert result.stdout == ""
    assert dossier_count(fresh) == 0
