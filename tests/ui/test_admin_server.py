"""The district server section against a real server process on loopback: enrolment
with a code from the window, the connection test, the identity then fixed, a profile
change arriving on the server, and an event the server refused shown with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk_app.context import DeskContext
from desk_app.events import append_event
from tests.conftest import AGENCY
from tests.helpers.desk_files import connect_desk
from tests.sync.conftest import ServerProcess, issue_code, server_events, start_server
from tests.ui.intake_fixtures import (
    fake_files,
    fake_printer,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from tests.ui.test_admin_screen import open_admin
from ui.main_window import MainWindow

__all__ = [
    "fake_files", "fake_printer", "staffed_ctx", "staffed_template", "start_server", "window",
]  # fmt: skip


@shows_a_window
def test_enrol_test_and_see_refused_events(
    qtbot: Any,
    window: MainWindow,
    staffed_ctx: DeskContext,
    start_server: Callable[..., ServerProcess],
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'district.db'}"
    server = start_server(db_url)
    code = issue_code(db_url, AGENCY, 1)
    screen = open_admin(qtbot, window, 4)
    section = screen.server
    section.url.setText(server.url)
    section.code.setText(code)
    section.enroll()
    wait_idle(qtbot, window, timeout=15_000)
    assert "Đã đăng ký quầy 1" in section.banner.text(), section.banner.text()
    assert "Đã đăng ký với" in section.status_label.text()
    section.test_connection()
    wait_idle(qtbot, window, timeout=15_000)
    assert "kết nối tốt" in section.banner.text()

    # Enrolled: the agency code and desk number are fixed, with the reason shown.
    screen.tabs.setCurrentIndex(1)
    wait_idle(qtbot, window)
    assert not screen.profile.agency_code.isEnabled()
    assert "máy chủ huyện" in screen.profile.identity_note.text()
    screen.profile.result_place.setText("Quầy 1, UBND xã Tân Phú")
    screen.profile.save()
    wait_idle(qtbot, window)

    # An event the server refuses (a NUL in its actor) is set aside.
    with staffed_ctx.db.write() as s:
        append_event(
            s, kind="calendar.override_set",
            payload={"day": "2026-12-31", "kind": "day_off", "reason": "x"},
            actor="quan\x00tri", agency_code=AGENCY, desk=1,
            occurred_at_utc=dt.datetime(2026, 11, 23, 3, 0),
        )  # fmt: skip
    # The window's own sync thread may push it first (a change wakes it): either way.
    staffed_ctx.sync.sync_once()

    def refused_count() -> int:
        conn = connect_desk(staffed_ctx.data_dir / "desk.sqlite3")
        try:
            return int(conn.execute("SELECT count(*) FROM outbox_rejections").fetchone()[0])
        finally:
            conn.close()

    qtbot.waitUntil(lambda: refused_count() == 1, timeout=15_000)
    qtbot.waitUntil(
        lambda: "commune.profile_set" in [e.kind for e in server_events(db_url, AGENCY)],
        timeout=15_000,
    )

    screen.tabs.setCurrentIndex(4)
    wait_idle(qtbot, window)
    assert section.rejected.rowCount() == 1
    assert section.rejected.item(0, 0).text() == "Ngày nghỉ, ngày làm bù"
    assert "không nhận" in section.rejected.item(0, 3).text()
    assert "NUL" in section.rejected.item(0, 3).toolTip()  # the server's words, for the district
    assert "xem bảng bên dưới" in section.status_label.text()
    assert refused_count() == 1
    from tests.ui.test_admin_screen import shoot

    shoot(screen, "server-enrolled")
