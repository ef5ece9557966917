"""``desk-app event / show / correct / directory / settings / guide / refuse`` as real
child processes: for every action one legal case and one refused one (exit 2, one line in
Vietnamese, nothing written), ``--at`` in the future, a role that only views (exit 4).

The dossier's state before each command is set up in-process on the same data folder
(the services, with the real clock); the command under test always runs as a child.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATABASE_FILE, run_desk_app
from tests.helpers.desk_files import connect_desk, copy_desk_database

PASSWORD = "mat-khau-tan-phu"
UNIT = "Công chức Tư pháp - Hộ tịch"
LONG = "1.013855"  # 20 working days: an appointment far enough for an extension


def cli(folder: Path, *args: str, officer: str = "lan.nt") -> subprocess.CompletedProcess[str]:
    env = {"DESK_APP_OFFICER": officer, "DESK_APP_PASSWORD": PASSWORD}
    return run_desk_app(args, data_dir=folder, env=env)


def events(folder: Path) -> int:
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desk with an officer, a chair and an administrator, and one unit to hand to."""
    from desk_app.auth import Officer, Role
    from desk_app.clock import utc_naive
    from desk_app.context import DeskContext
    from desk_app.profile import Profile

    folder = tmp_path_factory.mktemp("cli-lifecycle")
    ctx = DeskContext.open(folder)
    try:
        ctx.profiles.save(
            Profile("Xã Tân Phú", "Đồng Nai", "000.20.33.H12", 1), utc_naive(ctx.clock)
        )
        ctx.users.add("quan.tri", "Võ Minh Quân", Role.ADMIN, PASSWORD, by="setup")
        ctx.users.add("lan.nt", "Nguyễn Thị Lan", Role.OFFICER, PASSWORD, by="quan.tri")
        ctx.users.add("chu.tich", "Phạm Đức Thắng", Role.CHAIR, PASSWORD, by="quan.tri")
        ctx.directory.add("unit", UNIT, Officer("quan.tri", "Võ Minh Quân", Role.ADMIN))
    finally:
        ctx.close()
    return folder


class Setup:
    """The desk's services on the test's copy, acting as the officer."""

    def __init__(self, folder: Path) -> None:
        from desk_app.auth import Officer, Role
        from desk_app.context import DeskContext

        self.ctx = DeskContext.open(folder)
        self.officer = Officer("lan.nt", "Nguyễn Thị Lan", Role.OFFICER)

    def day(self) -> dt.date:
        """The last working day before today: every step is stated on it."""
        from desk_app.clock import local_now

        calendar = self.ctx.profiles.calendar()
        day = local_now(self.ctx.clock).date() - dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def dossier(self, steps: list[str]) -> str:
        from desk_app.intake import ApplicantInput, IntakeRequest

        day = self.day()
        request = IntakeRequest(
            procedure_code=LONG,
            applicant=ApplicantInput(
                name="Trần Thị Hồng Nhung",
                cccd="079301001234",
                phone="0912345678",
                address="Ấp Bình Thạnh, Xã Tân Phú",
            ),
            received_at=dt.datetime.combine(day, dt.time(8, 0)),
        )
        code = self.ctx.intake.receive(request, self.officer).dossier.code
        at = dt.datetime.combine(day, dt.time(8, 30))
        for step in steps:
            at += dt.timedelta(minutes=10)
            details: dict[str, Any] = {"at": at}
            if step == "handover":
                details["to"] = UNIT
            elif step in ("request-supplement", "stop"):
                details["reason"] = "Lý do"
            self.ctx.lifecycle.perform(code, step, self.officer, **details)
        return code

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture
def desk(pristine: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "desk"
    copy_desk_database(pristine / DATABASE_FILE, folder)
    return folder


def prepare(folder: Path, *routes: list[str]) -> tuple[list[str], dt.date]:
    """One dossier per route of steps, and the day they were stated on."""
    setup = Setup(folder)
    try:
        return [setup.dossier(steps) for steps in routes], setup.day()
    finally:
        setup.close()


def status_of(folder: Path, code: str) -> str:
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        return str(
            conn.execute("SELECT status FROM dossiers WHERE code = ?", (code,)).fetchone()[0]
        )
    finally:
        conn.close()


def later_working_day(folder: Path, day: dt.date) -> dt.date:
    setup = Setup(folder)
    try:
        return setup.ctx.profiles.calendar().add_working_days(day, 2)
    finally:
        setup.close()


def due_of(folder: Path, code: str) -> dt.datetime:
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        return dt.datetime.fromisoformat(
            conn.execute("SELECT due_at FROM dossiers WHERE code = ?", (code,)).fetchone()[0]
        )
    finally:
        conn.close()


# action: (steps before the legal case, its options, status after; steps before a refused
# case, its options)
CASES: dict[str, tuple[list[str], list[str], str, list[str], list[str]]] = {
    "handover": ([], ["--to", UNIT, "--note", "Gấp"], "in_progress",
                 ["result-ready", "return"], ["--to", UNIT]),
    "request-supplement": (["handover"], ["--reason", "Thiếu", "--item", "Tờ khai:Chưa ký"],
                           "waiting_supplement", ["result-ready"], ["--reason", "Thiếu"]),
    "supplement-received": (["request-supplement"], [], "in_progress", ["handover"], []),
    "extend": ([], ["--reason", "Chờ xác minh"], "received", ["withdraw"],
               ["--reason", "x", "--new-due", "2030-01-02"]),
    "withdraw": (["request-supplement"], ["--reason", "Công dân xin rút"], "withdrawn",
                 ["result-ready"], []),
    "stop": (["handover"], ["--reason", "Giả mạo"], "stopped", ["stop"], ["--reason", "x"]),
    "result-ready": (["handover"], [], "result_ready", ["request-supplement"], []),
    "not-eligible": (["handover"], ["--reason", "Không đủ điều kiện"], "result_ready",
                     ["withdraw"], ["--reason", "x"]),
    "return": (["result-ready"], ["--rating", "1", "--method", "post"], "returned",
               ["handover"], []),
    "annul": (["handover"], ["--reason", "Bấm nhầm"], "received", [], ["--reason", "x"]),
}  # fmt: skip


@pytest.mark.parametrize("action", list(CASES))
def test_each_action_once_legal_once_refused(desk: Path, action: str) -> None:
    steps, options, status, bad_steps, bad_options = CASES[action]
    (code, bad_code), day = prepare(desk, steps, bad_steps)
    if action == "extend":  # two working days later, stated long before it was due
        new_due = later_working_day(desk, due_of(desk, code).date())
        options = [*options, "--new-due", new_due.isoformat(), "--at", f"{day}T10:00:00"]
    done = cli(desk, "event", code, action, *options)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["code"], out["status"]) == (code, status)
    assert status_of(desk, code) == status

    before = events(desk)
    refused = cli(desk, "event", bad_code, action, *bad_options)
    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == "" and refused.stderr.count("\n") == 1
    assert "không" in refused.stderr  # "không thể …" or "không có bước nào …"
    assert events(desk) == before


# The rest runs the command line in this process (the same parser, commands and exit
# statuses, without starting an interpreter per call).


@pytest.fixture
def run(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str, str]]:
    from desk_app.cli import main

    monkeypatch.setenv("DESK_APP_PASSWORD", PASSWORD)

    def call(*args: str, officer: str = "lan.nt") -> tuple[int, str, str]:
        monkeypatch.setenv("DESK_APP_OFFICER", officer)
        capsys.readouterr()
        status = main(["--data-dir", str(desk), *args])
        out, err = capsys.readouterr()
        return status, out, err

    return call


def test_show_prints_the_projection_and_the_timeline(
    desk: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    (code,), day = prepare(desk, ["handover", "request-supplement"])
    status, _, err = run("event", code, "supplement-received", "--at", f"{day}T09:30:00")
    assert status == 0, err
    status, out, _ = run("show", code, "--json")
    shown = json.loads(out)
    assert shown["holder"] == UNIT
    assert shown["classification"] is None
    assert shown["due_at"] == shown["original_due_at"]
    [pause] = shown["pauses"]
    assert pause["ended_at"] == f"{day}T09:30:00" and pause["reason"] == "Lý do"
    assert [s["kind"] for s in shown["timeline"]] == [
        "dossier.received", "dossier.handed_over", "dossier.supplement_requested",
        "dossier.supplement_received",
    ]  # fmt: skip
    last = shown["timeline"][-1]
    assert last["at"] == f"{day}T09:30:00" and last["recorded_at"] > last["at"]
    assert last["detail"]["due_rule"] == "restart"
    assert "handover" in shown["actions"]


def test_at_in_the_future_and_options_an_action_does_not_take(
    desk: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    (code,), _ = prepare(desk, [])
    before = events(desk)
    tomorrow = (dt.datetime.now() + dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    status, _, err = run("event", code, "handover", "--to", UNIT, "--at", tomorrow)
    assert status == 2 and "tương lai" in err
    status, _, err = run("event", code, "withdraw", "--to", UNIT)
    assert status == 2 and "không nhận --to" in err
    status, _, err = run("event", code, "stop")
    assert status == 2 and "cần --reason" in err
    status, _, err = run("event", code, "result-ready", officer="chu.tich")
    assert status == 4, err
    assert events(desk) == before


def test_correct_keeps_the_old_values_and_masks_the_cccd(
    desk: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    (code,), _ = prepare(desk, [])
    status, _, err = run(
        "correct", code, "--set", "applicant_phone=0987 654 321", "--reason", "Gõ nhầm"
    )
    assert status == 0, err
    shown = json.loads(run("show", code, "--json")[1])
    assert shown["applicant"]["phone"] == "0987654321"
    assert shown["timeline"][-1]["detail"]["changes"] == [
        {"field": "applicant_phone", "old": "0912345678", "new": "0987654321"}
    ]
    status, _, err = run("correct", code, "--set", "applicant_cccd=079301001299", "--reason", "x")
    assert status == 0, err
    text = run("show", code, "--json")[1]
    assert "079301001299" not in text and "0793******99" in text
    status, _, err = run("correct", code, "--set", "phone", "--reason", "x")
    assert status == 2 and "TRƯỜNG=GIÁ_TRỊ" in err


def test_directory_settings_guide_and_refuse(
    desk: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    assert run("directory", "add", "Lê Văn Hùng", "--kind", "officer")[0] == 4
    status, _, err = run("directory", "add", "Lê Văn Hùng", "--kind", "officer", officer="quan.tri")
    assert status == 0, err
    listed = run("directory", "list", "--json")[1]
    assert [json.loads(x)["name"] for x in listed.splitlines()] == [UNIT, "Lê Văn Hùng"]

    status, out, _ = run("settings", "set", "pause_rule", "shift", officer="quan.tri")
    assert status == 0 and json.loads(out)["pause_rule"] == "shift"
    status, _, err = run("settings", "set", "max_extensions", "many", officer="quan.tri")
    assert status == 2 and "số lần gia hạn" in err

    status, out, err = run(
        "guide", "--procedure", LONG, "--name", "Nguyễn Văn An", "--cccd", "079090001234",
        "--item", "Tờ khai:Chưa ký",
    )  # fmt: skip
    assert status == 0, err
    assert json.loads(out)["applicant"]["cccd"] == "0790******34"
    status, out, _ = run("refuse", "--procedure", LONG, "--name", "Nguyễn Văn An", "--reason", "x")
    assert status == 0 and json.loads(out)["kind"] == "refused"
