"""The return desk: results awaiting collection; returning records the time by itself
and offers the commune's satisfaction scale — one key per level, Enter to skip it, Esc
to go back without returning."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desk_app.context import DeskContext
from tests.ui.intake_fixtures import (
    ADMIN,
    OFFICER,
    fake_files,
    fake_printer,
    log_in_directly,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.search_fixtures import DANG, DANG_CCCD, SEARCH_MS, shows_dossiers, two
from ui.main_window import MainWindow
from ui.return_desk import RatingDialog, ReturnDesk

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "two", "window"]

pytestmark = shows_dossiers


def ready(ctx: DeskContext, codes: list[str]) -> None:
    for code in codes:
        ctx.lifecycle.result_ready(code, OFFICER)


def open_desk(qtbot: Any, window: MainWindow, rows: int) -> ReturnDesk:
    log_in_directly(qtbot, window, OFFICER)
    desk = window.screens["returns"]
    assert isinstance(desk, ReturnDesk) and window.tabs is not None
    window.tabs.setCurrentWidget(desk)
    qtbot.waitUntil(lambda: desk.loaded and desk.model.rowCount() == rows, timeout=SEARCH_MS)
    wait_idle(qtbot, window)
    return desk


def rating_dialog(desk: ReturnDesk) -> RatingDialog:
    desk.return_selected()
    dialog = desk.rating_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def returned(ctx: DeskContext, code: str) -> dict[str, Any]:
    (step,) = [e for e in ctx.lifecycle.timeline(code) if e.kind == "dossier.returned"]
    return step.payload


def test_one_key_returns_with_the_rating_and_the_time_by_itself(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    ready(staffed_ctx, two)
    desk = open_desk(qtbot, window, 2)
    assert sorted(h.code for h in desk.model.hits) == sorted(two)
    assert desk.title.text() == "Kết quả chờ trả (2)"
    assert all("******" in desk.model.data(desk.model.index(r, 2)) for r in range(2))
    first = desk.model.hits[0]
    dialog = rating_dialog(desk)
    assert [b.text() for b in dialog.buttons.values()] == [
        "1  Rất hài lòng", "2  Hài lòng", "3  Không hài lòng"
    ]  # fmt: skip
    with qtbot.waitSignal(desk.returned, timeout=SEARCH_MS) as done:
        qtbot.keyClick(dialog, Qt.Key.Key_1)
    assert done.args == [first.code, "Rất hài lòng"]
    qtbot.waitUntil(lambda: desk.model.rowCount() == 1, timeout=SEARCH_MS)
    payload = returned(staffed_ctx, first.code)
    assert (payload["rating"], payload["method"], payload["by"]) == (
        "Rất hài lòng",
        "desk",
        "canbo",
    )
    assert payload["at"].startswith("2026-11-23T09:00")  # the desk's clock, typed by nobody
    assert staffed_ctx.lifecycle.projection(first.code).status == "returned"
    assert desk.message.text().startswith(f"Đã trả kết quả hồ sơ {first.code}")


def test_enter_returns_without_a_rating_and_esc_returns_nothing(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    ready(staffed_ctx, two[:1])
    desk = open_desk(qtbot, window, 1)
    dialog = rating_dialog(desk)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)
    assert staffed_ctx.lifecycle.projection(two[0]).status == "result_ready"
    dialog = rating_dialog(desk)
    with qtbot.waitSignal(desk.returned, timeout=SEARCH_MS) as done:
        qtbot.keyClick(dialog.skip, Qt.Key.Key_Return)
    assert done.args == [two[0], None]
    assert returned(staffed_ctx, two[0])["rating"] is None
    qtbot.waitUntil(lambda: desk.model.rowCount() == 0, timeout=SEARCH_MS)
    assert desk.title.text() == "Kết quả chờ trả (0)"


def test_the_scale_is_the_communes(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    staffed_ctx.settings.set("rating_scale", "Hài lòng|Bình thường|Chưa hài lòng|Rất tệ", ADMIN)
    ready(staffed_ctx, two[:1])
    desk = open_desk(qtbot, window, 1)
    dialog = rating_dialog(desk)
    assert len(dialog.buttons) == 4
    with qtbot.waitSignal(desk.returned, timeout=SEARCH_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_4)
    assert returned(staffed_ctx, two[0])["rating"] == "Rất tệ"


def test_an_unexpected_error_shows_one_plain_line_and_no_citizen(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    ready(staffed_ctx, two[:1])
    desk = open_desk(qtbot, window, 1)

    def broken(code: str, spec: Any, values: Any) -> Any:
        # A bug whose text quotes a citizen, as an SQL parameter would.
        raise KeyError(f"applicant {DANG} {DANG_CCCD} of {code}")

    desk._run_action = broken
    dialog = rating_dialog(desk)
    qtbot.keyClick(dialog, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: desk.message.isVisible(), timeout=SEARCH_MS)
    text = desk.message.text()
    assert text == "lỗi không lường trước (KeyError)"
    assert DANG_CCCD not in text and DANG not in text and two[0] not in text
    assert staffed_ctx.lifecycle.projection(two[0]).status == "result_ready"
