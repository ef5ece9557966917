"""The table of screens: each role gets exactly the tabs its permissions allow."""

from __future__ import annotations

from typing import Any

import pytest

from desk_app.auth import Officer, Permission
from tests.ui.intake_fixtures import (
    ADMIN,
    CHAIR,
    OFFICER,
    fake_files,
    fake_printer,
    log_in_directly,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    window,
)
from ui.main_window import MainWindow
from ui.screens import SCREENS, screens_for

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]


def test_the_table_names_each_screen_and_its_permission() -> None:
    assert [(s.key, s.title, s.permission) for s in SCREENS] == [
        ("intake", "Tiếp nhận", Permission.RECEIVE),
        ("backlog", "Hồ sơ cần xử lý", Permission.REPORT),
        ("lookup", "Tra cứu", Permission.VIEW),
        ("search", "Tìm hồ sơ", Permission.VIEW),
        ("returns", "Trả kết quả", Permission.RECEIVE),
        ("admin", "Quản trị", Permission.ADMINISTER),
        ("audit", "Nhật ký truy cập", Permission.ADMINISTER),
    ]
    # a chair receives and returns nothing: the backlog is the first screen
    assert [s.key for s in screens_for(CHAIR)] == ["backlog", "lookup", "search"]


@shows_a_window
@pytest.mark.parametrize("officer", [ADMIN, OFFICER, CHAIR], ids=lambda o: o.role.value)
def test_the_window_builds_the_tabs_of_the_table(
    qtbot: Any, window: MainWindow, officer: Officer
) -> None:
    log_in_directly(qtbot, window, officer)
    allowed = [s for s in SCREENS if officer.can(s.permission)]
    assert window.tab_titles() == [s.title for s in allowed]
    assert list(window.screens) == [s.key for s in allowed]
    assert (window.intake_screen is not None) == officer.can(Permission.RECEIVE)
