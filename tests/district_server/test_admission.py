"""The back-pressure turns: refused pushes are spread over the time the server needs."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from district_server.admission import (
    MAX_RETRY_AFTER_S,
    AdmissionLimits,
    AdmissionMiddleware,
)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _push_scope() -> Scope:
    return {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/events",
        "headers": [(b"content-length", b"100")],
    }


async def _refused(middleware: AdmissionMiddleware) -> tuple[int, dict[str, str]]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"x" * 100, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(_push_scope(), receive, send)
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers


def test_refused_pushes_get_successive_turns() -> None:
    clock = _Clock()
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow_app(_scope: Scope, _receive: Receive, _send: Send) -> None:
        entered.set()
        await release.wait()

    middleware = AdmissionMiddleware(
        slow_app, AdmissionLimits(max_pushes=1, wait_s=0), body_limit=1000, clock=clock
    )
    middleware.push_seconds = 4.0  # as if pushes took 4 s here

    async def scenario() -> list[tuple[int, dict[str, str]]]:
        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(_message: Message) -> None:
            return None

        holder = asyncio.create_task(middleware(_push_scope(), receive, send))
        await entered.wait()
        answers = [await _refused(middleware) for _ in range(20)]
        release.set()
        await holder
        return answers

    answers = asyncio.run(scenario())
    assert all(status == 503 for status, _ in answers)
    turns = [int(headers["retry-after"]) for _, headers in answers]
    # One push at a time taking 4 s: the n-th refused desk comes back after about 4n s,
    # not all of them together; nobody is sent further than the cap.
    assert turns[:5] == [4, 8, 12, 16, 20]
    assert turns == sorted(turns)
    assert max(turns) == MAX_RETRY_AFTER_S
    assert middleware.pushes == 0 and middleware.bytes == 0


def test_turns_start_again_from_now_once_the_queue_has_passed() -> None:
    clock = _Clock()
    middleware = AdmissionMiddleware(
        _never_called, AdmissionLimits(max_pushes=2, wait_s=0), body_limit=1000, clock=clock
    )
    middleware.pushes = 2  # both slots busy
    middleware.push_seconds = 1.0
    first = asyncio.run(_refused(middleware))[1]["retry-after"]
    clock.now += 120
    later = asyncio.run(_refused(middleware))[1]["retry-after"]
    assert (first, later) == ("1", "1")


async def _never_called(_scope: Scope, _receive: Receive, _send: Send) -> Any:
    raise AssertionError("a refused push must not reach the app")


def test_a_push_waits_briefly_for_a_slot_and_takes_the_one_freed() -> None:
    entered: list[str] = []
    release = asyncio.Event()

    async def app(scope: Scope, _receive: Receive, send: Send) -> None:
        entered.append(scope["who"])
        if scope["who"] == "first":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})

    middleware = AdmissionMiddleware(
        app, AdmissionLimits(max_pushes=1, wait_s=5, max_waiting=1), body_limit=1000
    )

    async def push(who: str) -> int:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"x" * 100, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await middleware({**_push_scope(), "who": who}, receive, send)
        return int(sent[0]["status"])

    async def scenario() -> list[int]:
        first = asyncio.create_task(push("first"))
        while not entered:
            await asyncio.sleep(0)
        waiting = asyncio.create_task(push("waiting"))
        while not middleware.waiters:
            await asyncio.sleep(0)
        # One may wait; the next is refused at once with its turn.
        beyond = await asyncio.wait_for(push("beyond"), 1)
        release.set()
        return [await first, await asyncio.wait_for(waiting, 1), beyond]

    assert asyncio.run(scenario()) == [200, 200, 503]
    assert middleware.pushes == 0 and not middleware.waiters


def test_a_waiting_push_is_refused_when_no_slot_frees_in_time() -> None:
    middleware = AdmissionMiddleware(
        _never_called, AdmissionLimits(max_pushes=1, wait_s=0.2), body_limit=1000
    )
    middleware.pushes = 1  # the slot stays taken
    status, headers = asyncio.run(_refused(middleware))
    assert status == 503 and int(headers["retry-after"]) >= 1
    assert not middleware.waiters
