"""The administration tab, driven as an administrator would: each change visible on the
screen, audited, and recorded as an event where it concerns the commune; the last
administrator protected. A screenshot of each section is written when
``ADMIN_SCREENSHOTS`` names a folder."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desk_app.catalogue import DEFAULT_CATALOGUE
from desk_app.context import DeskContext
from tests.helpers.desk_files import connect_desk
from tests.ui.intake_fixtures import (
    ADMIN,
    OFFICER,
    fake_files,
    fake_printer,
    log_in_directly,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.admin_screen import AdminScreen
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]


def rows(ctx: DeskContext, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    conn = connect_desk(ctx.data_dir / "desk.sqlite3")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def open_admin(qtbot: Any, window: MainWindow, section: int) -> AdminScreen:
    log_in_directly(qtbot, window, ADMIN)
    screen = window.screens["admin"]
    assert isinstance(screen, AdminScreen)
    window.tabs.setCurrentWidget(screen)
    screen.tabs.setCurrentIndex(section)
    screen.screen_shown()
    wait_idle(qtbot, window)
    return screen


def shoot(screen: AdminScreen, name: str) -> None:
    folder = os.environ.get("ADMIN_SCREENSHOTS")
    if folder:
        screen.window().grab().save(str(Path(folder) / f"admin-{name}.png"))


@shows_a_window
def test_accounts_disable_and_the_last_administrator(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    screen = open_admin(qtbot, window, 0)
    accounts = screen.accounts
    accounts.confirm = lambda _q: True
    accounts.select(OFFICER.username)
    accounts.disable_selected()
    wait_idle(qtbot, window)
    state = {accounts.table.item(i, 0).text(): accounts.table.item(i, 3).text()
             for i in range(accounts.table.rowCount())}  # fmt: skip
    assert state[OFFICER.username] == "Đã vô hiệu hóa"
    assert rows(staffed_ctx, "SELECT username FROM audit_log WHERE action='user_disabled' "
                "AND object_ref=:r", r=OFFICER.username) == [(ADMIN.username,)]  # fmt: skip

    accounts.select(ADMIN.username)
    accounts.disable_selected()
    wait_idle(qtbot, window)
    assert "quản trị viên cuối cùng" in accounts.banner.text()
    assert rows(staffed_ctx, "SELECT active FROM users WHERE username=:u", u=ADMIN.username) == [
        (1,)
    ]
    accounts.select(OFFICER.username)
    accounts.reset_selected()
    wait_idle(qtbot, window)
    assert "Mật khẩu tạm của canbo" in accounts.banner.text()
    shoot(screen, "accounts")


@shows_a_window
def test_profile_change_is_audited_and_an_event(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    screen = open_admin(qtbot, window, 1)
    profile = screen.profile
    assert profile.agency_code.isEnabled()  # no code issued, not enrolled
    profile.result_place.setText("Quầy số 1, Trụ sở UBND xã Tân Phú")
    profile.receipt_notes.setPlainText("Mang theo giấy hẹn này khi nhận kết quả.")
    profile.save()
    wait_idle(qtbot, window)
    assert profile.banner.text() == "Đã lưu thông tin đơn vị."
    assert staffed_ctx.profiles.require().result_place == "Quầy số 1, Trụ sở UBND xã Tân Phú"
    (payload,) = rows(staffed_ctx, "SELECT payload FROM events WHERE kind='commune.profile_set'")
    assert json.loads(payload[0])["receipt_notes"] == "Mang theo giấy hẹn này khi nhận kết quả."
    assert rows(staffed_ctx, "SELECT count(*) FROM audit_log WHERE action='profile_changed'") == [
        (1,)
    ]
    shoot(screen, "profile")


@shows_a_window
def test_identity_read_only_once_a_code_is_issued(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    from tests.unit.intake_fixtures import request

    staffed_ctx.intake.receive(request(), OFFICER)
    screen = open_admin(qtbot, window, 1)
    assert not screen.profile.agency_code.isEnabled()
    assert "đã cấp mã hồ sơ" in screen.profile.identity_note.text()


@shows_a_window
def test_calendar_override_from_the_grid(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    screen = open_admin(qtbot, window, 2)
    cal = screen.calendar
    day = dt.date(2026, 11, 27)  # a Friday
    cal.select_day(day)
    assert cal.selected_day() == day
    cal.reason.setText("Quyết định 12/QĐ-UBND")
    cal.set_override()
    wait_idle(qtbot, window)
    cal.select_day(day)
    item = cal.grid.currentItem()
    assert item is not None and "Quyết định 12/QĐ-UBND" in item.text()
    assert rows(staffed_ctx, "SELECT kind FROM events WHERE kind='calendar.override_set'") == [
        ("calendar.override_set",)
    ]
    # The official holiday of the month is shown too (24/11 is not one: 01/01 is).
    cal.month.setCurrentIndex(0)
    cal.year.setValue(2026)
    wait_idle(qtbot, window)
    texts = [cal.grid.item(r, c).text() for r in range(cal.grid.rowCount()) for c in range(7)
             if cal.grid.item(r, c) is not None]  # fmt: skip
    assert any(t.startswith("1 — nghỉ") for t in texts)
    shoot(screen, "calendar")


@shows_a_window
def test_calendar_override_cleared_from_the_grid(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    screen = open_admin(qtbot, window, 2)
    cal = screen.calendar
    day = dt.date(2026, 11, 27)  # a Friday
    cal.year.setValue(2026)
    cal.month.setCurrentIndex(10)
    wait_idle(qtbot, window)
    cal.select_day(day)
    cal.clear_override()  # nothing to clear yet: said, nothing written
    assert "không có ngoại lệ" in cal.banner.text()
    cal.reason.setText("Quyết định 12/QĐ-UBND")
    cal.set_override()
    wait_idle(qtbot, window)
    cal.select_day(day)
    qtbot.mouseClick(cal.clear_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert "theo lịch chính thức" in cal.banner.text()
    cal.select_day(day)
    item = cal.grid.currentItem()
    assert item is not None and item.text() == "27"
    assert rows(
        staffed_ctx, "SELECT kind FROM events WHERE kind LIKE 'calendar.%' ORDER BY seq"
    ) == [
        ("calendar.override_set",),
        ("calendar.override_cleared",),
    ]
    assert rows(staffed_ctx, "SELECT day FROM calendar_overrides") == []


@shows_a_window
def test_catalogue_difference_then_apply(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, tmp_path: Path
) -> None:
    data = json.loads(DEFAULT_CATALOGUE.read_bytes())
    changed = copy.deepcopy(data)
    changed["procedures"][0]["duration"] = {"kind": "working_days", "value": 9}
    path = tmp_path / "danh-muc-tinh.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    screen = open_admin(qtbot, window, 3)
    cat = screen.catalogue
    cat.confirm = lambda _q: True
    cat.load_path(path)
    wait_idle(qtbot, window)
    text = cat.diff_view.toPlainText()
    assert "Thêm 0 · Bỏ 0 · Thay đổi 1" in text
    assert "Thời hạn giải quyết:" in text and "→ 09 ngày làm việc" in text
    assert cat.apply_button.isEnabled()
    cat.apply()
    wait_idle(qtbot, window)
    assert "Đã nạp danh mục mới" in cat.banner.text()
    assert rows(staffed_ctx, "SELECT count(*) FROM audit_log WHERE action='catalogue_loaded'") == [
        (1,)
    ]
    shoot(screen, "catalogue")


@shows_a_window
def test_server_section_without_enrolment(qtbot: Any, window: MainWindow) -> None:
    screen = open_admin(qtbot, window, 4)
    assert "chưa đăng ký" in screen.server.status_label.text()
    screen.server.enroll()
    assert "Nhập địa chỉ máy chủ và mã đăng ký." in screen.server.banner.text()
    shoot(screen, "server")


@shows_a_window
def test_backup_now_and_status(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, tmp_path: Path
) -> None:
    screen = open_admin(qtbot, window, 5)
    b = screen.backup
    folder = tmp_path / "saoluu"
    folder.mkdir()
    b.folder.setText(str(folder))
    b.passphrase.setText("cum-mat-khau-sao-luu")
    b.keep.setValue(5)
    b.save_settings()
    wait_idle(qtbot, window)
    b.backup_now()
    wait_idle(qtbot, window, timeout=30_000)
    assert "Đã sao lưu và kiểm tra xong" in b.banner.text()
    assert len(list(folder.glob("*.deskbak"))) == 1
    assert rows(staffed_ctx, "SELECT keep FROM backup_settings") == [(5,)]
    shoot(screen, "backup")


@shows_a_window
def test_directory_add_and_retire(qtbot: Any, window: MainWindow, staffed_ctx: DeskContext) -> None:
    screen = open_admin(qtbot, window, 6)
    d = screen.directory
    d.name.setText("Bộ phận Tư pháp - Hộ tịch")
    d.kind.setCurrentIndex(d.kind.findData("unit"))
    d.add_entry()
    wait_idle(qtbot, window)
    names = [d.table.item(i, 0).text() for i in range(d.table.rowCount())]
    assert "Bộ phận Tư pháp - Hộ tịch" in names
    assert rows(staffed_ctx, "SELECT count(*) FROM events WHERE kind='directory.entry_set'") == [
        (1,)
    ]
    d.table.selectRow(names.index("Bộ phận Tư pháp - Hộ tịch"))
    d.retire_selected()
    wait_idle(qtbot, window)
    row = [d.table.item(i, 3).text() for i in range(d.table.rowCount())
           if d.table.item(i, 0).text() == "Bộ phận Tư pháp - Hộ tịch"]  # fmt: skip
    assert row == ["Đã thôi"]
    assert rows(staffed_ctx, "SELECT count(*) FROM audit_log WHERE object_type='directory'") == [
        (2,)
    ]
    shoot(screen, "directory")


@shows_a_window
def test_restore_after_confirmation(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, tmp_path: Path
) -> None:
    from tests.unit.intake_fixtures import request

    screen = open_admin(qtbot, window, 5)
    b = screen.backup
    folder = tmp_path / "saoluu"
    folder.mkdir()
    b.folder.setText(str(folder))
    b.passphrase.setText("cum-mat-khau-sao-luu")
    b.backup_now()
    wait_idle(qtbot, window, timeout=30_000)
    (backup_file,) = folder.glob("*.deskbak")
    staffed_ctx.intake.receive(request(), OFFICER)  # after the backup: lost by the restore
    assert rows(staffed_ctx, "SELECT count(*) FROM dossiers") == [(1,)]

    questions: list[str] = []
    b.confirm = lambda q: questions.append(q) is None and False  # first: the officer says no
    b.restore_from(backup_file)
    wait_idle(qtbot, window, timeout=30_000)
    assert "Không khôi phục." in b.banner.text()
    assert rows(staffed_ctx, "SELECT count(*) FROM dossiers") == [(1,)]

    b.confirm = lambda q: questions.append(q) is None
    b.restore_from(backup_file)
    wait_idle(qtbot, window, timeout=30_000)
    assert "Đã khôi phục" in b.banner.text(), b.banner.text()
    assert "thay đổi chưa gửi" in questions[-1]
    assert rows(staffed_ctx, "SELECT count(*) FROM dossiers") == [(0,)]
    assert rows(staffed_ctx, "SELECT username FROM audit_log WHERE action='restore'") == [
        (ADMIN.username,)
    ]


@shows_a_window
def test_locked_out_name_is_unlocked(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    import pytest

    from desk_app.auth import AuthError

    for _ in range(5):
        with pytest.raises(AuthError):
            staffed_ctx.users.authenticate(OFFICER.username, "sai-mat-khau")
    screen = open_admin(qtbot, window, 0)
    accounts = screen.accounts
    assert accounts.locked_table.rowCount() == 1
    assert accounts.locked_table.item(0, 0).text() == OFFICER.username
    assert accounts.locked_table.item(0, 1).text() == "5"
    accounts.locked_table.selectRow(0)
    accounts.unlock_selected()
    wait_idle(qtbot, window)
    assert accounts.locked_table.rowCount() == 0
    assert accounts.banner.text() == f"Đã mở khóa {OFFICER.username}."
    assert rows(staffed_ctx, "SELECT username FROM audit_log WHERE action='account_unlocked'") == [
        (ADMIN.username,)
    ]


@shows_a_window
def test_add_re_enable_and_change_role(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    screen = open_admin(qtbot, window, 0)
    a = screen.accounts
    a.new_username.setText("hoa.lt")
    a.new_full_name.setText("Le Thi Hoa")
    a.new_role.setCurrentIndex(a.new_role.findData("officer"))
    a.new_password.setText("tam-thoi-123")
    a.add_account()
    wait_idle(qtbot, window)
    assert a.banner.text() == "Đã thêm tài khoản hoa.lt."
    a.select("hoa.lt")
    assert a.selected() is not None and a.selected().must_change_password  # type: ignore[union-attr]
    a.role_combo.setCurrentIndex(a.role_combo.findData("chair"))
    a.change_selected_role()
    wait_idle(qtbot, window)
    a.select("hoa.lt")
    assert a.table.item(a.table.currentRow(), 2).text() == "Chủ tịch UBND"
    a.confirm = lambda _q: True
    a.disable_selected()
    wait_idle(qtbot, window)
    a.select("hoa.lt")
    a.enable_selected()
    wait_idle(qtbot, window)
    a.select("hoa.lt")
    assert a.table.item(a.table.currentRow(), 3).text().startswith("Đang hoạt động")
    actions = rows(staffed_ctx, "SELECT action FROM audit_log WHERE object_ref='hoa.lt' "
                   "ORDER BY id")  # fmt: skip
    assert [r[0] for r in actions] == [
        "user_added", "user_role_changed", "user_disabled", "user_enabled",
    ]  # fmt: skip
    # Bad input: one plain line, nothing created.
    a.new_username.setText("X")
    a.new_password.setText("ngan")
    a.add_account()
    wait_idle(qtbot, window)
    assert a.banner.text().startswith("Không thực hiện được: tên đăng nhập gồm 3–32 ký tự")


@shows_a_window
def test_a_lost_recovery_code_is_replaced(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext
) -> None:
    old = staffed_ctx.accounts.issue_recovery_code(ADMIN.username)
    screen = open_admin(qtbot, window, 0)
    a = screen.accounts
    a.confirm = lambda _q: True
    a.reissue_recovery_code()
    wait_idle(qtbot, window)
    new = a.banner.text().split("Mã khôi phục mới: ")[1].split(" ")[0]
    assert len(new) == 24 and new != old
    import pytest

    from desk_app.accounts import RecoveryError

    with pytest.raises(RecoveryError):
        staffed_ctx.accounts.recover(old, "mat-khau-moi-1")
    assert staffed_ctx.accounts.recover(new, "mat-khau-moi-1")[0] == ADMIN.username
