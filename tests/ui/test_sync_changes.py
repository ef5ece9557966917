"""A sync round that applies other desks' events reports them as changed dossiers, on the
GUI thread, through the one ``Operations.changed`` signal the screens refresh from."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock, utc_naive
from desk_app.context import DeskContext
from desk_app.profile import Profile
from tests.conftest import AGENCY, COMMUNE, DESK_NOW, PROVINCE, copy_database
from tests.ui.test_sync_status import (
    SEEN_TIMEOUT_MS,
    DistrictServer,
    officer,
    receive_one,
    server,
)
from ui.main_window import MainWindow
from ui.operations import Changes

__all__ = ["officer", "server"]


@pytest.fixture
def second_desk(desk_template: Path, tmp_path: Path) -> Iterator[DeskContext]:
    """Desk 2 of the same commune, in a data folder of its own."""
    folder = tmp_path / "desk-2"
    copy_database(desk_template, folder)
    clock = FixedClock(DESK_NOW)
    ctx = DeskContext.open(folder, clock)
    ctx.profiles.save(Profile(COMMUNE, PROVINCE, AGENCY, 2), utc_naive(clock))
    yield ctx
    ctx.close()


def test_pulled_events_reach_the_screens_as_changed_dossiers(
    qtbot: QtBot,
    profiled_ctx: DeskContext,
    officer: Officer,
    second_desk: DeskContext,
    server: DistrictServer,
) -> None:
    profiled_ctx.sync.enroll(server.url, server.enrollment_code())
    second_desk.sync.enroll(server.url, server.enrollment_code(desk=2))
    clerk = second_desk.users.add("canbo2", "Trần Thị Mai", Role.ADMIN, "matkhau123", by="t")
    receive_one(second_desk, clerk)
    assert second_desk.sync.sync_once().pushed == 1

    window = MainWindow()  # its sync thread starts with the first probe at once
    qtbot.addWidget(window)
    on_gui_thread: list[bool] = []
    window.ops.changed.connect(
        lambda _c, _i: on_gui_thread.append(threading.current_thread() is threading.main_thread())
    )
    try:
        with qtbot.waitSignal(window.ops.changed, timeout=SEEN_TIMEOUT_MS) as changed:
            window.attach(profiled_ctx)
    finally:
        window.close()  # stops the sync and database threads
    assert changed.args == [Changes(dossiers=True), window.sync_worker]
    assert on_gui_thread == [True]
    [dossier] = profiled_ctx.intake.list_received(officer)
    assert dossier.code.startswith(AGENCY) and dossier.received_by == "canbo2"
