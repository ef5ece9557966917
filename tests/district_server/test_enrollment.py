"""Enrolling desks with one-time codes, and revoking them, through a real server."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from district_server.tokens import CODE_ALPHABET, normalize_enrollment_code
from tests.district_server.conftest import (
    EnrolledDesk,
    ServerProcess,
    cli_in_process,
    issue_code,
    make_event,
)


def _enroll(server: ServerProcess, code: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/enroll", json={"code": code}, timeout=30)


def test_code_gives_a_token_once(db_url: str, server: ServerProcess, commune_a: str) -> None:
    code = issue_code(db_url, commune_a, 2)
    assert len(code) == 19 and code.count("-") == 3
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)

    response = _enroll(server, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agency_code"] == commune_a
    assert body["desk"] == 2
    assert len(body["desk_id"]) == 36
    assert len(body["token"]) > 40

    again = _enroll(server, code)
    assert again.status_code == 410
    assert "already been used" in again.json()["detail"]

    # The token works.
    pulled = httpx.get(
        f"{server.base_url}/api/v1/events",
        headers={"Authorization": f"Bearer {body['token']}"},
        timeout=30,
    )
    assert pulled.status_code == 200


def test_code_is_typed_freely(db_url: str, server: ServerProcess, commune_a: str) -> None:
    code = issue_code(db_url, commune_a, 1)
    typed = f"  {code.replace('-', ' ').lower()} "
    response = _enroll(server, typed)
    assert response.status_code == 200, response.text

    # Same desk enrolled again (a reinstalled machine): same desk id, a different token.
    second = _enroll(server, issue_code(db_url, commune_a, 1).replace("-", ""))
    assert second.status_code == 200, second.text
    assert second.json()["desk_id"] == response.json()["desk_id"]
    assert second.json()["token"] != response.json()["token"]


def test_look_alike_letters_are_forgiven() -> None:
    assert normalize_enrollment_code("O1I2-L3AB-CDEF-GHJK") == "0112" + "13ABCDEFGHJK"
    assert normalize_enrollment_code("UUUU-AAAA-BBBB-CCCC") is None  # U is not in the alphabet
    assert normalize_enrollment_code("ABCD-EFGH") is None


def test_unknown_or_malformed_code_is_refused(server: ServerProcess) -> None:
    for code in ("ABCD-EFGH-JKMN-PQRS", "hello", ""):
        response = _enroll(server, code)
        assert response.status_code == 401, (code, response.text)
        assert "not valid" in response.json()["detail"]
    assert httpx.post(f"{server.base_url}/api/v1/enroll", json={}, timeout=30).status_code == 422


def test_expired_code_is_refused(db_url: str, server: ServerProcess, commune_a: str) -> None:
    code = issue_code(db_url, commune_a, 1, "--expires-days", "0.00001")  # under a second
    time.sleep(1.0)
    response = _enroll(server, code)
    assert response.status_code == 410
    assert "expired" in response.json()["detail"]


def test_revoked_desk_gets_401_and_can_enrol_again(
    db_url: str,
    server: ServerProcess,
    enroll_desk: Callable[[str, int], EnrolledDesk],
    commune_a: str,
    commune_b: str,
) -> None:
    desk = enroll_desk(commune_a, 1)
    other = enroll_desk(commune_b, 1)
    pending = issue_code(db_url, commune_a, 1)
    assert desk.push([make_event(commune_a, 1, 1)]).status_code == 200

    output = cli_in_process("revoke", "--db", db_url, "--commune", commune_a, "--desk", "1")
    assert "revoked 1 token(s), withdrew 1 unused enrolment code(s)" in output

    assert desk.pull().status_code == 401
    assert desk.push([make_event(commune_a, 1, 2)]).status_code == 401
    withdrawn = _enroll(server, pending)
    assert withdrawn.status_code == 410
    assert "withdrawn" in withdrawn.json()["detail"]
    assert other.pull().status_code == 200  # other desks are untouched

    fresh = enroll_desk(commune_a, 1)
    assert [e["origin_seq"] for e in fresh.pull_all()] == [1]  # history stays


def test_bad_authorization_headers(server: ServerProcess) -> None:
    for header in ("Bearer", "Token abc", "bearer dst_unknown"):
        response = httpx.get(
            f"{server.base_url}/api/v1/events", headers={"Authorization": header}, timeout=30
        )
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"] == "Bearer"
        assert isinstance(response.json()["detail"], str)
