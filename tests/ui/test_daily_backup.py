"""The window runs the daily backup itself: on its own thread, verified, once a day, and
says in the status bar why it could not when no passphrase is at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desk_app.backup import KEYRING_SERVICE, PASSPHRASE_ENV, configure, verify
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.keys import secret_file
from tests.ui.intake_fixtures import staffed_ctx, staffed_template
from ui.daily_backup import DailyBackup

__all__ = ["staffed_ctx", "staffed_template"]

PASSPHRASE = "cụm mật khẩu của xã Tân Phú"


def test_a_due_backup_is_written_verified_and_not_repeated(
    qtbot: Any, staffed_ctx: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    configure(staffed_ctx, PASSPHRASE, folder=folder, keep=3)
    daily = DailyBackup(staffed_ctx, first_ms=0, every_ms=3_600_000)
    messages: list[str] = []
    daily.message.connect(messages.append)
    with qtbot.waitSignal(daily.finished, timeout=60_000) as first:
        pass
    outcome = first.args[0]
    assert outcome.ran, outcome.reason
    [written] = list(folder.iterdir())
    assert written == outcome.file
    verify(written, PASSPHRASE, tmp_path)
    assert messages == [f"Đã sao lưu tự động: {written.name}"]
    with qtbot.waitSignal(daily.finished, timeout=60_000) as again:
        daily.check()  # an hour later, say: the last one is not a day old
    assert not again.args[0].ran
    assert list(folder.iterdir()) == [written]
    assert len(messages) == 1  # nothing to say
    daily.stop()


def test_without_a_passphrase_the_status_says_why(
    qtbot: Any, staffed_ctx: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        configure(staffed_ctx, PASSPHRASE, folder=folder, keep=3)
        # Kept for another account (the data folder moved): none here.
        secret_file(KEYRING_SERVICE, str((staffed_ctx.data_dir / DATABASE_FILE).resolve())).unlink()
        daily = DailyBackup(staffed_ctx, first_ms=0, every_ms=3_600_000)
        messages: list[str] = []
        daily.message.connect(messages.append)
        with qtbot.waitSignal(daily.finished, timeout=60_000):
            pass
        daily.stop()
    finally:
        keyring.set_keyring(previous)
    assert list(folder.iterdir()) == []
    [message] = messages
    assert message.startswith("Chưa sao lưu tự động được: ") and "chưa được lưu" in message
