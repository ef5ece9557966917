"""Fixtures of the district server tests: a real PostgreSQL and real server processes.

PostgreSQL comes from the Debian package ``postgresql`` (binaries under
``/usr/lib/postgresql/<version>/bin``). One throwaway cluster is started per test
session on a free port of 127.0.0.1; as root (the CI case) it runs as the ``postgres``
system user, because initdb refuses to run as root.

Servers are real ``python -m district_server run`` processes. Most tests share one server
per backend and keep apart by using communes of their own; tests that need an empty
database (migrations, command line) get a fresh one.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from district_server.cli import main as cli_main
from tests.helpers.postgres import (
    PostgresCluster,
    PostgresUnavailableError,
    running_cluster,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 20.0


# ------------------------------------------------------------------ helpers


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a child ``district-server``: this checkout first on the path,
    and no database URL inherited from the developer's shell."""
    env = dict(os.environ)
    env.pop("DISTRICT_SERVER_DB", None)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``district-server ARGS`` as a separate process (exit code and output are real)."""
    return subprocess.run(
        [sys.executable, "-m", "district_server", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env or subprocess_env(),
        cwd=REPO_ROOT,
        check=False,
    )


def cli_in_process(*args: str) -> str:
    """Run the command line in this process (fast) and return its stdout; must succeed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(list(args))
    assert code == 0, f"district-server {' '.join(args)} failed"
    return out.getvalue()


def issue_code(db_url: str, commune: str, desk: int, *extra: str) -> str:
    """A fresh enrolment code, as the administrator gets it (first line of stdout)."""
    output = cli_in_process(
        "enroll", "--db", db_url, "--commune", commune, "--desk", str(desk), *extra
    )
    return output.splitlines()[0]


def received_payload(commune: str, desk: int, seq: int, **fields: Any) -> dict[str, Any]:
    """A ``dossier.received`` payload of desk ``desk`` (its code carries the desk)."""
    return {
        "code": f"{commune}-261123-{desk}{seq:03d}",
        "received_at": "2026-11-23T09:00:00",
        "applicant_name": "Nguyễn Văn A",
        **fields,
    }


def make_event(
    commune: str,
    desk: int,
    origin_seq: int,
    *,
    kind: str = "dossier.received",
    dossier: str | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A well-formed event envelope, as a desk produces it: by default a
    ``dossier.received`` its schema accepts, with a code carrying the desk's number."""
    if payload is None:
        payload = received_payload(commune, desk, origin_seq)
    return {
        "uuid": str(uuid.uuid4()),
        "dossier_uuid": dossier,
        "kind": kind,
        "payload": payload,
        "occurred_at": datetime.now(UTC).astimezone().isoformat(),
        "actor": "lan.nguyen",
        "origin": {"agency_code": commune, "desk": desk},
        "origin_seq": origin_seq,
    }


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL server for the whole session, stopped (and deleted) at the end.

    Not under pytest's tmp folder: that one is private to root, and the postgres user
    must be able to reach the data folder.
    """
    try:
        with running_cluster("district-pg-") as cluster:
            yield cluster
    except PostgresUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres_cluster.new_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'district.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on each backend in turn."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database of the shared :func:`server`, on each backend in turn.

    Tests sharing it stay independent by working in communes of their own
    (:func:`new_commune`): server_seq, enrolment and revocation are all per commune.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'district.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()


_commune_numbers = itertools.count(1)


def new_commune() -> str:
    """An agency code no other test of this session uses."""
    number = next(_commune_numbers)
    return f"{number // 100 % 1000:03d}.{number % 100:02d}.33.H12"


@pytest.fixture
def commune_a() -> str:
    """A commune of this test only."""
    return new_commune()


@pytest.fixture
def commune_b() -> str:
    """Another commune of this test only."""
    return new_commune()


# ------------------------------------------------------------------ server processes


@dataclass
class ServerProcess:
    """A ``district-server run`` child process."""

    process: subprocess.Popen[str]
    base_url: str
    stdout_lines: list[str]
    stderr_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _pump(stream: io.TextIOBase, lines: list[str], first: queue.Queue[str | None]) -> None:
    # Keep reading so that the child never blocks on a full pipe.
    announced = False
    for line in stream:
        lines.append(line)
        if not announced and line.startswith("listening on "):
            first.put(line.strip())
            announced = True
    if not announced:
        first.put(None)


def launch_server(db_url: str, log_dir: Path, *extra: str) -> ServerProcess:
    """Start ``district-server run`` on a port the OS picks and wait until it listens."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = log_dir / f"server-{uuid.uuid4().hex[:8]}.log"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "district_server", "run", "--db", db_url, "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=subprocess_env(),
            cwd=REPO_ROOT,
        )
    lines: list[str] = []
    ready: queue.Queue[str | None] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(process.stdout, lines, ready), daemon=True).start()
    try:
        announcement = ready.get(timeout=SERVER_START_TIMEOUT)
    except queue.Empty:
        announcement = None
    if announcement is None:
        process.kill()
        process.wait(timeout=10)
        pytest.fail(
            f"district-server did not start within {SERVER_START_TIMEOUT:g} s:\n"
            + stderr_path.read_text(),
            pytrace=False,
        )
    return ServerProcess(process, announcement.removeprefix("listening on "), lines, stderr_path)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Factory: start servers (``start_server(db_url, *extra_args)``), all stopped at the
    end of the test."""
    started: list[ServerProcess] = []

    def start(db_url: str, *extra: str) -> ServerProcess:
        server = launch_server(db_url, tmp_path / "logs", *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server process shared by the tests of one backend."""
    # The fuzz tests send thousands of made-up enrolment codes from this address, and
    # some tests push from several threads with a bare client that does not wait for a
    # 503's turn; the limit and the cap have servers of their own in test_province.
    running = launch_server(
        db_url,
        tmp_path_factory.mktemp("server-logs"),
        "--enrol-failures",
        "1000000",
        "--max-pushes",
        "16",
    )
    yield running
    running.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    """An HTTP client pointed at :func:`server`."""
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield http


@dataclass
class EnrolledDesk:
    """A desk with its token, and a client that sends it."""

    agency_code: str
    desk: int
    token: str
    http: httpx.Client

    def push(self, events: list[dict[str, Any]]) -> httpx.Response:
        return self.http.post("/api/v1/events", json={"events": events})

    def pull(self, after: int = 0, limit: int | None = None) -> httpx.Response:
        params: dict[str, int] = {"after": after}
        if limit is not None:
            params["limit"] = limit
        return self.http.get("/api/v1/events", params=params)

    def pull_all(self, page_size: int = 500) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        cursor = 0
        while True:
            response = self.pull(cursor, page_size)
            assert response.status_code == 200, response.text
            page = response.json()
            events.extend(page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return events


@pytest.fixture
def enroll_desk(db_url: str, server: ServerProcess) -> Iterator[Callable[[str, int], EnrolledDesk]]:
    """Factory: enrol desk N of a commune on :func:`server` and get an authorised client."""
    clients: list[httpx.Client] = []

    def enroll(agency_code: str, desk: int) -> EnrolledDesk:
        code = issue_code(db_url, agency_code, desk)
        response = httpx.post(f"{server.base_url}/api/v1/enroll", json={"code": code}, timeout=30)
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        http = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        clients.append(http)
        return EnrolledDesk(agency_code, desk, token, http)

    yield enroll
    for http in clients:
        http.close()
