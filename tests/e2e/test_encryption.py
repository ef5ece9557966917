"""Personal data at rest: the desk database is encrypted, its key lives outside the data
folder, and a database from before encryption is encrypted at start.

The raw bytes of every file in the data folder are searched for a citizen's CCCD and
name, as someone who copied the folder (or the disk) would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from desk_app.db import cipher, keys
from tests.conftest import RunCli
from tests.helpers.desk_files import INTAKE_LINE, connect_desk, dossier_count

CCCD = json.loads(INTAKE_LINE)["applicant"]["cccd"]
NAME = json.loads(INTAKE_LINE)["applicant"]["name"]
FIXTURES = Path(__file__).resolve().parent.parent / "data" / "upgrade"


def raw_hits(folder: Path, *needles: bytes) -> list[str]:
    """Files under ``folder`` whose raw bytes contain any of ``needles``."""
    return [
        str(p.relative_to(folder))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


SECRETS = (CCCD.encode(), NAME.encode("utf-8"), NAME.encode("utf-16-le"))


def test_the_raw_data_folder_never_shows_a_citizen(
    run_cli: RunCli, inited_dir: Path, tmp_path: Path
) -> None:
    taken = run_cli("intake", "--json", "-", input=INTAKE_LINE + "\n")
    assert taken.returncode == 0, taken.stderr
    code = json.loads(taken.stdout.splitlines()[0])["code"]
    for args in (("list",), ("show", code), ("receipt", code, "--out", str(tmp_path / "r.pdf"))):
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr
    # The citizen is in the database (read through its key) ...
    conn = connect_desk(inited_dir / "desk.sqlite3")
    try:
        assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 1
    finally:
        conn.close()
    # ... and in no file of the folder as stored, the write-ahead log included.
    assert raw_hits(inited_dir, *SECRETS) == []
    assert not cipher.is_plaintext(inited_dir / "desk.sqlite3")
    # The key is not in the data folder either: only its name is.
    key = keys.load_key(inited_dir)
    assert key is not None
    assert raw_hits(inited_dir, key, key.hex().encode(), key.hex().upper().encode()) == []
    assert not list(inited_dir.glob("*.key"))


def test_a_plain_database_from_before_is_encrypted_at_start(
    run_cli: RunCli, data_dir: Path
) -> None:
    source = FIXTURES / "0008" / "desk.sqlite3"
    data_dir.mkdir(parents=True)
    shutil.copyfile(source, data_dir / "desk.sqlite3")
    before = json.loads((FIXTURES / "0008" / "show.jsonl").read_text("utf-8").splitlines()[0])
    cccd = str(before["applicant"]["cccd"]).encode()
    plain_rows = _count_plain(source)
    assert raw_hits(data_dir, cccd), "the fixture holds the CCCD in clear"

    listed = run_cli("list", "--json", env={"DESK_APP_OFFICER": "canbo1",
                                              "DESK_APP_PASSWORD": "Can-bo-2026"})  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == plain_rows

    assert raw_hits(data_dir, cccd) == []
    stored = [p for p in data_dir.rglob("*") if p.is_file() and p.name.endswith(".sqlite3")]
    assert stored and not [p for p in stored if cipher.is_plaintext(p)]
    # First an encrypted copy of the database as it was, kept in pre-upgrade/.
    kept = list((data_dir / "pre-upgrade").glob("desk-before-encryption-*.sqlite3"))
    assert len(kept) == 1
    conn = connect_desk(kept[0])
    try:
        assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == plain_rows
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert version == "0008"
    finally:
        conn.close()
    assert dossier_count(data_dir) == plain_rows
    # Opened again: nothing more to do.
    again = run_cli("list", "--json", env={"DESK_APP_OFFICER": "canbo1",
                                             "DESK_APP_PASSWORD": "Can-bo-2026"})  # fmt: skip
    assert again.returncode == 0 and again.stderr == ""
    assert len(list((data_dir / "pre-upgrade").glob("desk-before-encryption-*"))) == 1


def _count_plain(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0])
    finally:
        conn.close()


def test_a_data_folder_copied_without_its_key_says_so(
    run_cli: RunCli, inited_dir: Path, tmp_path: Path
) -> None:
    other_account = tmp_path / "other-keys"
    other_account.mkdir()
    refused = run_cli("list", env={"DESK_APP_KEY_DIR": str(other_account)})
    assert refused.returncode == 3
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in refused.stderr
    assert "khoá mã hoá" in lines[0] and "restore" in lines[0]
    # With the account's own key store it opens as before.
    assert run_cli("list").returncode == 0


def test_a_damaged_key_name_is_damage_not_a_traceback(run_cli: RunCli, inited_dir: Path) -> None:
    (inited_dir / keys.KEY_ID_FILE).write_text("not-a-uuid\n")
    refused = run_cli("list")
    assert refused.returncode == 3
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "Traceback" not in refused.stderr


class _MemoryKeyring:
    """An account credential store held in memory (the edge of the world: the OS's)."""

    priority = 1

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.secrets.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.secrets[(service, user)] = password


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Any:
    import keyring
    from keyring.backend import KeyringBackend

    class Backend(_MemoryKeyring, KeyringBackend):  # type: ignore[misc]
        priority = 1  # type: ignore[assignment]

        def delete_password(self, service: str, user: str) -> None:
            self.secrets.pop((service, user), None)

    backend = Backend()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(keys.KEYSTORE_ENV, raising=False)
    yield backend
    keyring.set_keyring(previous)


def test_the_key_goes_to_the_credential_store_where_there_is_one(
    memory_keyring: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk_app.context import DeskContext

    key_files = tmp_path / "key-files"
    monkeypatch.setenv(keys.KEY_DIR_ENV, str(key_files))
    folder = tmp_path / "desk"
    DeskContext.open(folder).close()
    assert list(memory_keyring.secrets) == [
        (keys.KEYRING_SERVICE, (folder / keys.KEY_ID_FILE).read_text().strip())
    ]
    assert not key_files.exists() or not list(key_files.iterdir())
    DeskContext.open(folder).close()  # and it opens again from there
    assert not cipher.is_plaintext(folder / "desk.sqlite3")
