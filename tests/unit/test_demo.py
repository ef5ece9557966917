"""``desk-app seed-demo``: realistic, well-formed demo data that never collides."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desk_app.cccd import check_cccd
from desk_app.config import DATABASE_FILE
from desk_app.db import cipher
from desk_app.dossier_code import DEFAULT_PATTERN, CodePattern
from tests.conftest import TEST_PASSWORD, RunCli, copy_database, run_desk_app
from tests.helpers.desk_files import connect_desk

CODE_RE = re.compile(r"000\.20\.33\.H12-(\d{6})-1(\d{3})")
VIETNAMESE_MARKS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def rows(folder: Path, sql: str) -> list[Any]:
    conn = connect_desk(folder / DATABASE_FILE)
    conn.row_factory = cipher.driver.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def seed(run_cli: RunCli, count: int, *extra: str) -> dict[str, Any]:
    result = run_cli("seed-demo", "--dossiers", str(count), *extra)
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    assert summary["dossiers"] == count
    return summary


@pytest.fixture(scope="module")
def seeded_template(staffed_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``init``-ed folder seeded once with 2000 dossiers by the real CLI (read only), in
    the name of its administrator."""
    folder = tmp_path_factory.mktemp("seeded")
    copy_database(staffed_template, folder)
    result = run_desk_app(
        ["seed-demo", "--dossiers", "2000"],
        data_dir=folder,
        env={"DESK_APP_PASSWORD": TEST_PASSWORD},
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["dossiers"] == 2000
    assert summary["first_day"] <= summary["last_day"]
    return folder


@pytest.fixture
def seeded_dir(seeded_template: Path) -> Path:
    return seeded_template


@pytest.fixture
def reseedable_dir(seeded_template: Path, data_dir: Path) -> Path:
    """This test's own copy of the seeded database, for seeding again."""
    copy_database(seeded_template / DATABASE_FILE, data_dir)
    return data_dir


def test_two_thousand_dossiers_with_their_whole_history(seeded_dir: Path) -> None:
    assert rows(seeded_dir, "SELECT count(*) FROM dossiers")[0][0] == 2000
    events = rows(seeded_dir, "SELECT kind, dossier_uuid, payload, origin_seq FROM events")
    received = [e for e in events if e["kind"] == "dossier.received"]
    uuids = {r[0] for r in rows(seeded_dir, "SELECT uuid FROM dossiers")}
    assert len(received) == 2000 and {e["dossier_uuid"] for e in received} == uuids
    assert all(json.loads(e["payload"])["demo"] is True for e in received)
    assert sorted(e["origin_seq"] for e in events) == list(range(1, len(events) + 1))
    kinds = Counter(e["kind"] for e in events)
    # Realistic proportions: nearly all handed on, most returned, some supplements,
    # extensions, withdrawals, stops; guided and refused visits beside the dossiers.
    assert kinds["dossier.handed_over"] > 1800
    assert 1500 < kinds["dossier.returned"] <= kinds["dossier.result_ready"] < 2000
    assert 100 < kinds["dossier.supplement_requested"] < 400
    assert kinds["dossier.supplement_received"] <= kinds["dossier.supplement_requested"]
    for rare in ("dossier.extended", "dossier.withdrawn", "dossier.stopped", "intake.guided",
                 "intake.refused"):  # fmt: skip
        assert 5 < kinds[rare] < 200, (rare, kinds[rare])
    assert kinds["directory.entry_set"] == 3  # the demo units dossiers are handed to
    visits = rows(seeded_dir, "SELECT count(*) FROM intake_outcomes")[0][0]
    assert visits == kinds["intake.guided"] + kinds["intake.refused"]


def test_every_stored_projection_is_what_its_events_fold_to(seeded_template: Path) -> None:
    from sqlalchemy import select

    from desk_app.context import DeskContext
    from desk_app.db.models import Dossier
    from desk_app.dossiers import current, stored_projection

    ctx = DeskContext.open(seeded_template)
    try:
        with ctx.db.read() as s:
            checked = Counter()
            for dossier in s.scalars(select(Dossier)):
                folded, entries = current(s, dossier)
                assert all(applied for _, applied in entries), dossier.code
                assert stored_projection(dossier) == folded, dossier.code
                assert dossier.result_at == (folded.result_at if folded.classification else None)
                checked[folded.classification] += 1
    finally:
        ctx.close()
    assert set(checked) == {None, "early", "on_time", "late"}, checked


def test_an_enrolled_desk_gets_no_demo_data(inited_dir: Path, run_cli: RunCli) -> None:
    conn = connect_desk(inited_dir / DATABASE_FILE)
    with conn:
        conn.execute(
            "INSERT INTO sync_state (id, server_url, token, desk_id, enrolled_at, pull_cursor, "
            "origin_seq_floor, full_pull_done) VALUES (1, 'https://x', 't', 'd', "
            "'2026-11-23 08:00:00', 0, 0, 0)"
        )
    conn.close()
    result = run_cli("seed-demo", "--dossiers", "10")
    assert result.returncode == 1 and "đã đăng ký với máy chủ" in result.stderr
    assert rows(inited_dir, "SELECT count(*) FROM dossiers")[0][0] == 0


def test_codes_are_unique_and_follow_the_pattern(seeded_dir: Path) -> None:
    dossiers = rows(seeded_dir, "SELECT code, received_at, register_line FROM dossiers")
    codes = [d["code"] for d in dossiers]
    assert len(set(codes)) == len(codes) == 2000
    for d in dossiers:
        m = CODE_RE.fullmatch(d["code"])
        assert m, d["code"]
        received = dt.datetime.fromisoformat(d["received_at"])
        assert m.group(1) == f"{received:%y%m%d}"
        assert int(m.group(2)) == d["register_line"]


def test_every_cccd_agrees_with_the_date_of_birth(seeded_dir: Path) -> None:
    for d in rows(seeded_dir, "SELECT applicant_cccd, applicant_dob FROM dossiers"):
        cccd, dob = d["applicant_cccd"], dt.date.fromisoformat(d["applicant_dob"])
        assert re.fullmatch(r"\d{12}", cccd), cccd
        assert check_cccd(cccd, dob).error is None, (cccd, dob)
        assert int(cccd[4:6]) == dob.year % 100
        assert int(cccd[3]) // 2 == dob.year // 100 - 19


def test_names_are_vietnamese_and_folded(seeded_dir: Path) -> None:
    from desk_app.text import fold

    names = rows(seeded_dir, "SELECT applicant_name, applicant_name_folded FROM dossiers")
    with_marks = [n for n in names if VIETNAMESE_MARKS & set(n[0].lower())]
    assert len(with_marks) > len(names) // 2
    for n in names:
        assert unicodedata.is_normalized("NFC", n[0])
        assert n[1] == fold(n[0])


def test_statuses_procedures_and_due_dates_are_varied(seeded_dir: Path) -> None:
    dossiers = rows(seeded_dir, "SELECT status, procedure_code, due_at, received_at FROM dossiers")
    statuses = Counter(d["status"] for d in dossiers)
    assert len(statuses) >= 4, statuses
    assert "returned" in statuses
    assert len({d["procedure_code"] for d in dossiers}) >= 10
    for d in dossiers:
        if d["due_at"] is not None:
            assert d["due_at"] >= d["received_at"]


def test_counters_are_advanced_past_the_demo_codes(seeded_dir: Path) -> None:
    per_day: dict[str, int] = {}
    for d in rows(seeded_dir, "SELECT code FROM dossiers"):
        m = CODE_RE.fullmatch(d["code"])
        assert m
        per_day[m.group(1)] = max(per_day.get(m.group(1), 0), int(m.group(2)))
    counters = {
        dt.date.fromisoformat(r["day"]): r["last_seq"]
        for r in rows(
            seeded_dir, "SELECT day, last_seq FROM dossier_code_counters WHERE desk_number = 1"
        )
    }
    assert {f"{day:%y%m%d}": seq for day, seq in counters.items()} == per_day
    codes = {r[0] for r in rows(seeded_dir, "SELECT code FROM dossiers")}
    pattern = CodePattern(DEFAULT_PATTERN)
    for day, last in counters.items():
        assert pattern.format("000.20.33.H12", day, 1, last + 1) not in codes


def test_database_is_back_in_wal_mode(seeded_dir: Path) -> None:
    assert rows(seeded_dir, "PRAGMA journal_mode")[0][0] == "wal"
    assert rows(seeded_dir, "PRAGMA integrity_check")[0][0] == "ok"


def test_seeding_again_adds_without_collisions(reseedable_dir: Path, run_cli: RunCli) -> None:
    before = {r[0] for r in rows(reseedable_dir, "SELECT code FROM dossiers")}
    seed(run_cli, 500, "--seed", "7")
    codes = [r[0] for r in rows(reseedable_dir, "SELECT code FROM dossiers")]
    assert len(codes) == len(set(codes)) == 2500
    assert before <= set(codes)
    origin = [r[0] for r in rows(reseedable_dir, "SELECT origin_seq FROM events ORDER BY seq")]
    assert origin == list(range(1, len(origin) + 1))


def test_seeding_twice_with_the_default_seed_adds_without_collisions(
    reseedable_dir: Path, run_cli: RunCli
) -> None:
    result = run_cli("seed-demo", "--dossiers", "300")
    assert result.returncode == 0, result.stderr
    assert rows(reseedable_dir, "SELECT count(*) FROM dossiers")[0][0] == 2300


def test_seed_demo_on_a_desk_not_set_up_is_refused(run_cli: RunCli) -> None:
    result = run_cli("seed-demo", "--dossiers", "10")
    assert result.returncode == 1  # operational, as for every command: the desk is not set up
    assert len(result.stderr.strip().splitlines()) == 1
    assert "chưa được thiết lập" in result.stderr
