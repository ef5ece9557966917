"""A damaged database: the window names the last good backup and restores it, with the
backup's passphrase and after a confirmation, keeping the damaged file aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from desk_app.backup import create_backup
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.keys import KEY_DIR_ENV
from desk_app.recovery import DAMAGED_SUFFIX
from tests.helpers.desk_files import connect_desk
from tests.ui.conftest import WindowOpener
from tests.ui.intake_fixtures import ADMIN, staffed_ctx, staffed_template
from ui.main_window import MainWindow

__all__ = ["staffed_ctx", "staffed_template"]

PASSPHRASE = "cụm mật khẩu của xã Tân Phú"
TIMEOUT_MS = 60_000

shows_a_window = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


def _damage(db_file: Path, how: str) -> bytes:
    if how == "truncated":
        size = db_file.stat().st_size
        with db_file.open("r+b") as handle:
            handle.truncate((size // 2) // 4096 * 4096)
    else:  # garbage over the first pages, where SQLCipher keeps its salt and header
        with db_file.open("r+b") as handle:
            handle.write(b"\x5a" * 8192)
    return db_file.read_bytes()


def _backed_up_then_closed(ctx: DeskContext, tmp_path: Path) -> tuple[Path, Path]:
    """A verified backup of the desk on a "USB disk", then the desk closed."""
    usb = tmp_path / "usb"
    usb.mkdir()
    made = usb / "desk-tan-phu.deskbak"
    create_backup(ctx, made, PASSPHRASE, actor=ADMIN.username)
    ctx.close()
    return made, ctx.data_dir


def _confirm_and_wait(qtbot: Any, window: MainWindow, button: QPushButton) -> None:
    """Click ``button`` of the damaged-database page, say yes, and wait for the login."""
    page = window.damaged_page
    assert page is not None
    page.confirm = lambda question: True
    button.click()
    qtbot.waitUntil(
        lambda: (
            window.login_screen is not None and window.pages.currentWidget() is window.login_screen
        ),
        timeout=TIMEOUT_MS,
    )


def _audit_actions(db_file: Path) -> list[str]:
    conn = connect_desk(db_file)
    try:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        conn.close()


@shows_a_window
@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_a_damaged_database_offers_the_last_good_backup_and_restores_it(
    qtbot: Any, window_opener: WindowOpener, staffed_ctx: DeskContext, tmp_path: Path, how: str
) -> None:
    made, data_dir = _backed_up_then_closed(staffed_ctx, tmp_path)
    db_file = data_dir / DATABASE_FILE
    damaged = _damage(db_file, how)

    window = window_opener.window()
    window_opener.open(window, data_dir)
    qtbot.waitUntil(lambda: window.damaged_page is not None, timeout=TIMEOUT_MS)
    page = window.damaged_page
    assert page is not None and window.pages.currentWidget() is page
    assert "bị hỏng" in page.message.text()
    assert str(made.resolve()) in page.backup_label.text()
    assert "23/11/2026" in page.backup_label.text()
    assert page.restore_button.isVisible() and page.other_button.isVisible()

    # A wrong passphrase: one plain line, nothing touched.
    page.passphrase.setText("không phải cụm này")
    page.restore_button.click()
    assert page.progress.isVisible() and not page.restore_button.isEnabled()
    qtbot.waitUntil(lambda: "Không khôi phục được" in page.status.text(), timeout=TIMEOUT_MS)
    assert page.restore_button.isEnabled() and not page.progress.isVisible()
    assert db_file.read_bytes() == damaged

    # Declined at the confirmation: still nothing touched.
    questions: list[str] = []
    page.confirm = lambda question: questions.append(question) or False
    page.passphrase.setText(PASSPHRASE)
    page.restore_button.click()
    qtbot.waitUntil(lambda: "Chưa khôi phục" in page.status.text(), timeout=TIMEOUT_MS)
    assert "Khôi phục bản sao lưu này thay cho cơ sở dữ liệu hiện tại?" in questions[0]
    assert db_file.read_bytes() == damaged
    assert not list(data_dir.glob(f"*{DAMAGED_SUFFIX}*"))
    assert not list(data_dir.glob(".restore-*"))

    # Confirmed: the backup replaces it, the window opens the desk at its login screen.
    _confirm_and_wait(qtbot, window, page.restore_button)
    [kept] = data_dir.glob(f"{DATABASE_FILE}{DAMAGED_SUFFIX}*")
    assert kept.read_bytes() == damaged
    assert "Đã khôi phục" in page.status.text() and str(kept) in page.status.text()
    assert _audit_actions(db_file)[-1] == "restore"


@shows_a_window
def test_without_a_known_backup_another_file_can_be_chosen(
    qtbot: Any, window_opener: WindowOpener, staffed_ctx: DeskContext, tmp_path: Path
) -> None:
    made, data_dir = _backed_up_then_closed(staffed_ctx, tmp_path)
    (data_dir / "backups.json").unlink()  # this machine remembers no backup
    _damage(data_dir / DATABASE_FILE, "truncated")

    window = window_opener.window()
    window_opener.open(window, data_dir)
    qtbot.waitUntil(lambda: window.damaged_page is not None, timeout=TIMEOUT_MS)
    page = window.damaged_page
    assert page is not None
    assert "không ghi nhận bản sao lưu tốt nào" in page.backup_label.text()
    assert not page.restore_button.isVisible() and page.other_button.isVisible()
    page.choose_file = lambda: made
    page.passphrase.setText(PASSPHRASE)
    _confirm_and_wait(qtbot, window, page.other_button)
    assert _audit_actions(data_dir / DATABASE_FILE)[-1] == "restore"


@shows_a_window
def test_an_error_that_a_backup_cannot_mend_offers_no_restore(
    qtbot: Any, window_opener: WindowOpener, staffed_ctx: DeskContext
) -> None:
    data_dir = staffed_ctx.data_dir
    staffed_ctx.close()
    conn = connect_desk(data_dir / DATABASE_FILE)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    window = window_opener.window()
    window_opener.open(window, data_dir)
    qtbot.waitUntil(lambda: "Không mở được" in window.loading_label.text(), timeout=TIMEOUT_MS)
    assert window.damaged_page is None
    assert window.pages.currentWidget() is window.loading_page


@shows_a_window
def test_a_desk_whose_key_is_lost_here_is_restored_under_a_new_key(
    qtbot: Any,
    window_opener: WindowOpener,
    staffed_ctx: DeskContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made, data_dir = _backed_up_then_closed(staffed_ctx, tmp_path)
    stored = (data_dir / DATABASE_FILE).read_bytes()
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "another-accounts-keys"))

    window = window_opener.window()
    window_opener.open(window, data_dir)
    qtbot.waitUntil(lambda: window.damaged_page is not None, timeout=TIMEOUT_MS)
    page = window.damaged_page
    assert page is not None
    assert "khoá mã hoá" in page.message.text()
    assert str(made.resolve()) in page.backup_label.text()
    page.passphrase.setText(PASSPHRASE)
    _confirm_and_wait(qtbot, window, page.restore_button)
    [kept] = data_dir.glob(f"{DATABASE_FILE}{DAMAGED_SUFFIX}*")
    assert kept.read_bytes() == stored
    assert list((tmp_path / "another-accounts-keys").glob("*.key"))
    assert _audit_actions(data_dir / DATABASE_FILE)[-1] == "restore"
