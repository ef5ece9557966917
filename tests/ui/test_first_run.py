"""First-run wizard: a new desk asks for the commune profile and the first administrator."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from desk_app.auth import Role
from desk_app.clock import utc_naive
from desk_app.context import DeskContext
from desk_app.profile import Profile
from tests.conftest import AGENCY
from tests.helpers.typing import commit_text, type_text
from tests.ui.intake_fixtures import (
    ADMIN_TABS,
    FakeFileGateway,
    FakePrintGateway,
    fake_files,
    fake_printer,
    focused,
    make_window,
    shows_a_window,
    wait_idle,
)
from ui.admin_recovery import RecoveryCodePage
from ui.first_run import FirstRunWizard
from ui.main_window import MainWindow

__all__ = ["fake_files", "fake_printer"]

pytestmark = shows_a_window

SAVE_MS = 30_000


@pytest.fixture
def new_window(
    qtbot: Any, desk_ctx: DeskContext, fake_printer: FakePrintGateway, fake_files: FakeFileGateway
) -> Iterator[MainWindow]:
    """The main window on a migrated database with no profile and no account."""
    main = make_window(qtbot, desk_ctx, fake_printer, fake_files)
    yield main
    main.close()


def wizard_of(window: MainWindow) -> FirstRunWizard:
    assert window.wizard is not None
    return window.wizard


def next_button(wizard: FirstRunWizard) -> Any:
    return wizard.button(QWizard.WizardButton.NextButton)


def finish_button(wizard: FirstRunWizard) -> Any:
    return wizard.button(QWizard.WizardButton.FinishButton)


def test_empty_database_opens_the_wizard_not_the_login(new_window: MainWindow) -> None:
    wizard = wizard_of(new_window)
    assert new_window.pages.currentWidget() is new_window.wizard_page
    assert wizard.profile_page is not None and wizard.admin_page is not None
    assert wizard.currentPage() is wizard.profile_page
    assert "bước 1/2" in wizard.profile_page.title()
    assert not next_button(wizard).isEnabled()
    # the "ready" signal came before any login: the services are attached
    assert new_window.context is not None
    assert new_window.officer is None


def test_wizard_creates_profile_and_admin_then_logs_in(
    qtbot: Any, new_window: MainWindow, desk_ctx: DeskContext, fake_printer: FakePrintGateway
) -> None:
    wizard = wizard_of(new_window)
    page = wizard.profile_page
    assert page is not None
    assert focused() is page.commune  # ready to type
    commit_text(qtbot, focused(), "Xã Tân Phú")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    commit_text(qtbot, focused(), "Đồng Nai")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.agency
    type_text(qtbot, focused(), "000.20.33")  # incomplete
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    # left with a wrong value: the message appears beside the field, Next stays off
    error = page.message_for(page.agency)
    assert error.isVisible()
    assert error.text() == "Mã đơn vị phải có dạng 000.00.00.H00."
    assert not next_button(wizard).isEnabled()

    type_text(qtbot, page.agency, ".h12")  # lower case is accepted and upper-cased
    assert not error.isVisible()
    assert next_button(wizard).isEnabled()
    page.desk.setValue(2)
    page.result_place.setFocus()
    type_text(qtbot, focused(), "Bộ phận Một cửa, UBND xã Tân Phú")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # nothing to cancel: the wizard stays
    assert wizard.isVisible()

    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter goes on, like "Tiếp tục"
    admin = wizard.admin_page
    assert admin is not None
    assert wizard.currentPage() is admin
    assert not finish_button(wizard).isEnabled()

    assert focused() is admin.username
    type_text(qtbot, focused(), "quantri")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    commit_text(qtbot, focused(), "Lê Văn Quản")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "short")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert admin.message_for(admin.password).text() == "Mật khẩu cần ít nhất 8 ký tự."
    admin.password.clear()
    type_text(qtbot, admin.password, "mat-khau-2026")
    type_text(qtbot, admin.password2, "mat-khau-2025")
    admin.password2.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert admin.message_for(admin.password2).text() == "Hai lần nhập mật khẩu không khớp."
    assert not finish_button(wizard).isEnabled()
    admin.password2.clear()
    type_text(qtbot, admin.password2, "mat-khau-2026")
    assert finish_button(wizard).isEnabled()

    qtbot.mouseClick(finish_button(wizard), Qt.MouseButton.LeftButton)
    assert wizard.saving  # hashing runs on the database thread
    # Before the first session: the recovery code, once, to print and keep.
    qtbot.waitUntil(lambda: new_window.recovery_page is not None, timeout=SAVE_MS)
    page = new_window.recovery_page
    assert isinstance(page, RecoveryCodePage)
    assert new_window.pages.currentWidget() is page
    code = page.code_label.text()
    assert len(code) == 24
    sheet = fake_printer.output.with_name("sheet.pdf")
    sheet.write_bytes(page.pdf)
    text = subprocess.run(
        ["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert code in text and "MÃ KHÔI PHỤC" in text
    page.print_sheet()
    qtbot.waitUntil(
        lambda: "Đã gửi mã khôi phục tới máy in." in page.banner.text(), timeout=SAVE_MS
    )
    assert fake_printer.output.read_bytes().startswith(b"%PDF")
    with qtbot.waitSignal(new_window.logged_in, timeout=SAVE_MS) as signal:
        qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert desk_ctx.accounts.has_recovery_code()
    assert desk_ctx.accounts.recover(code, "mat-khau-moi-99")[0] == "quantri"

    officer = signal.args[0]
    assert (officer.username, officer.full_name, officer.role) == (
        "quantri",
        "Lê Văn Quản",
        Role.ADMIN,
    )
    profile = desk_ctx.profiles.get()
    assert profile is not None
    assert (profile.commune_name, profile.province, profile.agency_code) == (
        "Xã Tân Phú",
        "Đồng Nai",
        AGENCY,
    )
    assert profile.desk_number == 2
    assert profile.same_day_cutoff == dt.time(15, 0)
    assert profile.result_place == "Bộ phận Một cửa, UBND xã Tân Phú"
    assert desk_ctx.users.authenticate("quantri", "mat-khau-moi-99") == officer
    assert new_window.wizard is None
    assert new_window.tab_titles() == ADMIN_TABS
    assert new_window.windowTitle() == "Bộ phận Một cửa — UBND XÃ TÂN PHÚ — Quầy 2"
    wait_idle(qtbot, new_window)


def test_profile_without_accounts_asks_only_for_the_admin(
    qtbot: Any,
    desk_ctx: DeskContext,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    desk_ctx.profiles.save(Profile("Xã Tân Phú", "Đồng Nai", AGENCY, 1), utc_naive(desk_ctx.clock))
    window = make_window(qtbot, desk_ctx, fake_printer, fake_files)
    try:
        wizard = wizard_of(window)
        assert wizard.profile_page is None
        assert wizard.admin_page is not None
        assert "bước 1/1" in wizard.admin_page.title()
    finally:
        window.close()


def test_cutoff_outside_office_hours_is_refused(qtbot: Any, new_window: MainWindow) -> None:
    page = wizard_of(new_window).profile_page
    assert page is not None
    type_text(qtbot, page.commune, "Xã Tân Phú")
    type_text(qtbot, page.province, "Đồng Nai")
    type_text(qtbot, page.agency, AGENCY)
    page.hours.clear()
    type_text(qtbot, page.hours, "07:30-11:30, 13:00-14:00")
    page.touches.touch_all()
    page.refresh()
    assert page.message_for(page.cutoff).text() == "Giờ chốt phải nằm trong giờ làm việc."
    assert not page.isComplete()
    page.hours.clear()
    type_text(qtbot, page.hours, "7:30-11:30 13:00")
    page.refresh()
    assert page.message_for(page.hours).text().startswith("Giờ làm việc dạng 07:30-11:30")


def test_nothing_is_nagged_before_the_field_is_left(qtbot: Any, new_window: MainWindow) -> None:
    page = wizard_of(new_window).profile_page
    assert page is not None
    for widget in (page.commune, page.province, page.agency):
        assert not page.message_for(widget).isVisible()
    page.commune.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # left empty
    assert page.message_for(page.commune).text() == "Nhập tên xã, phường."
    assert page.message_for(page.commune).isVisible()
    assert not page.message_for(page.province).isVisible()
