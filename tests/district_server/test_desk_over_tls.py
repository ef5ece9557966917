"""The desk's own client over HTTPS: enrol and sync trusting a private CA file, and a clear
refusal without it (the desk never silently falls back to plain HTTP or no verification)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import trustme

from tests.conftest import TEST_OFFICER, TEST_PASSWORD
from tests.district_server.conftest import ServerProcess, issue_code

AGENCY = "000.20.33.H12"


def desk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_desk_enrols_and_syncs_over_tls_with_its_ca_file(
    tmp_path: Path, sqlite_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    issued.private_key_pem.write_to_path(str(key_file))
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert_file), append=True)
    server = start_server(sqlite_url, "--certfile", str(cert_file), "--keyfile", str(key_file))
    assert server.base_url.startswith("https://")

    data = tmp_path / "desk"
    init = desk(data, "init", "--commune", "Xã Tân Phú", "--province", "Đồng Nai",
                "--agency-code", AGENCY, "--desk", "1")  # fmt: skip
    assert init.returncode == 0, init.stderr
    # Its administrator, whose password ($DESK_APP_PASSWORD) proves who enrols and receives.
    admin = subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data), "users", "add",
         TEST_OFFICER, "--role", "admin"],
        input=TEST_PASSWORD + "\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert admin.returncode == 0, admin.stderr

    # Without the CA file the certificate is refused, in one line, and nothing is stored.
    refused = desk(data, "enroll", "--server", server.base_url, "--code",
                   issue_code(sqlite_url, AGENCY, 1))  # fmt: skip
    assert refused.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    not_enrolled = desk(data, "sync")
    assert json.loads(not_enrolled.stdout)["error_codes"] == ["sync.not_enrolled"]

    code = issue_code(sqlite_url, AGENCY, 1)
    enrolled = desk(data, "enroll", "--server", server.base_url, "--code", code,
                    "--ca-file", str(ca_file))  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr

    line = (
        '{"procedure_code": "1.001193", "applicant": {"name": "Nguyễn Thị Ánh Tuyết", '
        '"cccd": "079305001234", "date_of_birth": "2005-03-04", "address": "Ấp Bình Thạnh"}}'
    )
    intake = subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(data), "intake", "--json", "-"],
        input=line, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert intake.returncode == 0, intake.stderr
    synced = desk(data, "sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert '"pushed": 1' in synced.stdout
    assert '"pending": 0' in synced.stdout
