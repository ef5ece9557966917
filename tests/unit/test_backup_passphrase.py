"""Unattended daily backups on a desk without an OS credential store: the passphrase the
administrator saves is kept as the database key is, in a 0600 file of the key folder
(outside the data folder), and never shows in a log, the audit or the data folder."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk_app.backup import (
    KEYRING_SERVICE,
    PASSPHRASE_ENV,
    KdfParams,
    backup_status,
    configure,
    run_scheduled_backup,
    verify,
)
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.keys import secret_file
from tests.helpers.desk_files import connect_desk
from tests.unit.intake_fixtures import desk, desk_folder, desk_template_db

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

PASSPHRASE = "cụm mật khẩu của xã Tân Phú"
KDF = KdfParams(n=1 << 12)


@pytest.fixture
def no_credential_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No keyring backend and no passphrase in the environment, as on a bare Linux desk."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


def _kept_file(ctx: DeskContext) -> Path:
    return secret_file(KEYRING_SERVICE, str((ctx.data_dir / DATABASE_FILE).resolve()))


def test_a_saved_passphrase_runs_the_daily_backup_with_no_store_and_no_variable(
    desk: DeskContext,
    tmp_path: Path,
    no_credential_store: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "usb"
    folder.mkdir()
    assert configure(desk, PASSPHRASE, folder=folder, keep=2) is True
    kept = _kept_file(desk)
    assert kept.read_text(encoding="utf-8") == PASSPHRASE + "\n"
    assert desk.data_dir.resolve() not in kept.resolve().parents
    if os.name == "posix":
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert backup_status(desk).unattended

    outcome = run_scheduled_backup(desk, kdf=KDF)
    assert outcome.ran, outcome.reason
    assert outcome.file is not None
    verify(outcome.file, PASSPHRASE, tmp_path / "work", deep=True)

    secret = PASSPHRASE.encode()
    assert PASSPHRASE not in caplog.text
    conn = connect_desk(desk.data_dir / DATABASE_FILE)
    try:
        audit = conn.execute("SELECT * FROM audit_log").fetchall()
        settings = conn.execute("SELECT * FROM backup_settings").fetchall()
    finally:
        conn.close()
    assert audit and not any(PASSPHRASE in str(row) for row in audit)
    assert not any(PASSPHRASE in str(row) for row in settings)
    for path in [*desk.data_dir.rglob("*"), *folder.iterdir()]:
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_a_passphrase_not_kept_for_this_account_says_why(
    desk: DeskContext, tmp_path: Path, no_credential_store: None
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    configure(desk, PASSPHRASE, folder=folder, keep=2)
    _kept_file(desk).unlink()  # say, the data folder was moved to another account
    assert not backup_status(desk).unattended
    outcome = run_scheduled_backup(desk, kdf=KDF)
    assert not outcome.ran
    assert "chưa được lưu" in outcome.reason
    assert list(folder.iterdir()) == []
    assert backup_status(desk).last_error == outcome.reason


def test_the_variable_still_overrides_for_scripts(
    desk: DeskContext, tmp_path: Path, no_credential_store: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    configure(desk, PASSPHRASE, folder=folder, keep=2)
    monkeypatch.setenv(PASSPHRASE_ENV, "một cụm mật khẩu khác hẳn")
    outcome = run_scheduled_backup(desk, kdf=KDF)
    assert not outcome.ran  # the variable was used, and it is not the desk's passphrase
    assert list(folder.iterdir()) == []
