"""The chair's backlog screen: tiles, lists, a click that opens the dossier, and a refresh
by itself after a sync pulls another desk's events — all loaded off the GUI thread (the
autouse guard fails any SQL the UI runs on it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QThread
from pytestqt.qtbot import QtBot

from desk_app.auth import Officer, Role
from desk_app.context import DeskContext
from desk_app.demo import seed_demo
from tests.conftest import AGENCY, DESK_NOW
from tests.ui.test_sync_changes import second_desk
from tests.ui.test_sync_status import DistrictServer, receive_one, server
from tests.unit.chair.dataset import receive
from tests.unit.chair.test_backlog import desk
from ui.backlog import BacklogScreen
from ui.operations import Changes, Operations

__all__ = ["desk", "second_desk", "server"]

# Showing a window on the offscreen platform warns about propagateSizeHints.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

CHAIR = Officer("chutich", "Chủ tịch", Role.CHAIR)
WAIT_MS = 30_000


def _screen(qtbot: QtBot, desk: DeskContext) -> Iterator[tuple[BacklogScreen, list[str]]]:
    ops = Operations()
    opened: list[str] = []
    widget = BacklogScreen(
        desk.backlog, desk.reports, desk.profiles, CHAIR, desk.clock, ops,
        lambda _pdf, _title: None, opened.append,
    )  # fmt: skip
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    yield widget, opened
    ops.shutdown()


@pytest.fixture
def screen(qtbot: QtBot, desk: DeskContext) -> Iterator[tuple[BacklogScreen, list[str]]]:
    yield from _screen(qtbot, desk)


@pytest.fixture
def plain_screen(
    qtbot: QtBot, profiled_ctx: DeskContext
) -> Iterator[tuple[BacklogScreen, list[str]]]:
    """The screen on a desk with one dossier of its own, due today."""
    receive(profiled_ctx, "T1", DESK_NOW.replace(hour=8), DESK_NOW.replace(hour=17))
    yield from _screen(qtbot, profiled_ctx)


def _loaded(qtbot: QtBot, widget: BacklogScreen, loads: int) -> None:
    qtbot.waitUntil(lambda: widget.controller.loads >= loads, timeout=WAIT_MS)


def test_tiles_open_their_lists_and_a_row_opens_the_dossier(
    qtbot: QtBot, screen: tuple[BacklogScreen, list[str]]
) -> None:
    widget, opened = screen
    widget.screen_shown()
    _loaded(qtbot, widget, 1)
    counts = {k: t.count for k, t in widget.tiles.items()}
    assert counts == {
        "due_today": 1, "overdue": 2, "due_soon": 1, "waiting_supplement": 1,
        "received_today": 1, "returned_today": 1,
    }  # fmt: skip
    assert "⚠" in widget.tiles["overdue"].text() and "Quá hạn" in widget.tiles["overdue"].text()
    # the overdue list first, the longest late on top, with words and not colour alone
    table, proxy = widget.table, widget.table.model()
    assert proxy.rowCount() == 2
    assert proxy.index(0, 0).data() == "⚠ Quá hạn 6 ngày"
    assert proxy.index(0, 1).data() == f"{AGENCY}-O2"
    qtbot.mouseClick(widget.tiles["waiting_supplement"], Qt.MouseButton.LeftButton)
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data() == "‖ Chờ bổ sung"
    assert widget.tiles["waiting_supplement"].isChecked()
    assert not widget.tiles["overdue"].isChecked()
    # sorting by the code column
    qtbot.mouseClick(widget.tiles["overdue"], Qt.MouseButton.LeftButton)
    table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, 1).data() == f"{AGENCY}-O1"
    # Enter on a row (or a double click) opens the dossier
    table.setFocus()
    table.setCurrentIndex(proxy.index(0, 1))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [f"{AGENCY}-O1"]
    # breakdowns
    holders = widget.breakdowns["holder"]
    rows = {
        holders.index(r, 0).data(): holders.index(r, 2).data() for r in range(holders.rowCount())
    }
    assert rows["diachinh"] == "1" and rows["tuphap"] == "1"
    # a filter reloads by itself
    widget.desk.setValue(2)
    _loaded(qtbot, widget, 2)
    assert widget.tiles["overdue"].count == 1 and widget.tiles["due_today"].count == 0


def test_refreshes_itself_after_a_sync_pulls_another_desks_dossier(
    qtbot: QtBot,
    plain_screen: tuple[BacklogScreen, list[str]],
    profiled_ctx: DeskContext,
    second_desk: DeskContext,
    server: DistrictServer,
) -> None:
    widget, _ = plain_screen
    desk = profiled_ctx
    widget.screen_shown()
    _loaded(qtbot, widget, 1)
    assert widget.tiles["due_today"].count == 1
    desk.sync.enroll(server.url, server.enrollment_code())
    second_desk.sync.enroll(server.url, server.enrollment_code(desk=2))
    clerk = second_desk.users.add("canbo2", "Trần Thị Mai", Role.ADMIN, "matkhau123", by="t")
    receive_one(second_desk, clerk)  # a same-day procedure received now: due today
    assert second_desk.sync.sync_once().pushed == 1
    ops = widget.controller._ops
    # what the main window's sync thread does after a pull: report changed dossiers
    summaries: list[object] = []

    def pulled(summary: object) -> None:
        summaries.append(summary)
        ops.report(Changes(dossiers=True), "sync")

    ops.run(desk.sync.sync_once, pulled)
    qtbot.waitUntil(lambda: bool(summaries), timeout=WAIT_MS)
    _loaded(qtbot, widget, 2)
    assert widget.tiles["due_today"].count == 2
    assert widget.tiles["received_today"].count == 2
    desks = {item.desk for item in widget.controller.current.lists["due_today"]}  # type: ignore[union-attr]
    assert desks == {1, 2}


@pytest.fixture
def unbuilt_screen(
    qtbot: QtBot, profiled_ctx: DeskContext
) -> Iterator[tuple[BacklogScreen, list[str]]]:
    """The screen on demo data whose report history was never built: more dossiers than
    one batch of the build."""
    seed_demo(profiled_ctx, 2500, workers=0)
    yield from _screen(qtbot, profiled_ctx)


def test_first_build_of_the_report_history_shows_its_progress(
    qtbot: QtBot, unbuilt_screen: tuple[BacklogScreen, list[str]]
) -> None:
    widget, _ = unbuilt_screen
    bar = widget.history_bar
    seen: list[tuple[int, int, bool, int]] = []
    threads: set[bool] = set()

    def progressed(done: int, total: int) -> None:
        threads.add(QThread.currentThread() is widget.thread())
        seen.append((done, total, bar.isVisible(), bar.value()))

    # connected after the view: sees the bar as the view left it
    widget.controller.history_progress.connect(progressed)
    widget.screen_shown()
    qtbot.waitUntil(lambda: bool(widget.flow_chart.series), timeout=WAIT_MS * 4)
    # the charts wait for the build; meanwhile the bar says how far it is
    assert seen[0] == (0, 2500, True, 0)
    assert (2000, 2500, True, 2000) in seen
    assert seen[-1][:3] == (2500, 2500, False)
    assert not bar.isVisible()
    assert threads == {True}  # shown on the GUI thread, never from the database thread
    # once built, a refresh takes in what is new without a bar
    seen.clear()
    loads = widget.controller.loads
    widget.controller.refresh()
    _loaded(qtbot, widget, loads + 1)
    qtbot.waitUntil(lambda: not widget.controller._ops.busy, timeout=WAIT_MS)
    assert not any(visible for _, _, visible, _ in seen)
    assert not bar.isVisible()


def test_the_due_soon_tile_follows_the_communes_window_until_the_chair_picks_one(
    qtbot: QtBot, screen: tuple[BacklogScreen, list[str]], desk: DeskContext
) -> None:
    widget, _ = screen
    admin = Officer("quantri", "Quản trị", Role.ADMIN)
    ops = widget.controller._ops
    widget.screen_shown()
    _loaded(qtbot, widget, 1)
    assert widget.tiles["due_soon"].count == 1 and widget.window_days.value() == 2
    # what the administration section does: change the setting, report it
    desk.settings.set("warning_days", "3", admin)
    ops.report(Changes(settings=True), "admin")
    _loaded(qtbot, widget, 2)
    assert widget.tiles["due_soon"].count == 3 and widget.window_days.value() == 3
    # the window the chair picks holds for the session
    widget.window_days.setValue(1)
    _loaded(qtbot, widget, 3)
    assert widget.tiles["due_soon"].count == 0
    desk.settings.set("warning_days", "4", admin)
    ops.report(Changes(settings=True), "admin")
    _loaded(qtbot, widget, 4)
    assert widget.window_days.value() == 1 and widget.tiles["due_soon"].count == 0
