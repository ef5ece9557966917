"""The audit tab: entries load off the GUI thread, filter by officer, export to CSV."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desk_app.context import DeskContext
from tests.unit.chair.test_audit_log import ADMIN, logged
from ui.audit_view import AuditScreen
from ui.operations import Operations

__all__ = ["logged"]


def test_audit_tab_lists_filters_and_exports(
    qtbot: QtBot, logged: DeskContext, tmp_path: Path
) -> None:
    ops = Operations()
    screen = AuditScreen(logged.audit_log, ADMIN, ops)
    qtbot.addWidget(screen)
    try:
        screen.screen_shown()
        qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=10_000)
        assert screen.model.index(0, 2).data() == "xuất"
        qtbot.waitUntil(lambda: screen.username.count() == 3, timeout=10_000)
        screen.username.setCurrentIndex(screen.username.findData("canbo1"))
        screen.search()
        qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=10_000)
        out = tmp_path / "nhat-ky.csv"
        screen.export_to(out)
        qtbot.waitUntil(out.exists, timeout=10_000)
        assert out.read_text(encoding="utf-8-sig").count("canbo1") == 2
        qtbot.waitUntil(lambda: "Đã xuất" in screen.message.text(), timeout=10_000)
    finally:
        ops.shutdown()
