"""The search tab: results while typing (without diacritics, ``đ`` as ``d``), the CCCD
masked, one audit entry per search looked at — not one per keystroke — and Enter opens
the dossier."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer

from desk_app.context import DeskContext
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    CHAIR,
    OFFICER,
    activate,
    close_discarding,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.search_fixtures import (
    DANG,
    DANG_CCCD,
    NHUNG_CCCD,
    SEARCH_MS,
    search_audits,
    shows_dossiers,
    two,
)
from ui.main_window import MainWindow
from ui.search_screen import AUDIT_AFTER_MS, SearchScreen

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "two", "window"]

pytestmark = shows_dossiers


def open_search(qtbot: Any, window: MainWindow, officer: Any = OFFICER) -> SearchScreen:
    log_in_directly(qtbot, window, officer)
    screen = window.screens["search"]
    assert isinstance(screen, SearchScreen) and window.tabs is not None
    window.tabs.setCurrentWidget(screen)
    wait_idle(qtbot, window)
    assert focused() is screen.query
    return screen


def table_texts(screen: SearchScreen) -> list[list[str]]:
    model = screen.model
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def wait_rows(qtbot: Any, screen: SearchScreen, count: int) -> None:
    qtbot.waitUntil(
        lambda: not screen.controller.busy and screen.model.rowCount() == count, timeout=SEARCH_MS
    )


def test_a_name_typed_without_diacritics_finds_the_dossier_cccd_masked(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    screen = open_search(qtbot, window)
    type_text(qtbot, screen.query, "dang van d")
    wait_rows(qtbot, screen, 1)
    (row,) = table_texts(screen)
    assert row[0] == two[0]
    assert row[1] == DANG
    assert row[2] == "0010******67"
    assert row[-1] == "họ tên"
    assert not any(DANG_CCCD in cell for cell in row)
    assert screen.status.text() == "1 hồ sơ (mới nhất trước)"

    screen.query.clear()
    type_text(qtbot, screen.query, "1002")
    wait_rows(qtbot, screen, 1)
    assert table_texts(screen)[0][0] == two[1]
    screen.query.clear()
    type_text(qtbot, screen.query, NHUNG_CCCD)
    wait_rows(qtbot, screen, 1)
    assert table_texts(screen)[0][2] == "0793******34"
    screen.query.clear()
    type_text(qtbot, screen.query, "khong ai ten nay")
    wait_rows(qtbot, screen, 0)
    assert screen.status.text() == "Không tìm thấy hồ sơ nào."


def audit_timer(screen: SearchScreen) -> QTimer:
    """The controller's "results stayed on screen" timer (its only one of that length)."""
    timers = screen.controller.findChildren(QTimer)
    (timer,) = [t for t in timers if t.interval() == AUDIT_AFTER_MS]
    return timer


def test_typing_is_one_audit_entry_once_the_results_stay_a_second(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    screen = open_search(qtbot, window)
    timer = audit_timer(screen)
    # Each keystroke's results start the countdown to their audit entry and the next
    # keystroke cancels it. Stretched while typing, so that a loaded machine pausing the
    # test between two keystrokes cannot let the results of a half-typed text stay.
    timer.setInterval(3_600_000)
    running_after_keystroke: list[bool] = []  # connected after the controller's own slot
    screen.query.textChanged.connect(lambda _t: running_after_keystroke.append(timer.isActive()))
    pending = 0
    for ch in "tran thi":
        type_text(qtbot, screen.query, ch)
        qtbot.waitUntil(lambda: not screen.controller.busy, timeout=SEARCH_MS)
        assert search_audits(staffed_ctx) == []
        assert timer.isActive() == bool(screen.model.rowCount())  # started by the results
        pending += timer.isActive()
    assert running_after_keystroke == [False] * len("tran thi")  # each keystroke cancels
    assert pending >= 4  # "tran", "tran ", "tran t", ...: results at each keystroke
    assert screen.model.rowCount() == 1
    started = time.monotonic()
    timer.setInterval(AUDIT_AFTER_MS)  # the real second, from now
    with qtbot.waitSignal(screen.controller.audited, timeout=SEARCH_MS):
        pass
    assert time.monotonic() - started >= AUDIT_AFTER_MS / 1000 * 0.9  # not at once
    wait_idle(qtbot, window)
    (entry,) = search_audits(staffed_ctx)
    assert (entry.username, entry.action, entry.object_ref) == ("canbo", "view", "tran thi")
    assert two[1] in entry.detail
    qtbot.wait(AUDIT_AFTER_MS + 300)
    assert len(search_audits(staffed_ctx)) == 1  # the same results again: not again


def test_enter_opens_the_first_result_and_that_is_audited_at_once(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    screen = open_search(qtbot, window)
    type_text(qtbot, screen.query, "26112")
    wait_rows(qtbot, screen, 2)
    assert [r[0] for r in table_texts(screen)] == [two[1], two[0]]  # newest first
    with qtbot.waitSignal(window.dossier_opened, timeout=30_000) as opened:
        qtbot.keyClick(screen.query, Qt.Key.Key_Return)
    view = opened.args[0]
    qtbot.waitUntil(lambda: view.details is not None, timeout=SEARCH_MS)
    assert view.details.dossier.code == two[1]
    wait_idle(qtbot, window)
    (entry,) = search_audits(staffed_ctx)
    assert entry.object_ref == "26112"

    # ↓ goes into the list; Enter there opens the row chosen
    view.reject()
    activate(qtbot, window)
    screen.query.setFocus()
    qtbot.keyClick(screen.query, Qt.Key.Key_Down)
    assert focused() is screen.results
    screen.results.setCurrentIndex(screen.model.index(1, 0))
    screen.results.activated.emit(screen.model.index(1, 0))
    qtbot.waitUntil(
        lambda: view.details is not None and view.details.dossier.code == two[0],
        timeout=SEARCH_MS,
    )


def test_the_chair_searches_too(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    screen = open_search(qtbot, window, CHAIR)
    type_text(qtbot, screen.query, "Đặng")
    wait_rows(qtbot, screen, 1)
    assert table_texts(screen)[0][0] == two[0]


def test_a_pause_in_typing_that_ends_after_the_window_closed_does_nothing(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    screen = open_search(qtbot, window)
    close_discarding(window)
    assert window.ops.stopped
    # The screen outlives the window until Qt deletes it: text arriving now still starts
    # the typing pause, whose end must not reach the stopped threads.
    screen.query.setText("nhung")
    qtbot.waitUntil(lambda: not screen.controller.busy, timeout=SEARCH_MS)
    assert screen.model.rowCount() == 0
