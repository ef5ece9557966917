"""Database connections lost under the server (PostgreSQL restarted, a firewall's cut):
the desks see "retry later", never a server error, and the server heals by itself."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from district_server import db
from district_server.db import make_engine
from tests.district_server.conftest import ServerProcess, issue_code, make_event

pytestmark = pytest.mark.postgres

COMMUNE = "000.01.33.H12"


def _cut_connections(db_url: str) -> int:
    """End every other session on the server's database, as a restart would."""
    plain = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_cut_connections_give_503_then_heal(
    postgres_url: str, start_server: object, tmp_path: Path
) -> None:
    assert callable(start_server)
    server: ServerProcess = start_server(postgres_url, "--workers", "2", "--pool-size", "4")
    code = issue_code(postgres_url, COMMUNE, 1)
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        token = anonymous.post("/api/v1/enroll", json={"code": code}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as desk:
        first = desk.post("/api/v1/events", json={"events": [make_event(COMMUNE, 1, 1)]})
        assert first.status_code == 200, first.text
        # Warm every pooled connection of both workers.
        for _ in range(40):
            assert desk.get("/api/v1/events", params={"after": 0}).status_code == 200

        assert _cut_connections(postgres_url) >= 1

        statuses: Counter[int] = Counter()
        healthy_in_a_row = 0
        for _ in range(200):
            status = desk.get("/api/v1/events", params={"after": 0}).status_code
            statuses[status] += 1
            healthy_in_a_row = healthy_in_a_row + 1 if status == 200 else 0
            if healthy_in_a_row == 20:
                break
        assert set(statuses) <= {200, 503}, statuses
        assert healthy_in_a_row == 20, statuses
        # At most one failed request per pooled connection (2 workers × 4).
        assert statuses[503] <= 8, statuses

        _cut_connections(postgres_url)
        for seq in (2, 3, 4, 5, 6):
            answer = desk.post("/api/v1/events", json={"events": [make_event(COMMUNE, 1, seq)]})
            assert answer.status_code in {200, 503}, answer.text
            if answer.status_code == 503:
                answer = desk.post("/api/v1/events", json={"events": [make_event(COMMUNE, 1, seq)]})
            assert answer.status_code in {200, 503}, answer.text
        pulled = desk.get("/api/v1/events", params={"after": 0}).json()
    assert "Traceback" not in server.stderr_path.read_text()
    assert pulled["last_server_seq"] >= 2


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(db_url: str, pid: int) -> None:
    plain = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_pooled_connection_idle_long_is_pinged_and_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgres_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _terminate(postgres_url, first)
        # Idle for less than the threshold: handed out as it is (no round trip).
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        second = _backend_pid(engine)  # the pool replaced the lost one
        assert second != first
        # Idle for longer: pinged, found lost and replaced before it is handed out.
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
        _terminate(postgres_url, second)
        assert _backend_pid(engine) not in {first, second}
    finally:
        engine.dispose()


def test_a_connection_the_driver_saw_break_is_not_handed_out_again(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _terminate(postgres_url, first)
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            with pytest.raises(psycopg.OperationalError):
                driver.execute("SELECT 1")
            assert driver.broken
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
