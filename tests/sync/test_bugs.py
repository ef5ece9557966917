"""Faults the sync once did not survive, each now fixed: the summary's counts when a later
batch fails, a replacement machine that received before enrolling, an event the server
refuses, and a server restored from an older backup."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from desk_app.sync.engine import PUSH_BATCH, EnrollmentError
from tests.helpers.faultproxy import FaultProxy
from tests.sync.conftest import (
    Desk,
    ServerProcess,
    SharedServer,
    assert_exactly_once,
    new_agency,
    server_events,
    settle,
)


def test_summary_counts_the_batches_acknowledged_before_a_failure(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    with FaultProxy(shared_server.server.port) as proxy:
        desk = make_desk(new_agency(), 1)
        desk.enroll(shared_server.db_url, proxy.url)
        desk.seed(PUSH_BATCH + 20)
        proxy.set_mode("http_503", method="POST", path_prefix="/api/v1/events", skip=1)
        summary = desk.sync()
        assert summary.errors
        assert desk.pending() == 20  # the first batch went and is marked
        assert summary.pushed == PUSH_BATCH


def test_replacement_machine_that_received_before_its_first_sync(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    agency = new_agency()
    old = make_desk(agency, 1)
    old.enroll(shared_server.db_url, shared_server.url)
    old_codes = old.intake(2)
    assert old.sync().pending == 0

    new = make_desk(agency, 1)  # the replacement, used at once, offline
    [code] = new.intake(1)
    try:
        new.enroll(shared_server.db_url, shared_server.url)
    except EnrollmentError:
        pass  # refusing in plain words is a correct outcome
    else:
        summary = new.sync()  # must report, never raise
        if not summary.errors:
            assert set(old_codes) <= set(new.dossiers())
    stored = server_events(shared_server.db_url, agency)
    pairs = [(e.origin_desk, e.origin_seq) for e in stored]
    assert len(pairs) == len(set(pairs)), "the server holds desk 1's origin_seq twice"
    assert code not in old_codes or len(stored) == len(old_codes), "one code, two dossiers"


def test_an_event_the_server_refuses_does_not_block_the_others(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    agency = new_agency()
    desk = make_desk(agency, 1)
    desk.enroll(shared_server.db_url, shared_server.url)
    peer = make_desk(agency, 2)
    peer.enroll(shared_server.db_url, shared_server.url)
    [peer_code] = peer.intake(1)
    assert peer.sync().pending == 0

    with contextlib.suppress(ValueError):  # refusing it at the desk is a fix too
        desk.ctx.calendar_admin.add_override(
            dt.date(2026, 12, 1), "day_off", "Quyết định 12/QĐ-UBND", actor=""
        )
    codes = desk.intake(2)
    for _ in range(2):
        desk.sync()
    stored = {e.kind for e in server_events(shared_server.db_url, agency)}
    assert "dossier.received" in stored and desk.pending() <= 1
    assert set(codes) | {peer_code} <= set(desk.dossiers())


def test_server_restored_from_an_older_backup_loses_nothing(
    new_db_url: Callable[[str], str],
    start_server: Callable[..., ServerProcess],
    make_desk: Callable[..., Desk],
    tmp_path: Path,
) -> None:
    db_url = new_db_url("sqlite")
    db_file = Path(db_url.removeprefix("sqlite:///"))
    server = start_server(db_url)
    agency = new_agency()
    desk1, desk2 = make_desk(agency, 1), make_desk(agency, 2)
    for desk in (desk1, desk2):
        desk.enroll(db_url, server.url)
    desk1.intake(2)
    settle([desk1, desk2])

    server.stop()
    backup = tmp_path / "backup"
    backup.mkdir()
    for f in db_file.parent.glob(db_file.name + "*"):
        shutil.copy2(f, backup / f.name)
    server.start()
    desk1.intake(2)
    settle([desk1, desk2])

    server.stop()  # the disk dies; last night's backup comes back
    for f in db_file.parent.glob(db_file.name + "*"):
        f.unlink()
    for f in backup.iterdir():
        shutil.copy2(f, db_file.parent / f.name)
    server.start()
    desk2.intake(1)
    settle([desk1, desk2])
    assert_exactly_once(db_url, agency, [desk1, desk2])
