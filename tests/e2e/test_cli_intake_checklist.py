"""``desk-app intake --json`` with the checklist: listed documents, missing ones, warnings.

Backward compatible: a line without ``documents`` is received with the procedure's whole
list (as before); a line that lists documents is judged on them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.test_cli_dossiers import (
    PASSWORD,
    REPO_ROOT,
    copy_desk,
    dossier_count,
    line,
    pristine,
    query,
)

__all__ = ["pristine"]  # the set-up desk, a fixture imported for pytest

REQUIRED = [
    {"name": "Giấy chứng sinh", "kind": "original"},
    {"name": "Hộ chiếu/Thẻ căn cước công dân", "kind": "original"},
    {"name": "Tờ khai đăng ký khai sinh", "kind": "original"},
]


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUTF8="1")
    env.pop("DESK_APP_OFFICER", None)
    env["DESK_APP_PASSWORD"] = PASSWORD  # acting commands ask for the officer's password
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data_dir), *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, env=env,
        timeout=60, check=False,
    )  # fmt: skip


def test_listed_documents_missing_a_required_one_is_refused(pristine: Path, tmp_path: Path) -> None:
    folder = copy_desk(pristine, tmp_path / "desk")
    short = line(documents=REQUIRED[:1])
    result = cli(folder, "intake", "--json", "-", stdin=short + "\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("dòng 1: documents: Còn thiếu 2 giấy tờ bắt buộc: Hộ chiếu")
    assert "Traceback" not in result.stderr
    assert dossier_count(folder) == 0


def test_listed_documents_are_what_the_receipt_lists(pristine: Path, tmp_path: Path) -> None:
    folder = copy_desk(pristine, tmp_path / "desk")
    documents: list[dict[str, Any]] = [*REQUIRED, {"name": "Giấy ủy quyền", "count": 2}]
    first = cli(folder, "intake", "--json", "-", stdin=line(documents=documents) + "\n")
    assert first.returncode == 0, first.stderr
    [out] = [json.loads(x) for x in first.stdout.splitlines()]
    assert out["warnings"] == []
    stored = json.loads(query(folder, "SELECT documents FROM dossiers")[0][0])
    assert [d["name"] for d in stored] == [d["name"] for d in documents]
    # no documents listed: the procedure's whole list, as the import has always done;
    # the same citizen and procedure again is received, with a warning naming the first
    again = cli(folder, "intake", "--json", "-", stdin=line(channel="online") + "\n")
    assert again.returncode == 0, again.stderr
    [second] = [json.loads(x) for x in again.stdout.splitlines()]
    [warning] = second["warnings"]
    assert out["code"] in warning and "cùng thủ tục" in warning
    rows = query(folder, f"SELECT channel, documents FROM dossiers WHERE code = '{second['code']}'")
    channel, docs = rows[0]
    assert channel == "online" and len(json.loads(docs)) == 8
