"""Pushes run on threads of their own: hundreds of polling desks never queue them."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from district_server import api
from district_server.admission import AdmissionLimits
from district_server.app import create_app
from district_server.db import make_engine, make_session_factory, migrate
from district_server.enrollment import issue_code, redeem_code
from tests.district_server.conftest import make_event

COMMUNE = "000.01.33.H12"


def test_lanes_follow_the_pool_and_the_cap() -> None:
    lanes = api.Lanes.for_pool(10, 2)
    assert (lanes.push.total_tokens, lanes.pull.total_tokens) == (2, 8)
    # A pool no larger than the cap still leaves pulls one thread.
    assert api.Lanes.for_pool(2, 2).pull.total_tokens == 1


def test_a_push_is_answered_while_every_pull_is_stuck(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    now = datetime.now(UTC)
    with make_session_factory(engine).begin() as session:
        codes = [issue_code(session, COMMUNE, desk, now).code for desk in (1, 2)]
    with make_session_factory(engine).begin() as session:
        tokens = [redeem_code(session, code, now).token for code in codes]
    engine.dispose()

    # Pulls that hang (a slow database, a slow network to the desk): more of them than
    # the whole default thread pool (40 threads).
    release = threading.Event()
    entered = threading.Semaphore(0)

    def stuck_pull(*_args: Any, **_kwargs: Any) -> tuple[bytes, int]:
        entered.release()
        release.wait(30)
        body = b'{"events":[],"next_cursor":0,"has_more":false,"last_server_seq":0}'
        return body, 0

    monkeypatch.setattr(api, "pull_page", stuck_pull)
    app = create_app(sqlite_url, AdmissionLimits(max_pushes=2), pool_size=10)
    reader = {"Authorization": f"Bearer {tokens[1]}"}
    writer = {"Authorization": f"Bearer {tokens[0]}"}

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            waiting = [
                asyncio.create_task(
                    client.get("/api/v1/events", params={"after": 0}, headers=reader)
                )
                for _ in range(45)
            ]
            for _ in range(8):  # the pull lane's threads are all taken
                assert await asyncio.to_thread(entered.acquire, timeout=20)
            try:
                answer = await asyncio.wait_for(
                    client.post(
                        "/api/v1/events",
                        json={"events": [make_event(COMMUNE, 1, 1)]},
                        headers=writer,
                    ),
                    timeout=20,
                )
                assert answer.status_code == 200, answer.text
                assert answer.json()["stored"] == 1
                # The pulls beyond the lane wait for a thread without holding one.
                assert not await asyncio.to_thread(entered.acquire, timeout=0.2)
            finally:
                release.set()
            answers = await asyncio.wait_for(asyncio.gather(*waiting), timeout=30)
            assert all(one.status_code == 200 for one in answers)

    try:
        asyncio.run(scenario())
    finally:
        release.set()
