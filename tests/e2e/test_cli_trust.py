"""The trust commands and findings as real child processes: backup, verify, restore,
users unlock, a receipt aimed at a device node, a deadline past 2100, hidden characters."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATABASE_FILE, INIT_ARGS, REPO_ROOT, TEST_OFFICER, RunCli, cli_env
from tests.helpers.desk_files import dossier_count

PASSPHRASE = "cụm mật khẩu của xã Tân Phú"
ENV = {"DESK_APP_BACKUP_PASSPHRASE": PASSPHRASE}
ADMIN_PW = "mat-khau-quan-tri"
OFFICER_PW = "mat-khau-tan-phu"


def line(**applicant: str) -> str:
    data = {
        "name": "Trần Thị Hồng Nhung", "cccd": "079301001234", "date_of_birth": "2001-05-02",
        "phone": "0912 345 678", "address": "Ấp Bình Thạnh, Xã Tân Phú",
    }  # fmt: skip
    data.update(applicant)
    return json.dumps({"procedure_code": "1.001193", "applicant": data}, ensure_ascii=False)


def cli(
    folder: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(folder), *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT,
        env=cli_env(env, drop=["DESK_APP_OFFICER"]), timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def one_dossier(inited_dir: Path) -> str:
    saved = cli(inited_dir, "intake", "--json", "-", stdin=line() + "\n")
    assert saved.returncode == 0, saved.stderr
    return str(json.loads(saved.stdout)["code"])


# ------------------------------------------------------------------ findings


def test_a_receipt_aimed_at_a_device_node_is_refused_and_the_node_kept(
    one_dossier: str, run_cli: RunCli
) -> None:
    result = run_cli("receipt", one_dossier, "--out", os.devnull)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "không phải tệp thường" in result.stderr
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


def test_a_receipt_aimed_at_a_pipe_is_refused(
    one_dossier: str, run_cli: RunCli, tmp_path: Path
) -> None:
    fifo = tmp_path / "receipt.pdf"
    os.mkfifo(fifo)
    result = run_cli("receipt", one_dossier, "--out", str(fifo))
    assert result.returncode == 2, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    good = run_cli("receipt", one_dossier, "--out", str(tmp_path / "ok.pdf"))
    assert good.returncode == 0, good.stderr
    assert (tmp_path / "ok.pdf").read_bytes().startswith(b"%PDF")


def test_a_deadline_past_2100_is_one_line_and_exit_2(inited_dir: Path, run_cli: RunCli) -> None:
    for duration in (("--working-days", "30"), ("--working-hours", "3000")):
        result = run_cli("due-date", "--received", "2100-12-20T09:00", *duration)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert "2101" in result.stderr


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("name", "Trần Thị \u202eHồng Nhung", id="rlo-in-name"),
        pytest.param("name", "Trần Thị\u2066 Hồng Nhung", id="isolate-in-name"),
        pytest.param("address", "Ấp Bình Thạnh\x85 Xã Tân Phú", id="c1-next-line-in-address"),
        pytest.param("address", "Ấp Bình\u200f Thạnh", id="rlm-in-address"),
    ],
)
def test_hidden_direction_and_c1_characters_are_not_stored(
    inited_dir: Path, run_cli: RunCli, field: str, value: str
) -> None:
    done = cli(inited_dir, "intake", "--json", "-", stdin=line(**{field: value}) + "\n")
    assert done.returncode == 2
    assert done.stderr.startswith(f"dòng 1: applicant.{field}: ")
    assert dossier_count(inited_dir) == 0


# ------------------------------------------------------------------ backup and restore


@pytest.fixture
def backed_up(one_dossier: str, inited_dir: Path, run_cli: RunCli, tmp_path: Path) -> Path:
    out = tmp_path / "backups" / "desk.deskbak"
    out.parent.mkdir()
    result = run_cli("backup", "--out", str(out), env=ENV)
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)
    assert (written["verified"], written["dossier_count"]) == (True, 1)
    return out


def test_backup_verify_and_restore_on_a_fresh_folder(
    backed_up: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    verified = run_cli("backup", "verify", str(backed_up), "--deep", env=ENV)
    assert verified.returncode == 0, verified.stderr
    fresh = tmp_path / "fresh"
    unconfirmed = run_cli("restore", str(backed_up), data_dir=fresh, env=ENV)
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    assert not (fresh / DATABASE_FILE).exists()
    restored = run_cli("restore", str(backed_up), "--yes", data_dir=fresh, env=ENV)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["dossiers"] == 1
    assert dossier_count(fresh) == 1


def test_a_wrong_passphrase_exits_4(backed_up: Path, run_cli: RunCli) -> None:
    env = {"DESK_APP_BACKUP_PASSPHRASE": "not the passphrase"}
    for args in (("backup", "verify", str(backed_up)), ("restore", str(backed_up), "--yes")):
        result = run_cli(*args, env=env)
        assert result.returncode == 4, result.stderr
        assert "không đúng" in result.stderr


def test_a_tampered_backup_exits_3(backed_up: Path, run_cli: RunCli) -> None:
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2] ^= 0x40
    backed_up.write_bytes(bytes(data))
    result = run_cli("backup", "verify", str(backed_up), env=ENV)
    assert result.returncode == 3, result.stderr


def test_another_desks_backup_exits_2_and_changes_nothing(
    backed_up: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    other = tmp_path / "desk2"
    init = run_cli(*INIT_ARGS[:-1], "2", data_dir=other)
    assert init.returncode == 0, init.stderr
    before = (other / DATABASE_FILE).read_bytes()
    result = run_cli("restore", str(backed_up), "--yes", data_dir=other, env=ENV)
    assert result.returncode == 2, result.stderr
    assert (other / DATABASE_FILE).read_bytes() == before


def test_a_damaged_database_points_at_the_last_good_backup(
    backed_up: Path, inited_dir: Path, run_cli: RunCli
) -> None:
    for extra in ("-wal", "-shm"):
        (inited_dir / f"{DATABASE_FILE}{extra}").unlink(missing_ok=True)
    (inited_dir / DATABASE_FILE).write_bytes(b"\x00garbage" * 4096)
    result = run_cli("list", "--json")
    assert result.returncode == 3, result.stderr
    assert str(backed_up.resolve()) in result.stderr
    restored = run_cli("restore", str(backed_up), "--yes", env=ENV)
    assert restored.returncode == 0, restored.stderr
    assert dossier_count(inited_dir) == 1


# ------------------------------------------------------------------ users unlock


def test_an_administrator_unlocks_an_account_from_the_command_line(
    inited_dir: Path, run_cli: RunCli
) -> None:
    for name, role, pw in (
        ("quan.tri", "admin", ADMIN_PW),
        ("lan.nt", "officer", OFFICER_PW),
        ("hoa.lt", "officer", OFFICER_PW),
    ):
        added = cli(
            inited_dir, "users", "add", name, "--role", role, "--by", TEST_OFFICER,
            stdin=pw + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    from desk_app.auth import AccountLockedError, AuthError
    from desk_app.context import DeskContext

    ctx = DeskContext.open(inited_dir)
    try:
        for _ in range(4):
            with pytest.raises(AuthError):
                ctx.users.authenticate("lan.nt", "sai-mat-khau")
        with pytest.raises(AccountLockedError):
            ctx.users.authenticate("lan.nt", "sai-mat-khau")
    finally:
        ctx.close()
    # An officer (proven) may not unlock; an administrator may.
    refused = run_cli(
        "users", "unlock", "lan.nt", "--officer", "hoa.lt", env={"DESK_APP_PASSWORD": OFFICER_PW}
    )
    assert refused.returncode == 4, refused.stderr
    assert "Công chức một cửa" in refused.stderr
    done = run_cli(
        "users", "unlock", "lan.nt", "--officer", "quan.tri", env={"DESK_APP_PASSWORD": ADMIN_PW}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "account lan.nt unlocked"
    ctx = DeskContext.open(inited_dir)
    try:
        assert ctx.users.authenticate("lan.nt", OFFICER_PW).username == "lan.nt"
    finally:
        ctx.close()
