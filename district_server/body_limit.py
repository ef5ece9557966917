"""A cap on the size of request bodies, answered with a JSON 413.

Starlette's own limit answers in plain text, which a desk could not show as the usual
``detail`` sentence; this one keeps the API's error shape.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_sentence(max_bytes: int) -> str:
    """The detail of a 413."""
    return (
        f"The request body is larger than {max_bytes // (1024 * 1024)} MiB; "
        "send fewer events per batch."
    )


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes``: at once when Content-Length says so, else while
    reading (the route then fails with an HTTP 413 before it does anything)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse({"detail": too_large_sentence(self.max_bytes)}, 413)
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_large_sentence(self.max_bytes))
            return message

        await self.app(scope, limited_receive, send)
