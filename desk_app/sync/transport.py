"""HTTP to the district server (httpx), with the desk's bearer credential.

Errors are sorted into what the desk should do about them: ``Unreachable`` (retry later,
the network or the server is down, including 5xx and time-outs), ``Rejected`` (the server
refused the request: fix something first — retrying the same thing will not help) and
``Unauthorized`` (the credential is unknown or revoked: enrol again). Each carries a
stable ``code`` (``sync.unreachable``, ``sync.server_error``, ``sync.tls``,
``sync.rejected``, ``sync.unauthorized``) for the window to decide on, a Vietnamese
``message`` and the technical ``detail`` for the log.

A busy server answers ``503`` with ``Retry-After``: it took none of the request and gives
the desk a turn. The transport waits that long (plus up to a second, so desks handed the
same turn do not return together) and sends the request again, within
``BUSY_BUDGET_S`` per call; the round does not fail, so the desk does not back off.
"""

from __future__ import annotations

import json
import random
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx

from desk_app.errors import OperationalError

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
# The longest one request waits for turns a busy server hands out before the round gives
# up (and the desk backs off as for an unreachable server).
BUSY_BUDGET_S = 300.0
MAX_RETRY_AFTER_S = 120.0


UNREACHABLE = "sync.unreachable"
SERVER_ERROR = "sync.server_error"
TLS = "sync.tls"
REJECTED = "sync.rejected"
UNAUTHORIZED = "sync.unauthorized"
# The codes that mean "no usable answer from the server": the link is down, not in trouble.
OFFLINE_CODES = frozenset({UNREACHABLE, SERVER_ERROR, TLS})


class SyncTransportError(OperationalError):
    default_code = "sync.error"

    def __init__(self, message: str, *, code: str | None = None, detail: str = "") -> None:
        super().__init__(f"{message} ({detail})" if detail else message, code=code)
        self.detail = detail


class UnreachableError(SyncTransportError):
    """No usable answer: retry later. ``code`` tells the network, the server and TLS apart."""

    default_code = UNREACHABLE

    def __init__(self, detail: str, *, code: str = UNREACHABLE) -> None:
        messages = {
            UNREACHABLE: "không kết nối được máy chủ huyện",
            SERVER_ERROR: "máy chủ huyện đang gặp lỗi",
            TLS: "không xác minh được chứng chỉ bảo mật (TLS) của máy chủ huyện",
        }
        super().__init__(messages.get(code, messages[UNREACHABLE]), code=code, detail=detail)


class RejectedError(SyncTransportError):
    """The server answered and refused: retrying the same request will not help."""

    default_code = REJECTED

    # The server's stable word for a refused event (``event.invalid``,
    # ``event.unknown_kind``...), when it gave one.
    server_code: str | None = None

    def __init__(self, status: int, detail: str, server_code: str | None = None) -> None:
        super().__init__(f"máy chủ huyện từ chối yêu cầu (HTTP {status})", detail=detail)
        self.status = status
        self.server_code = server_code


class UnauthorizedError(RejectedError):
    """The credential is unknown or revoked: the desk must enrol again."""

    default_code = UNAUTHORIZED

    def __init__(self, status: int, detail: str) -> None:
        SyncTransportError.__init__(
            self, "máy chủ huyện không chấp nhận chứng thư của quầy — cần đăng ký lại",
            detail=detail,
        )  # fmt: skip
        self.status = status


class ServerBusyError(UnreachableError):
    """The server stayed too busy for longer than the desk waits within one round."""


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def retry_after_s(response: httpx.Response) -> float | None:
    """The server's ``Retry-After`` in seconds (delay form), or ``None``."""
    value = response.headers.get("Retry-After", "").strip()
    if not value.isdigit():
        return None
    return min(float(value), MAX_RETRY_AFTER_S)


def _server_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code[:64] if isinstance(code, str) else None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:500]
    return str(body)[:200]


EVENTS_PATH = "/api/v1/events"


class Transport:
    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        ca_file: str | None = None,
        timeout: httpx.Timeout | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        busy_budget_s: float = BUSY_BUDGET_S,
    ) -> None:
        self._sleep = sleep
        self._busy_budget_s = busy_budget_s
        self._jitter = random.Random()
        headers = {"User-Agent": "desk-app"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers=headers,
            verify=ca_file if ca_file else True,
            timeout=timeout or httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise UnreachableError("the answer is not JSON", code=SERVER_ERROR) from exc

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The server's successful answer, after the busy server's turns were waited for;
        every other outcome is raised as its ``SyncTransportError``."""
        waited = 0.0
        while True:
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                code = TLS if _is_tls(exc) else UNREACHABLE
                raise UnreachableError(f"{type(exc).__name__}: {exc}", code=code) from exc
            turn = retry_after_s(response) if response.status_code == 503 else None
            if turn is None:
                break
            turn += self._jitter.uniform(0.0, 1.0)
            if waited + turn > self._busy_budget_s:
                raise ServerBusyError(
                    f"HTTP 503: the server stayed busy for {waited:.0f} s: {_detail(response)}",
                    code=SERVER_ERROR,
                )
            self._sleep(turn)
            waited += turn
        if response.status_code >= 500:
            raise UnreachableError(
                f"HTTP {response.status_code}: {_detail(response)}", code=SERVER_ERROR
            )
        if response.status_code == 401:
            raise UnauthorizedError(401, _detail(response))
        if response.status_code >= 400:
            raise RejectedError(response.status_code, _detail(response), _server_code(response))
        return response

    def health(self, timeout_s: float = 3.0) -> bool:
        try:
            body = self._call("GET", "/api/v1/health", timeout=timeout_s)
        except SyncTransportError:
            return False
        return isinstance(body, dict) and body.get("status") == "ok"

    def enroll(self, code: str) -> dict[str, Any]:
        body = self._call("POST", "/api/v1/enroll", json={"code": code})
        if not isinstance(body, dict):
            raise RejectedError(200, "unexpected enrolment answer")
        return body

    def push(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":"))
        return self.push_body(body.encode("utf-8"))

    def push_body(self, body: bytes) -> dict[str, Any]:
        """Push a request body already encoded as ``{"events": [...]}`` JSON."""
        answer = self._call(
            "POST", EVENTS_PATH, content=body, headers={"Content-Type": "application/json"}
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("acknowledged"), list):
            raise UnreachableError("unexpected push answer", code=SERVER_ERROR)
        return answer

    def report_set_aside(self, events: list[dict[str, Any]]) -> None:
        """Tell the district which pulled events this desk set aside (its whole list)."""
        self._call("POST", "/api/v1/set-aside", json={"events": events})

    def pull(
        self, after: int, limit: int, *, exclude_own_upto: int | None = None
    ) -> dict[str, Any]:
        body = self._call("GET", EVENTS_PATH, params=_pull_params(after, limit, exclude_own_upto))
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise UnreachableError("unexpected pull answer", code=SERVER_ERROR)
        return body

    def pull_body(self, after: int, limit: int, *, exclude_own_upto: int | None = None) -> bytes:
        """A page of the commune's log as the server sent it (the JSON of ``pull``)."""
        params = _pull_params(after, limit, exclude_own_upto)
        return self._send("GET", EVENTS_PATH, params=params).content


def _pull_params(after: int, limit: int, exclude_own_upto: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"after": after, "limit": limit}
    if exclude_own_upto is not None:
        params["exclude_own_upto"] = exclude_own_upto
    return params
