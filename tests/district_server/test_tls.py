"""The server over HTTPS with a certificate from a private CA (made by trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import trustme

from tests.district_server.conftest import ServerProcess, issue_code, make_event, new_commune


def test_tls_run(
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
    assert server.base_url.startswith("https://127.0.0.1:")

    commune = new_commune()
    trusting = ssl.create_default_context(cafile=str(ca_file))
    with httpx.Client(base_url=server.base_url, verify=trusting, timeout=30) as client:
        assert client.get("/api/v1/health").status_code == 200
        code = issue_code(sqlite_url, commune, 1)
        enrolled = client.post("/api/v1/enroll", json={"code": code})
        assert enrolled.status_code == 200, enrolled.text
        headers = {"Authorization": f"Bearer {enrolled.json()['token']}"}
        pushed = client.post(
            "/api/v1/events", json={"events": [make_event(commune, 1, 1)]}, headers=headers
        )
        assert pushed.json()["stored"] == 1

    # A client that does not trust the private CA refuses the server.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{server.base_url}/api/v1/health", verify=ssl.create_default_context())
