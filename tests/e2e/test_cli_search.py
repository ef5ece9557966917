"""``desk-app search QUERY --json`` as a real child process: one JSON object per line,
the CCCD masked, one audit entry per search, bad input one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DATABASE_FILE, RunCli
from tests.helpers.desk_files import connect_desk

PASSWORD = "mat-khau-tan-phu"
CCCD = "079301001234"
ENV = {"DESK_APP_PASSWORD": PASSWORD, "DESK_APP_OFFICER": "lan.nt"}


def _line(name: str, cccd: str, phone: str) -> str:
    return json.dumps(
        {
            "procedure_code": "1.001193",
            "applicant": {"name": name, "cccd": cccd, "phone": phone, "address": "Ấp Bình Thạnh"},
        },
        ensure_ascii=False,
    )


def test_search_prints_masked_json_lines_and_audits_once(inited_dir: Path, run_cli: RunCli) -> None:
    added = run_cli(
        "users", "add", "lan.nt", "--role", "admin", "--full-name", "Nguyễn Thị Lan",
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    lines = "\n".join(
        [_line("Đặng Thị Hồng Nhung", CCCD, "0912345678"), _line("Lê Văn Tám", "075090001122", "")]
    )
    intake = run_cli("intake", "--json", "-", input=lines + "\n", env=ENV)
    assert intake.returncode == 0, intake.stderr
    first, second = (json.loads(x)["code"] for x in intake.stdout.splitlines())

    found = run_cli("search", "dang thi hong", "--json", env=ENV)
    assert found.returncode == 0, found.stderr
    (hit,) = [json.loads(x) for x in found.stdout.splitlines()]
    assert hit["code"] == first
    assert hit["applicant_name"] == "Đặng Thị Hồng Nhung"
    assert hit["cccd"] == "0793******34"
    assert hit["matched"] == ["name"]
    assert CCCD not in found.stdout

    tail = second.rsplit("-", 2)[-2:]
    by_code = run_cli("search", "-".join(tail).lower(), "--json", env=ENV)
    assert [json.loads(x)["code"] for x in by_code.stdout.splitlines()] == [second]
    by_cccd = run_cli("search", CCCD, "--json", env=ENV)
    assert [json.loads(x)["code"] for x in by_cccd.stdout.splitlines()] == [first]
    nothing = run_cli("search", "khong co ai", "--json", env=ENV)
    assert (nothing.returncode, nothing.stdout) == (0, "")

    empty = run_cli("search", "  ", env=ENV)
    assert empty.returncode == 2
    assert len(empty.stderr.strip().splitlines()) == 1
    assert empty.stderr.startswith("desk-app: error:")

    conn = connect_desk(inited_dir / DATABASE_FILE)
    try:
        audit = conn.execute(
            "SELECT username, object_ref, detail FROM audit_log WHERE object_type = 'search' "
            "ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    assert len(audit) == 4  # one per search run, none for the refused empty one
    assert audit[2][:2] == ("lan.nt", "0793******34")
    assert first in audit[2][2]
    assert not any(CCCD in str(v) for row in audit for v in row)
