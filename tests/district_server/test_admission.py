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
        slow_app, AdmissionLimits(max_pushes=1), body_limit=1000, clock=clock
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
        _never_called, AdmissionLimits(max_pushes=2), body_limit=1000, clock=clock
    )
    middleware.pushes = 2  # both slots busy
    middleware.push_seconds = 1.0
    first = asyncio.run(_refused(middleware))[1]["retry-after"]
    clock.now += 120
    later = asyncio.run(_refused(middleware))[1]["retry-after"]
    assert (first, later) == ("1", "1")


async def _never_called(_scope: Scope, _receive: Receive, _send: Send) -> Any:
    raise AssertionError("a refused push must not reach the app")
