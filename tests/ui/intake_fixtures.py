"""Fixtures and fakes for the desk-screen tests (login, wizard, intake, lock, receipts).

Import the fixtures into a test module by name (``from tests.ui.intake_fixtures import
staffed_ctx, window, ...``): non-root conftests may not declare ``pytest_plugins``.

The database is real: a template with the commune profile and three accounts is built
once per test module (Argon2 costs ~0.1 s a hash) and copied per test. Only the edges of
the world are fakes: the clock (``FixedClock``), the print dialog and the file dialog.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock, utc_naive
from desk_app.context import DeskContext
from desk_app.profile import Profile
from tests.conftest import AGENCY, COMMUNE, DESK_NOW, PROVINCE, copy_database
from ui.main_window import MainWindow

PASSWORD = "mat-khau-2026"
ADMIN = Officer("quantri", "Lê Văn Quản", Role.ADMIN)
OFFICER = Officer("canbo", "Trần Văn Bình", Role.OFFICER)
CHAIR = Officer("chutich", "Phạm Thị Hoa", Role.CHAIR)
# The tabs each role gets (ui.screens.SCREENS), in order.
ADMIN_TABS = ["Tiếp nhận", "Hồ sơ cần xử lý", "Tra cứu", "Tìm hồ sơ", "Trả kết quả", "Quản trị",
              "Nhật ký truy cập"]  # fmt: skip
OFFICER_TABS = ["Tiếp nhận", "Tra cứu", "Tìm hồ sơ", "Trả kết quả"]
CHAIR_TABS = ["Hồ sơ cần xử lý", "Tra cứu", "Tìm hồ sơ"]

# Showing a window on the offscreen platform logs this harmless warning, which
# qt_log_level_fail = WARNING would turn into a failure.
shows_a_window = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def staffed_template(desk_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the Tân Phú profile and an admin, an officer, a chair."""
    folder = tmp_path_factory.mktemp("staffed-template")
    copy_database(desk_template, folder)
    clock = FixedClock(DESK_NOW)
    ctx = DeskContext.open(folder, clock)
    try:
        profile = Profile(
            commune_name=COMMUNE,
            province=PROVINCE,
            agency_code=AGENCY,
            desk_number=1,
            result_place="Bộ phận Một cửa, UBND xã Tân Phú",
        )
        ctx.profiles.save(profile, utc_naive(clock))
        for officer in (ADMIN, OFFICER, CHAIR):
            # the administrator comes first and creates the others
            ctx.users.add(
                officer.username, officer.full_name, officer.role, PASSWORD, ADMIN.username
            )
    finally:
        ctx.close()
    return folder


@pytest.fixture
def staffed_ctx(
    staffed_template: Path, data_dir: Path, desk_clock: FixedClock
) -> Iterator[DeskContext]:
    """A fresh copy of the staffed template, its clock fixed at Monday 23/11/2026 09:00."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for item in staffed_template.iterdir():
        shutil.copy2(item, data_dir / item.name)
    ctx = DeskContext.open(data_dir, clock=desk_clock)
    yield ctx
    ctx.close()


# ------------------------------------------------------------------ fakes at the edge


@dataclass
class FakePrintGateway:
    """The print dialog, faked: "prints" to a PDF file (so the pages can be read back)."""

    output: Path
    printers: bool = True
    accept: bool = True
    dialogs: int = 0

    def printers_available(self) -> bool:
        return self.printers

    def choose(self, printer: QPrinter, parent: QWidget) -> bool:
        self.dialogs += 1
        if not self.accept:
            return False
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.output))
        return True


@dataclass
class FakeFileGateway:
    """The save-as dialog, faked: answers ``path`` (None = the officer cancelled)."""

    path: Path | None
    suggested: list[str] = field(default_factory=list)

    def save_path(self, parent: QWidget, suggested: str) -> str | None:
        self.suggested.append(suggested)
        return str(self.path) if self.path is not None else None


@pytest.fixture
def fake_printer(tmp_path: Path) -> FakePrintGateway:
    return FakePrintGateway(tmp_path / "printed.pdf")


@pytest.fixture
def fake_files(tmp_path: Path) -> FakeFileGateway:
    return FakeFileGateway(tmp_path / "saved" / "receipt.pdf")


# ------------------------------------------------------------------ the window


def make_window(
    qtbot: Any,
    ctx: DeskContext,
    printer: FakePrintGateway,
    files: FakeFileGateway,
    idle_timeout_ms: int | None = None,
) -> MainWindow:
    window = MainWindow(print_gateway=printer, file_gateway=files, idle_timeout_ms=idle_timeout_ms)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    # The desk's state is read on the database thread: the page is chosen when it arrives.
    with qtbot.waitSignal(window.ready, timeout=30_000):
        window.attach(ctx)
    return window


def activate(qtbot: Any, window: QWidget) -> None:
    """Make ``window`` the active window: focus changes (Tab) need it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=30_000)


@pytest.fixture
def window(
    qtbot: Any,
    staffed_ctx: DeskContext,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> Iterator[MainWindow]:
    """The main window on the staffed database, at the login screen."""
    main = make_window(qtbot, staffed_ctx, fake_printer, fake_files)
    yield main
    close_discarding(main)  # stops the database thread before the context closes


def close_discarding(window: MainWindow) -> None:
    """Close ``window``; a half-filled intake form a test left is discarded, not kept."""
    from ui.intake_leave import LeaveChoice

    window.close()
    if window.leave_dialog is not None:
        window.leave_dialog.choose(LeaveChoice.DISCARD)
    assert not window.isVisible()


def log_in_directly(qtbot: Any, window: MainWindow, officer: Officer) -> None:
    """Start a session without the (tested elsewhere, ~0.1 s) password check."""
    window.start_session(officer)
    screen = window.intake_screen
    if screen is not None:
        qtbot.waitUntil(lambda: screen.procedures_loaded, timeout=30_000)
    wait_idle(qtbot, window)


def wait_idle(qtbot: Any, window: MainWindow, timeout: int = 30_000) -> None:
    """Until the database thread has run everything queued (and the callbacks ran)."""
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=timeout)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget
