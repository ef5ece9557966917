"""Where a desk database's 256-bit key is kept: never in its data folder.

The data folder holds only ``desk.keyid``, a random name for the key (not the key). The
key itself is kept

* in the operating system account's credential store (``keyring``: Windows Credential
  Manager, the macOS Keychain, the freedesktop Secret Service), where one works; or
* where no store exists (a Linux desk with no keyring daemon, a service account), in a
  key file ``<id>.key`` (0600, in a 0700 folder) outside the data folder: the
  application's configuration folder of this account, or ``DESK_APP_KEY_DIR``.

``DESK_APP_KEYSTORE=file`` keeps keys in files even where a credential store exists
(scripted installs, tests). A copied data folder without its key does not open on another
machine or account: a backup (which carries the key under its passphrase) does.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from pathlib import Path

import platformdirs

from desk_app.config import APP_NAME
from desk_app.db.cipher import KEY_BYTES
from desk_app.errors import StorageDamagedError, StorageReadOnlyError

KEY_ID_FILE = "desk.keyid"
KEY_DIR_ENV = "DESK_APP_KEY_DIR"
KEYSTORE_ENV = "DESK_APP_KEYSTORE"
KEYRING_SERVICE = "desk-app database key"


class DatabaseKeyMissingError(StorageDamagedError):
    """The data folder's key is in neither the credential store nor a key file here."""

    default_code = "storage.key_missing"


KEY_MISSING_MESSAGE = (
    "không tìm thấy khoá mã hoá của cơ sở dữ liệu trên máy này (thư mục dữ liệu được chép "
    "từ máy hoặc tài khoản khác?); hãy khôi phục từ bản sao lưu bằng lệnh restore"
)


def key_folder() -> Path:
    explicit = os.environ.get(KEY_DIR_ENV)
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "keys"


def _keyring_usable() -> bool:
    if os.environ.get(KEYSTORE_ENV, "").lower() == "file":
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and float(backend.priority) > 0
    except Exception:
        return False


def _key_id(data_dir: Path) -> str | None:
    try:
        text = (data_dir / KEY_ID_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise StorageDamagedError(
            f"không đọc được tệp {KEY_ID_FILE} trong thư mục dữ liệu; hãy khôi phục từ bản sao lưu"
        ) from None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise StorageDamagedError(
            f"tệp {KEY_ID_FILE} trong thư mục dữ liệu bị hỏng; hãy khôi phục từ bản sao lưu"
        ) from None


def _decode(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def _read_stored(key_id: str) -> bytes | None:
    try:
        key = _decode((key_folder() / f"{key_id}.key").read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError):
        key = None
    if key is None and _keyring_usable():
        import keyring

        with contextlib.suppress(Exception):
            key = _decode(keyring.get_password(KEYRING_SERVICE, key_id))
    return key


def load_key(data_dir: Path) -> bytes | None:
    """The key of the database in ``data_dir``; ``None`` where the folder has none yet
    (a new desk, or a database from before encryption). Raises
    ``DatabaseKeyMissingError`` when the folder names a key this account does not hold."""
    key_id = _key_id(data_dir)
    if key_id is None:
        return None
    key = _read_stored(key_id)
    if key is None:
        raise DatabaseKeyMissingError(KEY_MISSING_MESSAGE)
    return key


def _store(key_id: str, key: bytes) -> None:
    if _keyring_usable():
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, key_id, key.hex())
            if _decode(keyring.get_password(KEYRING_SERVICE, key_id)) == key:
                return
        except Exception:
            pass
    folder = key_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            folder.chmod(0o700)
        _write_private(folder / f"{key_id}.key", key.hex())
    except OSError as exc:
        raise StorageReadOnlyError(
            f"không ghi được khoá mã hoá cơ sở dữ liệu vào {folder}: {exc.strerror}"
        ) from None


def _write_private(path: Path, text: str) -> None:
    """``path`` holds ``text`` (0600), whole or not at all, on disk before it counts."""
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


def adopt_key(data_dir: Path, key: bytes) -> None:
    """Keep ``key`` for the database in ``data_dir`` (under a new name): a new desk's
    key, or a restored backup's. The key is stored before the folder names it."""
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")
    key_id = str(uuid.uuid4())
    _store(key_id, key)
    try:
        _write_private(data_dir / KEY_ID_FILE, key_id)
    except OSError as exc:
        raise StorageReadOnlyError(
            f"không ghi được vào thư mục dữ liệu {data_dir}: {exc.strerror}"
        ) from None


def new_key(data_dir: Path) -> bytes:
    """A fresh random key, kept for the database in ``data_dir``."""
    key = secrets.token_bytes(KEY_BYTES)
    adopt_key(data_dir, key)
    return key
