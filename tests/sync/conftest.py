"""Fixtures of the sync fault tests: real district servers, real desks, real faults.

Everything runs as real processes on loopback: a throwaway PostgreSQL cluster (Debian's
binaries, the same recipe as ``tests/district_server/conftest.py``, copied here in its
minimal form so that file can change freely), ``district-server run`` children, desk
databases on real SQLite files, ``desk-app sync`` children, and the fault proxy of
``tests/helpers/faultproxy.py`` between them. Nothing is mocked.

The exactly-once check (:func:`assert_exactly_once`) reads the server database directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.helpers.desk_files import connect_desk
from tests.helpers.postgres import (
    PostgresCluster,
    PostgresUnavailableError,
    running_cluster,
)

if TYPE_CHECKING:
    from desk_app.context import DeskContext
    from desk_app.sync.engine import SyncEngine, SyncSummary
    from desk_app.sync.transport import Transport

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT_S = 30.0
DESK_DATABASE = "desk.sqlite3"
# Monday 23 November 2026, 09:00 in the commune: a working day.
DESK_START = dt.datetime(2026, 11, 23, 9, 0)
SHORT_TIMEOUT = 2.0


# ------------------------------------------------------------------ small helpers


def child_env(**extra: str) -> dict[str, str]:
    """The environment of child processes: this checkout first on the path, no inherited
    server database URL, unbuffered output, UTF-8."""
    env = dict(os.environ)
    env.pop("DISTRICT_SERVER_DB", None)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONUTF8"] = "1"
    env.update(extra)
    return env


_agency_numbers = itertools.count(1)


def new_agency() -> str:
    """A commune agency code no other test of this session uses (QCVN 102 form)."""
    n = next(_agency_numbers)
    return f"{700 + n // 100 % 300:03d}.{n % 100:02d}.44.S17"


def district_cli(*args: str) -> str:
    """``district-server ARGS`` in this process (fast); returns stdout, must succeed."""
    from district_server.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    assert code == 0, f"district-server {' '.join(args)} failed"
    return out.getvalue()


def issue_code(db_url: str, agency: str, desk: int) -> str:
    """A one-time enrolment code (line 1 of ``district-server enroll``)."""
    out = district_cli("enroll", "--commune", agency, "--desk", str(desk), "--db", db_url)
    return out.splitlines()[0].strip()


def revoke(db_url: str, agency: str, desk: int) -> None:
    district_cli("revoke", "--commune", agency, "--desk", str(desk), "--db", db_url)


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    try:
        with running_cluster("sync-pg-") as cluster:
            yield cluster
    except PostgresUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """Factory: a fresh, empty server database on a backend."""
    numbers = itertools.count(1)

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'district-{next(numbers)}.db'}"
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        return cluster.new_database("sync")

    return make


# ------------------------------------------------------------------ server processes


class ServerProcess:
    """A ``district-server run`` child; can be killed and restarted on the same port."""

    def __init__(self, db_url: str, log_dir: Path, port: int = 0) -> None:
        self.db_url = db_url
        self.log_dir = log_dir
        self.port = port
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        log = self.log_dir / f"server-{self.starts}-{uuid.uuid4().hex[:6]}.log"
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            with log.open("w") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-m", "district_server", "run", "--db", self.db_url,
                     "--port", str(self.port)],
                    stdout=subprocess.PIPE, stderr=stderr, text=True, env=child_env(),
                    cwd=REPO_ROOT,
                )  # fmt: skip
            ready: queue.Queue[str | None] = queue.Queue()
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(process.stdout, ready), daemon=True).start()
            try:
                line = ready.get(timeout=max(1.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is not None:
                break
            process.kill()
            process.wait(timeout=10)
            # A restart right after a kill can race the old socket; try again briefly.
            if time.monotonic() > deadline:
                pytest.fail(f"district-server did not start:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        self.process = process
        self.port = int(line.rsplit(":", 1)[1])
        return self

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flushing, in the middle of whatever it does."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _pump(stream: io.TextIOBase, ready: queue.Queue[str | None]) -> None:
    announced = False
    for line in stream:
        if not announced and line.startswith("listening on "):
            ready.put(line.strip())
            announced = True
    if not announced:
        ready.put(None)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Factory: ``start_server(db_url)``; every server is stopped at the end."""
    started: list[ServerProcess] = []

    def start(db_url: str, port: int = 0) -> ServerProcess:
        server = ServerProcess(db_url, tmp_path / "server-logs", port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@dataclass
class SharedServer:
    backend: str
    db_url: str
    server: ServerProcess

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session", params=BACKENDS)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedServer]:
    """One server per backend for the tests that do not kill it; each test works in a
    commune of its own (:func:`new_agency`)."""
    kind = str(request.param)
    if kind == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('shared-sqlite') / 'district.db'}"
    else:
        db_url = request.getfixturevalue("pg_cluster").new_database("sync")
    server = ServerProcess(db_url, tmp_path_factory.mktemp("shared-logs")).start()
    yield SharedServer(kind, db_url, server)
    server.stop()


# ------------------------------------------------------------------ desks


class RunningClock:
    """Starts at DESK_START (commune time) and runs with the real clock."""

    def __init__(self, start_local: dt.datetime = DESK_START) -> None:
        from desk_app.clock import LOCAL_ZONE

        self._start = start_local.replace(tzinfo=LOCAL_ZONE).astimezone(dt.UTC)
        self._t0 = time.monotonic()

    def now_utc(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=time.monotonic() - self._t0)


def short_timeout_transport(url: str, token: str | None, ca: str | None) -> Transport:
    from desk_app.sync.transport import Transport

    return Transport(url, token, ca, timeout=httpx.Timeout(SHORT_TIMEOUT))


_cccd_serial = itertools.count(100000)


class Desk:
    """One desk machine: its data folder, its database and its services (in-process)."""

    def __init__(self, data_dir: Path, agency: str, number: int) -> None:
        from desk_app.auth import Officer, Role
        from desk_app.clock import utc_naive
        from desk_app.context import DeskContext
        from desk_app.profile import Profile

        self.data_dir = data_dir
        self.agency = agency
        self.number = number
        self.ctx: DeskContext = DeskContext.open(data_dir, clock=RunningClock())
        self.ctx.profiles.save(
            Profile(
                commune_name="Xã Tân Phú",
                province="Đồng Nai",
                agency_code=agency,
                desk_number=number,
            ),
            utc_naive(self.ctx.clock),
        )
        self.officer = Officer("lan.nt", "Nguyễn Thị Lan", Role.ADMIN)
        self._procedure: str | None = None
        self._seed = itertools.count(number * 1_000_000 + random.randrange(1_000_000))

    @property
    def db_path(self) -> Path:
        return self.data_dir / DESK_DATABASE

    def close(self) -> None:
        self.ctx.close()

    # -- recording

    def intake(self, count: int = 1) -> list[str]:
        """Receive ``count`` dossiers through the real intake (one transaction each)."""
        from desk_app.intake import ApplicantInput, IntakeRequest

        if self._procedure is None:
            self._procedure = self.ctx.intake.procedures()[0].code
        codes = []
        for _ in range(count):
            serial = next(_cccd_serial)
            request = IntakeRequest(
                procedure_code=self._procedure,
                applicant=ApplicantInput(
                    name="Trần Thị Bích Ngọc",
                    cccd=f"079190{serial:06d}",  # Hồ Chí Minh, female, born 1990
                    date_of_birth=dt.date(1990, 5, 17),
                    phone="0912345678",
                    address="Ấp Bình Thạnh, Xã Tân Phú, Đồng Nai",
                ),
            )
            codes.append(self.ctx.intake.receive(request, self.officer).dossier.code)
        return codes

    def seed(self, count: int) -> None:
        """``count`` more dossiers with their real ``dossier.received`` events, fast
        (``seed-demo``'s bulk writer)."""
        from desk_app.demo import seed_demo

        seed_demo(
            self.ctx, count, seed=next(self._seed), workers=0, allow_enrolled=True,
            histories=False,
        )  # fmt: skip

    def change_status(self, code: str, to: str) -> str:
        return self.ctx.lifecycle.change_status(code, to, self.officer)

    def churn(self, count: int, rng: random.Random) -> int:
        """``count`` allowed status changes (received → in progress ⇄ waiting for a
        supplement) on this desk's open dossiers, recorded the way ``LifecycleService``
        records them, in one transaction; returns how many were recorded."""
        from sqlalchemy import select as sa_select

        from desk_app.clock import local_now, utc_naive
        from desk_app.db.models import Dossier
        from desk_app.events import append_event
        from desk_app.lifecycle import reproject

        step = {"received": "in_progress", "in_progress": "waiting_supplement",
                "waiting_supplement": "in_progress"}  # fmt: skip
        done = 0
        with self.ctx.db.write() as s:
            open_ = list(
                s.scalars(
                    sa_select(Dossier)
                    .where(Dossier.status.in_(step), Dossier.origin_desk == self.number)
                    .limit(200)
                )
            )
            for _ in range(count if open_ else 0):
                dossier = rng.choice(open_)
                append_event(
                    s,
                    kind="dossier.status_changed",
                    payload={"from": dossier.status, "to": step[dossier.status], "note": "",
                             "at": local_now(self.ctx.clock).isoformat(timespec="seconds")},
                    actor=self.officer.username,
                    agency_code=self.agency,
                    desk=self.number,
                    occurred_at_utc=utc_naive(self.ctx.clock),
                    dossier_uuid=dossier.uuid,
                )  # fmt: skip
                s.flush()
                reproject(s, dossier)
                done += 1
        return done

    # -- syncing

    def engine(
        self, transport_factory: Callable[[str, str | None, str | None], Transport] | None = None
    ) -> SyncEngine:
        from desk_app.sync.engine import SyncEngine

        if transport_factory is None:
            return self.ctx.sync
        return SyncEngine(self.ctx.db, self.ctx.clock, self.ctx.profiles, transport_factory)

    def enroll(self, db_url: str, server_url: str) -> None:
        self.ctx.sync.enroll(server_url, issue_code(db_url, self.agency, self.number))

    def sync(self, short_timeout: bool = False) -> SyncSummary:
        return self.engine(short_timeout_transport if short_timeout else None).sync_once()

    # -- reading the database file directly

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        conn = connect_desk(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def local_events(self) -> list[tuple[str, str | None, int]]:
        """(uuid, pushed_at, origin_seq) of the events recorded by this desk number."""
        return [
            (str(u), p, int(s))
            for u, p, s in self.query(
                "SELECT uuid, pushed_at, origin_seq FROM events WHERE is_local = 1 ORDER BY seq"
            )
        ]

    def pending(self) -> int:
        return int(
            self.query("SELECT count(*) FROM events WHERE is_local = 1 AND pushed_at IS NULL")[0][0]
        )

    def pushed_uuids(self) -> set[str]:
        rows = self.query("SELECT uuid FROM events WHERE is_local = 1 AND pushed_at IS NOT NULL")
        return {str(r[0]) for r in rows}

    def dossiers(self) -> dict[str, str]:
        return {str(c): str(s) for c, s in self.query("SELECT code, status FROM dossiers")}

    def integrity_ok(self) -> bool:
        conn = connect_desk(self.db_path, timeout=30)
        try:
            return [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)]
        finally:
            conn.close()


@pytest.fixture
def make_desk(tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    """Factory: ``make_desk(agency, number)`` — a fresh machine (own data folder)."""
    desks: list[Desk] = []
    numbers = itertools.count(1)

    def make(agency: str, number: int = 1) -> Desk:
        desk = Desk(tmp_path / f"desk-{next(numbers)}-{number}", agency, number)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.close()


def desk_cli(desk: Desk, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m desk_app --data-dir DIR ARGS``: the real command line."""
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--data-dir", str(desk.data_dir), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, env=child_env(),
        timeout=timeout, check=False,
    )  # fmt: skip


def start_desk_sync(desk: Desk, log: Path) -> subprocess.Popen[bytes]:
    """``desk-app sync`` as a real child process, without waiting for it."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "desk_app", "--data-dir", str(desk.data_dir), "sync"],
            stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=child_env(),
        )  # fmt: skip


# ------------------------------------------------------------------ the server's view


@dataclass(frozen=True)
class StoredEvent:
    uuid: str
    server_seq: int
    origin_desk: int
    origin_seq: int
    dossier_uuid: str | None
    kind: str


_engines: dict[str, Any] = {}


def _server_engine(db_url: str) -> Any:
    engine = _engines.get(db_url)
    if engine is None:
        if db_url.startswith("sqlite"):
            engine = create_engine(db_url, connect_args={"timeout": 30})
        else:
            engine = create_engine(db_url, pool_size=2)
        _engines[db_url] = engine
    return engine


@pytest.fixture(autouse=True, scope="session")
def _dispose_server_engines() -> Iterator[None]:
    yield
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def server_events(db_url: str, agency: str) -> list[StoredEvent]:
    """The commune's log as the server stored it, in server_seq order."""
    from district_server.models import Commune, Event

    with _server_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(
                Event.uuid, Event.server_seq, Event.origin_desk, Event.origin_seq,
                Event.dossier_uuid, Event.kind,
            )
            .join(Commune, Commune.id == Event.commune_id)
            .where(Commune.agency_code == agency)
            .order_by(Event.server_seq)
        ).all()  # fmt: skip
    return [
        StoredEvent(
            str(r[0]), int(r[1]), int(r[2]), int(r[3]), str(r[4]) if r[4] else None, str(r[5])
        )
        for r in rows
    ]


def server_uuids(db_url: str, agency: str) -> set[str]:
    return {e.uuid for e in server_events(db_url, agency)}


def settle(desks: list[Desk], rounds: int = 2) -> None:
    """Clean sync rounds on every desk, so each has pulled what the others pushed."""
    for _ in range(rounds):
        for desk in desks:
            summary = desk.sync()
            assert not summary.errors, summary.errors
            assert summary.online and summary.pending == 0, summary


def assert_exactly_once(db_url: str, agency: str, desks: list[Desk]) -> list[StoredEvent]:
    """The server holds exactly the events the desks recorded, once each, in each desk's
    order; every desk event is marked pushed; the desks converge."""
    stored = server_events(db_url, agency)
    uuids = [e.uuid for e in stored]
    assert len(uuids) == len(set(uuids)), "an event uuid is stored twice"
    assert [e.server_seq for e in stored] == list(range(1, len(stored) + 1)), "server_seq gaps"
    pairs = [(e.origin_desk, e.origin_seq) for e in stored]
    assert len(pairs) == len(set(pairs)), "one desk event stored twice under two uuids"

    recorded: set[str] = set()
    for desk in desks:
        local = desk.local_events()
        unpushed = [u for u, pushed, _ in local if pushed is None]
        assert not unpushed, f"desk {desk.number}: {len(unpushed)} events not marked pushed"
        recorded |= {u for u, _, _ in local}
    on_server = set(uuids)
    assert not recorded - on_server, f"{len(recorded - on_server)} desk events LOST"
    assert not on_server - recorded, f"{len(on_server - recorded)} server events no desk recorded"

    by_desk: dict[int, list[int]] = {}
    for event in stored:
        by_desk.setdefault(event.origin_desk, []).append(event.origin_seq)
    for number, seqs in by_desk.items():
        assert seqs == list(range(1, len(seqs) + 1)), f"desk {number}: order not kept"

    server_order = {e.uuid: e.server_seq for e in stored}
    reference: dict[str, str] | None = None
    for desk in desks:
        rows = desk.query("SELECT uuid, server_seq FROM events")
        have = {str(u): s for u, s in rows}
        assert set(have) == on_server, f"desk {desk.number} has not converged"
        assert have == server_order, f"desk {desk.number}: server_seq differs from the server's"
        dossiers = desk.dossiers()
        if reference is None:
            reference = dossiers
        assert dossiers == reference, f"desk {desk.number} lists other dossiers or statuses"
    return stored


# ------------------------------------------------------------------ desk-app sync, forked


_ZYGOTE = r"""
import json, os, sys, traceback
import desk_app.cli, desk_app.context, desk_app.sync.engine, desk_app.sync.transport
import desk_app.cli.dossiers, desk_app.demo
from desk_app.cli import main
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "run":
        pid = os.fork()
        if pid == 0:
            code = 99
            try:
                fd = os.open(cmd["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                code = main(cmd["argv"])
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
    elif cmd["op"] == "wait":
        _, status = os.waitpid(cmd["pid"], 0)
        print(json.dumps({"status": status}), flush=True)
"""


class DeskCliForker:
    """Starts ``desk-app`` commands as forks of one interpreter that has already imported
    the desk application, so a command is running within a millisecond instead of after
    half a second of imports: a kill then lands inside the sync, not inside ``import``.
    Each command is a real, separate process, killed for real."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env(),
            cwd=REPO_ROOT,
        )  # fmt: skip

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        assert line, "the forking interpreter died"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def start(self, argv: list[str], log: Path) -> int:
        return int(self._ask({"op": "run", "argv": argv, "log": str(log)})["pid"])

    def wait(self, pid: int) -> int:
        """The wait status of the command (as ``os.waitpid`` gives it)."""
        return int(self._ask({"op": "wait", "pid": pid})["status"])

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


@pytest.fixture
def desk_forker() -> Iterator[DeskCliForker]:
    forker = DeskCliForker()
    yield forker
    forker.close()


def wait_until(predicate: Callable[[], bool], timeout_s: float, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return predicate()
