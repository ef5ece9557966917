"""A province's desks at once: back-pressure, several workers, bulk enrolment, metrics,
and the limits that keep slow or guessing clients from holding the server.

Every test runs a real ``district-server`` process; the desk side is the real transport.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from desk_app.sync.transport import Transport
from tests.district_server.conftest import (
    ServerProcess,
    issue_code,
    make_event,
    new_commune,
    run_cli,
)

StartServer = Callable[..., ServerProcess]


def _enrol(base_url: str, code: str) -> str:
    answer = httpx.post(f"{base_url}/api/v1/enroll", json={"code": code}, timeout=30)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def _metrics(base_url: str) -> dict[str, float]:
    """``/metrics`` read with the Prometheus client's own parser: sample name (with its
    labels) to value."""
    text = httpx.get(f"{base_url}/metrics", timeout=30).text
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}"] = sample.value
    return values


@contextmanager
def _held_push_slot(base_url: str, token: str, body: bytes) -> Iterator[Callable[[], int]]:
    """A push whose body arrives only when the returned function is called: until then it
    holds one of the server's push slots. The function returns the push's status."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = (
        f"POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body[:10])

    def finish() -> int:
        sock.sendall(body[10:])
        status_line = sock.makefile("rb").readline().decode()
        return int(status_line.split()[1])

    try:
        yield finish
    finally:
        sock.close()


def _push_body(events: list[dict[str, Any]]) -> bytes:
    return httpx.Request("POST", "http://x", json={"events": events}).read()


def _wait_admitted(base_url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if _metrics(base_url).get("district_pushes_in_progress{}", 0) >= 1:
            return
        time.sleep(0.05)
    raise AssertionError("the held push was never admitted")


def test_push_beyond_the_cap_gets_503_with_retry_after_and_the_desk_waits_its_turn(
    sqlite_url: str, start_server: StartServer
) -> None:
    server = start_server(sqlite_url, "--max-pushes", "1")
    commune = new_commune()
    holder = _enrol(server.base_url, issue_code(sqlite_url, commune, 1))
    waiter = _enrol(server.base_url, issue_code(sqlite_url, commune, 2))
    held_events = [make_event(commune, 1, 1)]
    with _held_push_slot(server.base_url, holder, _push_body(held_events)) as finish:
        _wait_admitted(server.base_url)
        started = time.monotonic()
        refused = httpx.post(
            f"{server.base_url}/api/v1/events",
            json={"events": [make_event(commune, 2, 1)]},
            headers={"Authorization": f"Bearer {waiter}"},
            timeout=30,
        )
        assert time.monotonic() - started < 5  # at once, not after the held push
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert "nothing was stored" in refused.json()["detail"]
        # The probe is never queued behind pushes.
        health = httpx.get(f"{server.base_url}/api/v1/health", timeout=3)
        assert health.status_code == 200

        # The desk's own transport: it waits the turn it was given (the fake sleep lets
        # the held push finish meanwhile) and then is served, without an error.
        slept: list[float] = []
        statuses: list[int] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            if not statuses:
                statuses.append(finish())

        event = make_event(commune, 2, 1)
        with Transport(server.base_url, waiter, sleep=sleep) as transport:
            answer = transport.push([event])
        assert answer["acknowledged"] == [event["uuid"]]
        assert statuses == [200]
        assert len(slept) == 1 and slept[0] >= 1.0

    values = _metrics(server.base_url)
    assert values["district_busy_refusals_total{}"] == 2
    assert values["district_events_stored_total{}"] == 2
    assert values["district_requests_total{method=POST,route=/api/v1/events,status=503}"] == 2


def test_desk_gives_up_waiting_after_its_budget(sqlite_url: str, start_server: StartServer) -> None:
    server = start_server(sqlite_url, "--max-pushes", "1")
    commune = new_commune()
    holder = _enrol(server.base_url, issue_code(sqlite_url, commune, 1))
    waiter = _enrol(server.base_url, issue_code(sqlite_url, commune, 2))
    with _held_push_slot(server.base_url, holder, _push_body([make_event(commune, 1, 1)])):
        _wait_admitted(server.base_url)
        slept: list[float] = []
        with Transport(server.base_url, waiter, sleep=slept.append, busy_budget_s=5) as t:
            from desk_app.sync.transport import ServerBusyError

            with pytest.raises(ServerBusyError, match="503"):
                t.push([make_event(commune, 2, 1)])
        assert sum(slept) <= 5


def test_workers_are_refused_on_sqlite(sqlite_url: str) -> None:
    result = run_cli("run", "--db", sqlite_url, "--port", "0", "--workers", "2")
    assert result.returncode == 1
    assert "--workers needs PostgreSQL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.postgres
def test_several_workers_keep_one_commune_exactly_once(
    postgres_url: str, start_server: StartServer
) -> None:
    server = start_server(postgres_url, "--workers", "2", "--max-pushes", "2")
    commune = new_commune()
    desks = 8
    tokens = [
        _enrol(server.base_url, issue_code(postgres_url, commune, number))
        for number in range(1, desks + 1)
    ]
    batches, size = 4, 60
    sent: dict[int, list[dict[str, Any]]] = {}
    failures: list[str] = []
    barrier = threading.Barrier(desks)

    def desk(number: int) -> None:
        events = [make_event(commune, number, seq) for seq in range(1, batches * size + 1)]
        sent[number] = events
        barrier.wait()
        try:
            with Transport(server.base_url, tokens[number - 1]) as transport:
                for start in range(0, len(events), size):
                    transport.push(events[start : start + size])
                # A resend of everything, as after a lost answer: nothing is stored twice.
                transport.push(events[:size])
        except Exception as exc:  # reported below, with the others
            failures.append(f"desk {number}: {exc!r}")

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(1, desks + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []

    with Transport(server.base_url, tokens[0]) as transport:
        pulled: list[dict[str, Any]] = []
        cursor = 0
        while True:
            page = transport.pull(cursor, 1000)
            pulled.extend(page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    total = desks * batches * size
    assert [event["server_seq"] for event in pulled] == list(range(1, total + 1))
    assert len({event["uuid"] for event in pulled}) == total
    assert {event["uuid"] for event in pulled} == {
        event["uuid"] for events in sent.values() for event in events
    }
    values = _metrics(server.base_url)
    assert values["district_events_stored_total{}"] == total  # summed over both workers
    assert values["district_events_duplicate_total{}"] == desks * size


def test_bulk_enrolment_csv_round_trip(
    sqlite_url: str, start_server: StartServer, tmp_path: Path
) -> None:
    communes = [new_commune() for _ in range(3)]
    roll_out = tmp_path / "roll-out.csv"
    roll_out.write_text(
        "commune,desk\n" + "".join(f"{c.lower()},{d}\n" for c in communes for d in (1, 2)),
        encoding="utf-8",
    )
    result = run_cli("enroll", "--db", sqlite_url, "--from-csv", str(roll_out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["commune"], int(row["desk"])) for row in rows] == [
        (c, d) for c in communes for d in (1, 2)
    ]
    assert len({row["code"] for row in rows}) == len(rows)

    # Only hashes are kept: the codes are nowhere in the database file.
    database = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    assert not any(row["code"].replace("-", "").encode() in database for row in rows)

    server = start_server(sqlite_url)
    for row in rows:
        answer = httpx.post(
            f"{server.base_url}/api/v1/enroll", json={"code": row["code"]}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["agency_code"], answer.json()["desk"]) == (
            row["commune"],
            int(row["desk"]),
        )
        again = httpx.post(
            f"{server.base_url}/api/v1/enroll", json={"code": row["code"]}, timeout=30
        )
        assert again.status_code == 410  # one-time


def test_bulk_enrolment_refuses_a_bad_file_whole(sqlite_url: str, tmp_path: Path) -> None:
    commune = new_commune()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"commune,desk\n{commune},1\n{commune},zero\n", encoding="utf-8")
    result = run_cli("enroll", "--db", sqlite_url, "--from-csv", str(bad))
    assert result.returncode == 2
    assert "line 3" in result.stderr and result.stdout == ""
    twice = tmp_path / "twice.csv"
    twice.write_text(f"commune,desk\n{commune},1\n{commune},1\n", encoding="utf-8")
    result = run_cli("enroll", "--db", sqlite_url, "--from-csv", str(twice))
    assert result.returncode == 2 and "already on line 2" in result.stderr
    # Nothing was issued: the first desk can still be enrolled from a corrected file.
    good = tmp_path / "good.csv"
    good.write_text(f"commune,desk\n{commune},1\n", encoding="utf-8")
    result = run_cli("enroll", "--db", sqlite_url, "--from-csv", str(good))
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2


def test_metrics_are_prometheus_text(sqlite_url: str, start_server: StartServer) -> None:
    server = start_server(sqlite_url)
    commune = new_commune()
    token = _enrol(server.base_url, issue_code(sqlite_url, commune, 1))
    with Transport(server.base_url, token) as transport:
        transport.push([make_event(commune, 1, seq) for seq in (1, 2, 3)])
        transport.pull(0, 10)
    httpx.get(f"{server.base_url}/api/v1/events", timeout=30)  # no token: a 401
    values = _metrics(server.base_url)
    assert values["district_events_stored_total{}"] == 3
    assert values["district_events_served_total{}"] == 3
    assert values["district_refusals_total{status=401}"] == 1
    assert values["district_request_duration_seconds_count{method=POST,route=/api/v1/events}"] == 1
    assert "district_requests_in_progress{}" in values


def _slow_clients(base_url: str, count: int, body: bool) -> list[socket.socket]:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=30)
        if body:
            sock.sendall(
                b"POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{"
            )
        else:
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    return sockets


def _closed_within(sockets: list[socket.socket], seconds: float) -> list[float]:
    """Keep dribbling a byte a second into each socket; when did the server close each?"""
    started = time.monotonic()
    closed: dict[int, float] = {}
    while len(closed) < len(sockets) and time.monotonic() - started < seconds:
        for index, sock in enumerate(sockets):
            if index in closed:
                continue
            try:
                sock.sendall(b"a")
                sock.settimeout(0.05)
                if sock.recv(1024) == b"":
                    closed[index] = time.monotonic() - started
            except TimeoutError:
                pass
            except OSError:
                closed[index] = time.monotonic() - started
        time.sleep(0.5)
    for sock in sockets:
        sock.close()
    return sorted(closed.values())


@pytest.mark.parametrize("parser", ["httptools", "h11"])
@pytest.mark.parametrize("body", [False, True], ids=["headers", "body"])
def test_slow_clients_are_disconnected(
    sqlite_url: str, start_server: StartServer, body: bool, parser: str
) -> None:
    server = start_server(
        sqlite_url, "--header-timeout", "2", "--body-timeout", "3", "--http", parser
    )
    sockets = _slow_clients(server.base_url, 9, body)
    closed = _closed_within(sockets, 20)
    assert len(closed) == 9, closed
    assert max(closed) < 10
    # The server still serves everyone else.
    assert httpx.get(f"{server.base_url}/api/v1/health", timeout=5).status_code == 200


def test_failed_enrolments_are_limited_per_client(
    sqlite_url: str, start_server: StartServer
) -> None:
    server = start_server(sqlite_url, "--enrol-failures", "3")
    url = f"{server.base_url}/api/v1/enroll"
    statuses = [
        httpx.post(url, json={"code": "AAAA-BBBB-CCCC-DDDD"}, timeout=30).status_code
        for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    refused = httpx.post(url, json={"code": "AAAA-BBBB-CCCC-DDDD"}, timeout=30)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed enrolment attempts" in refused.json()["detail"]
    assert _metrics(server.base_url)["district_enrolment_throttled_total{}"] == 3


def test_requests_are_logged_only_when_asked(sqlite_url: str, start_server: StartServer) -> None:
    quiet = start_server(sqlite_url)
    logged = start_server(sqlite_url, "--access-log")
    for server in (quiet, logged):
        assert httpx.get(f"{server.base_url}/api/v1/health", timeout=10).status_code == 200
        server.stop()
    assert "GET /api/v1/health" not in quiet.stderr_path.read_text()
    assert "GET /api/v1/health" in logged.stderr_path.read_text()
