"""The dossier view: facts with the CCCD masked, who holds it, the due date's traffic
light in words and symbol, the pauses, the timeline (annulled steps struck out) and only
the actions the state and the role allow — each recorded through the lifecycle service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from desk_app.context import DeskContext
from tests.ui.intake_fixtures import (
    ADMIN,
    CHAIR,
    OFFICER,
    fake_files,
    fake_printer,
    log_in_directly,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.search_fixtures import SEARCH_MS, shows_dossiers, two
from ui.dossier_view import DossierDialog, due_state
from ui.dossier_view_actions import ActionDialog
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "two", "window"]

pytestmark = shows_dossiers

UNIT = "Công chức Tư pháp - Hộ tịch"


def opened(qtbot: Any, window: MainWindow, code: str, officer: Any = OFFICER) -> DossierDialog:
    if window.officer is None:
        log_in_directly(qtbot, window, officer)
    view = window.open_dossier(code)
    assert view is not None
    qtbot.waitUntil(
        lambda: view.details is not None and view.details.dossier.code == code, timeout=SEARCH_MS
    )
    wait_idle(qtbot, window)
    return view


def visible_actions(view: DossierDialog) -> list[str]:
    return [key for key, b in view.action_buttons.items() if not b.isHidden()]


def act(qtbot: Any, window: MainWindow, view: DossierDialog, key: str, **fields: Any) -> None:
    """Press an action's button, fill its form and record it."""
    view.action_buttons[key].click()
    dialog = view.action_dialog
    assert isinstance(dialog, ActionDialog)
    if "reason" in fields:
        dialog.reason.setText(fields["reason"])
    if "receiver" in fields:
        dialog.receiver.setCurrentText(fields["receiver"])
    before = view.details
    dialog._accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    qtbot.waitUntil(lambda: view.details is not before, timeout=SEARCH_MS)
    wait_idle(qtbot, window)


def test_the_view_shows_the_facts_holder_due_light_and_the_officers_actions(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    view = opened(qtbot, window, two[0])
    assert view.title.text() == two[0]
    assert view.status.text() == "Đã tiếp nhận"
    assert view.facts["cccd"].text() == "0010******67"
    assert view.facts["holder"].text() == "Trần Văn Bình"  # the receiving officer, by name
    # received Monday 23/11 09:00, 3 working days (24/11 is a holiday): due Fri 27/11
    assert view.due_light.text() == "● Trong hạn: còn 4 ngày"
    assert view.due_light.property("state") == "on_track"
    assert view.facts["pauses"].text() == "Không có"
    assert "Tiếp nhận hồ sơ" in view.timeline.text()
    assert visible_actions(view) == [
        "handover", "request-supplement", "extend", "result-ready", "not-eligible",
        "withdraw", "stop",
    ]  # fmt: skip


def test_the_chair_sees_the_dossier_and_no_action(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    view = opened(qtbot, window, two[0], CHAIR)
    assert visible_actions(view) == []
    assert view.no_actions.text() == "Vai trò của bạn chỉ được xem và in."


def test_a_supplement_request_pauses_and_an_annulment_strikes_it_out(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    view = opened(qtbot, window, two[0])
    act(qtbot, window, view, "request-supplement", reason="Thiếu giấy chứng sinh")
    assert view.status.text() == "Chờ bổ sung"
    assert view.due_light.property("state") == "paused"
    assert view.facts["pauses"].text().endswith("đến nay — Thiếu giấy chứng sinh")
    assert "Yêu cầu bổ sung (Thiếu giấy chứng sinh)" in view.timeline.text()
    assert visible_actions(view) == ["handover", "supplement-received", "withdraw", "stop", "annul"]
    assert view.message.text() == "Đã ghi: Yêu cầu bổ sung."

    act(qtbot, window, view, "annul", reason="Ghi nhầm hồ sơ")
    assert view.status.text() == "Đã tiếp nhận"
    assert "<s>" in view.timeline.text() and "đã hủy bỏ" in view.timeline.text()
    assert "annul" not in visible_actions(view)


def test_a_hand_over_goes_to_someone_from_the_directory(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    staffed_ctx.directory.add("unit", UNIT, ADMIN)
    view = opened(qtbot, window, two[1])
    act(qtbot, window, view, "handover", receiver=UNIT)
    assert view.facts["holder"].text() == UNIT
    assert view.status.text() == "Đang giải quyết"
    assert f"Bàn giao cho: {UNIT}" in view.timeline.text()


def test_a_refused_action_says_why_in_the_view(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    view = opened(qtbot, window, two[0])
    staffed_ctx.lifecycle.withdraw(two[0], OFFICER, reason="Công dân xin rút")  # elsewhere
    act_button = view.action_buttons["result-ready"]
    act_button.click()
    dialog = view.action_dialog
    assert dialog is not None
    dialog._accept()
    qtbot.waitUntil(lambda: view.message.isVisible() and "Rút" in view.message.text(),
                    timeout=SEARCH_MS)  # fmt: skip
    wait_idle(qtbot, window)


def test_nothing_opens_while_locked(qtbot: Any, window: MainWindow, two: list[str]) -> None:
    log_in_directly(qtbot, window, OFFICER)
    window.lock()
    assert window.open_dossier(two[0]) is None


NOW = dt.datetime(2026, 11, 23, 9, 0)


@pytest.mark.parametrize(
    ("due", "status", "state", "words"),
    [
        (dt.datetime(2026, 11, 27, 17), "in_progress", "on_track", "● Trong hạn: còn 4 ngày"),
        (dt.datetime(2026, 11, 25, 17), "received", "soon", "▲ Sắp đến hạn: còn 2 ngày"),
        (dt.datetime(2026, 11, 23, 17), "received", "soon", "▲ Sắp đến hạn: hạn trả hôm nay"),
        (dt.datetime(2026, 11, 23, 8), "received", "overdue", "■ Quá hạn (hạn là hôm nay)"),
        (dt.datetime(2026, 11, 20, 17), "extended", "overdue", "■ Quá hạn 3 ngày"),
        (dt.datetime(2026, 11, 20, 17), "waiting_supplement", "paused", None),
        (dt.datetime(2026, 11, 20, 17), "result_ready", "closed", None),
        (None, "received", "none", "Không có ngày hẹn trả cụ thể"),
    ],
)
def test_the_traffic_light_has_words_and_a_symbol(
    due: dt.datetime | None, status: str, state: str, words: str | None
) -> None:
    got_state, got_words = due_state(NOW, due, status)
    assert got_state == state
    if words is not None:
        assert got_words == words


def test_due_soon_follows_the_communes_working_day_window() -> None:
    # Friday: an appointment on Monday is three calendar days away but one working day.
    friday = dt.datetime(2026, 11, 27, 9)
    monday = dt.datetime(2026, 11, 30, 17)
    assert due_state(friday, monday, "received")[0] == "on_track"
    assert due_state(friday, monday, "received", soon_until=dt.date(2026, 12, 1))[0] == "soon"
    assert due_state(friday, monday, "received", soon_until=dt.date(2026, 11, 27))[0] == (
        "on_track"
    )


def test_the_receipt_is_reprinted_from_the_view(
    qtbot: Any, window: MainWindow, two: list[str]
) -> None:
    view = opened(qtbot, window, two[1], CHAIR)
    reprint = view.print_buttons["01"]
    assert reprint.isVisible()
    with qtbot.waitSignal(window.receipt_shown, timeout=SEARCH_MS) as shown:
        reprint.click()
    preview = shown.args[0]
    assert preview.code == two[1]


def test_the_view_is_audited_once_shown_without_the_officer_waiting_for_it(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, two: list[str]
) -> None:
    from dataclasses import replace

    from desk_app import audit
    from ui.dossier_view import DossierDetails

    def views() -> list[str]:
        return [
            r.username
            for r in audit.recent(staffed_ctx.db, object_ref=two[0])
            if r.action == "view" and r.object_type == "dossier"
        ]

    log_in_directly(qtbot, window, OFFICER)
    order: list[str] = []
    view = window.open_dossier(two[0])
    assert view is not None
    qtbot.waitUntil(lambda: view.details is not None, timeout=SEARCH_MS)
    wait_idle(qtbot, window)
    assert views() == [OFFICER.username]
    loader = view._loader

    def watched(code: str) -> DossierDetails:
        details = loader(code)
        record = details.record_view
        assert record is not None

        def recorded() -> object:
            order.append("audited")
            return record()

        return replace(details, record_view=recorded)

    view._loader = watched
    view.loaded.connect(lambda _d: order.append("shown"))
    view.load(two[0])  # shown again (as after a change): audited again, after showing
    qtbot.waitUntil(lambda: "shown" in order, timeout=SEARCH_MS)
    wait_idle(qtbot, window)
    assert order == ["shown", "audited"]
    assert views() == [OFFICER.username] * 2  # never lost: written once shown
