"""Sync throughput: one ``sync_once()`` pushing a 10,000-event outbox to a real district
server on PostgreSQL, against a plain batched POST of the same kind of request bodies.

Set-up (not timed): a throwaway PostgreSQL cluster from Debian's binaries (run as the
``postgres`` user through ``runuser`` when we are root, since initdb refuses root), the
real ``district-server run`` on it, and two desks of two communes, each with 10,000
dossiers (made by ``seed-demo``) and their 10,000 pending ``dossier.received`` events,
recorded with ``append_event`` in one transaction and carrying the full dossier snapshot
a real intake records (about 1.2 KB each).

Measured:

* **value** — ``SyncEngine.sync_once()`` on desk A: it reads the outbox, pushes it in
  batches of ``PUSH_BATCH``, marks each batch sent, and pulls the commune's feed back
  (which brings its own events' ``server_seq``). Target ≤ 10 s.
* **baseline** — the same request bodies for desk B (built by the engine's own
  ``envelope()`` and serialised exactly as httpx serialises ``json=``, same batch size),
  POSTed with a bare ``httpx.Client`` to the same endpoint of the same server, under a
  fresh commune and desk so the server really stores them. Target ratio ≤ 1.5.

The push and pull phases of ``sync_once()`` are reported too, for the record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import Row, connect_desk
from tests.helpers.postgres import running_cluster

EVENTS = 10_000
REPO_ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ PostgreSQL


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A throwaway cluster on 127.0.0.1 with durable commits, as a production server runs
    (unlike the test cluster); yields the URL of an empty database."""
    with running_cluster("bench-pg-", durable=True) as cluster:
        yield cluster.new_database("bench_sync")


# ------------------------------------------------------------------ server


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DISTRICT_SERVER_DB", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def district_server(db_url: str, log: Path) -> Iterator[str]:
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "district_server", "run", "--db", db_url, "--port", "0"],
            stdout=subprocess.PIPE, stderr=err, text=True, env=_env(), cwd=REPO_ROOT,
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 60
        while not line.startswith("listening on ") and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        if not line.startswith("listening on "):
            raise RuntimeError(f"district-server did not start: {log.read_text()}")
        stdout = proc.stdout
        threading.Thread(target=lambda: stdout.read(), daemon=True).start()
        yield line.strip().removeprefix("listening on ")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def enrolment_code(db_url: str, agency: str, desk: int) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "district_server", "enroll", "--commune", agency,
         "--desk", str(desk), "--db", db_url],
        capture_output=True, text=True, env=_env(), cwd=REPO_ROOT, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()[0].strip()


# ------------------------------------------------------------------ desks


def make_desk(folder: Path, agency: str, seed: int) -> Any:
    """A desk of ``agency`` with EVENTS pending ``dossier.received`` events (~1 KB each).

    ``seed-demo`` builds realistic dossiers in a scratch database; they are copied here and
    each gets the event a real intake records (``append_event`` with the full dossier
    snapshot), all in one transaction.
    """

    from sqlalchemy import select

    from desk_app.clock import FixedClock, utc_naive
    from desk_app.context import DeskContext
    from desk_app.db.models import Dossier
    from desk_app.demo import seed_demo
    from desk_app.events import append_event
    from desk_app.intake import dossier_snapshot
    from desk_app.profile import Profile

    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 0))
    profile = Profile(
        commune_name="Xã Tân Phú", province="Đồng Nai", agency_code=agency, desk_number=1
    )
    scratch_dir = folder.with_name(folder.name + "-scratch")
    scratch = DeskContext.open(scratch_dir, clock=clock)
    try:
        scratch.profiles.save(profile, utc_naive(clock))
        seed_demo(scratch, EVENTS, seed=seed, workers=0)
    finally:
        scratch.close()
    source = connect_desk(scratch_dir / "desk.sqlite3")
    try:
        columns = [r[1] for r in source.execute("PRAGMA table_info(dossiers)")]
        dossiers = source.execute(f"SELECT {', '.join(columns)} FROM dossiers").fetchall()
        counters = source.execute("SELECT day, desk_number, last_seq FROM dossier_code_counters")
        counter_rows = counters.fetchall()
    finally:
        source.close()

    ctx = DeskContext.open(folder, clock=clock)
    ctx.profiles.save(profile, utc_naive(clock))
    now = utc_naive(clock)
    with ctx.db.write() as s:
        raw = s.connection()
        raw.exec_driver_sql(
            f"INSERT INTO dossiers ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            dossiers,
        )
        raw.exec_driver_sql(
            "INSERT INTO dossier_code_counters (day, desk_number, last_seq) VALUES (?, ?, ?)",
            counter_rows,
        )
        for dossier in s.scalars(select(Dossier).order_by(Dossier.received_at)):
            dossier_email = f"{fold_ascii(dossier.applicant_name)}@gmail.com"
            payload = dossier_snapshot(dossier, code_seq=dossier.register_line)
            payload["applicant_email"] = dossier_email
            payload["notes"] = "Nộp trực tiếp tại Bộ phận Một cửa; đã đối chiếu bản chính."
            append_event(
                s,
                kind="dossier.received",
                payload=payload,
                actor="lan.nt",
                agency_code=agency,
                desk=1,
                occurred_at_utc=now,
                dossier_uuid=dossier.uuid,
            )
    shutil.rmtree(scratch_dir, ignore_errors=True)
    return ctx


def fold_ascii(name: str) -> str:
    from desk_app.text import fold

    return ".".join(fold(name).split())


def _body(events: list[dict[str, Any]]) -> bytes:
    # Exactly how httpx serialises ``json=`` (httpx._content.encode_json).
    return json.dumps(
        {"events": events}, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def request_bodies(ctx: Any, batch: int) -> list[bytes]:
    """The push bodies the engine would send for this desk's outbox."""
    from sqlalchemy import select

    from desk_app.db.models import Event
    from desk_app.events import envelope

    with ctx.db.read() as s:
        events = list(
            s.scalars(
                select(Event)
                .where(Event.is_local.is_(True), Event.pushed_at.is_(None))
                .order_by(Event.seq)
            )
        )
        envelopes = [envelope(e) for e in events]
    return [_body(envelopes[i : i + batch]) for i in range(0, len(envelopes), batch)]


@dataclass
class _Phases:
    push_s: float = 0.0
    pull_s: float = 0.0
    push_bytes: int = 0
    pushes: int = 0


def timed_transport(phases: _Phases) -> Any:
    from desk_app.sync.transport import Transport

    class TimedTransport(Transport):
        def push_body(self, body: bytes) -> dict[str, Any]:
            t = time.perf_counter()
            try:
                return super().push_body(body)
            finally:
                phases.push_s += time.perf_counter() - t
                phases.push_bytes += len(body)
                phases.pushes += 1

        def pull(
            self, after: int, limit: int, *, exclude_own_upto: int | None = None
        ) -> dict[str, Any]:
            t = time.perf_counter()
            try:
                return super().pull(after, limit, exclude_own_upto=exclude_own_upto)
            finally:
                phases.pull_s += time.perf_counter() - t

    return lambda url, token, ca: TimedTransport(url, token, ca)


def _stored(db_url: str, agency: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM events e JOIN communes c ON c.id = e.commune_id "
                        "WHERE c.agency_code = :a"
                    ),
                    {"a": agency},
                ).scalar_one()
            )
    finally:
        engine.dispose()


# ------------------------------------------------------------------ the benchmark


def run() -> list[Row]:
    from desk_app.sync.engine import PUSH_BATCH, SyncEngine

    agency_a, agency_b = "000.20.33.H12", "000.20.34.H12"
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp, postgres() as db_url:
        root = Path(tmp)
        with district_server(db_url, root / "server.log") as url:
            t = time.perf_counter()
            desk_a = make_desk(root / "desk-a", agency_a, seed=11)
            desk_b = make_desk(root / "desk-b", agency_b, seed=12)
            setup_s = time.perf_counter() - t
            print(f"set-up: 2 x {EVENTS} events in {setup_s:.1f} s", file=sys.stderr)
            try:
                desk_a.sync.enroll(url, enrolment_code(db_url, agency_a, 1))
                desk_b.sync.enroll(url, enrolment_code(db_url, agency_b, 1))
                with desk_b.db.engine.connect() as conn:
                    token_b = str(conn.exec_driver_sql("SELECT token FROM sync_state").scalar_one())
                bodies = request_bodies(desk_b, PUSH_BATCH)
                avg_payload = _avg_payload_bytes(desk_a)

                # Baseline first: a bare client, the same kind of bodies, the same endpoint.
                headers = {
                    "Authorization": f"Bearer {token_b}",
                    "Content-Type": "application/json",
                    "User-Agent": "desk-app",
                }
                with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
                    http.get("/api/v1/health").raise_for_status()
                    t = time.perf_counter()
                    for body in bodies:
                        answer = http.post("/api/v1/events", content=body)
                        answer.raise_for_status()
                    baseline = time.perf_counter() - t
                assert _stored(db_url, agency_b) == EVENTS, "the baseline did not store them"

                phases = _Phases()
                transport = timed_transport(phases)
                engine = SyncEngine(desk_a.db, desk_a.clock, desk_a.profiles, transport)
                t = time.perf_counter()
                summary = engine.sync_once()
                value = time.perf_counter() - t
                if summary.errors or summary.pushed != EVENTS or summary.pending:
                    raise RuntimeError(f"the sync did not push everything: {summary}")
                assert _stored(db_url, agency_a) == EVENTS
            finally:
                desk_a.close()
                desk_b.close()
    ratio = value / baseline
    body_bytes = sum(len(b) for b in bodies)
    print(
        f"sync_once: {value:.2f} s for {EVENTS} events ({phases.pushes} pushes, "
        f"{phases.push_bytes / 1e6:.1f} MB; push phase {phases.push_s:.2f} s, pull phase "
        f"{phases.pull_s:.2f} s, the rest reading and marking the outbox and applying the "
        f"feed); plain httpx POSTs: {baseline:.2f} s ({len(bodies)} bodies, "
        f"{body_bytes / 1e6:.1f} MB); ratio {ratio:.2f}; payload ~{avg_payload:.0f} B/event",
        file=sys.stderr,
    )
    return [
        Row(f"sync_once push {EVENTS} events, PostgreSQL (s)", value, baseline, ratio,
            "<= 10 s, ratio <= 1.5", value <= 10.0 and ratio <= 1.5, "s"),
        Row("  of which HTTP push requests (s)", phases.push_s, baseline, phases.push_s / baseline,
            "(for the record)", True, "s"),
        Row("  of which HTTP pull requests (s)", phases.pull_s, None, None,
            "(for the record)", True, "s"),
    ]  # fmt: skip


def _avg_payload_bytes(ctx: Any) -> float:
    with ctx.db.engine.connect() as conn:
        value = conn.exec_driver_sql("SELECT avg(length(payload)) FROM events").scalar_one()
    return float(value or 0)


if __name__ == "__main__":  # pragma: no cover
    from bench.harness import print_table

    print_table(run())
