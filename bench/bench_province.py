"""A province after an outage: N communes × D desks × E events each, all at once.

    .venv/bin/python -m bench.bench_province --communes 120 --desks 5 --events 200 \\
        --workers 2 --code both [--max-pushes N] [--json FILE]

Set-up (not timed): a throwaway PostgreSQL cluster with durable commits; the server under
test, ``district-server run`` of this checkout (``--code new``) or of the commit before
back-pressure was added, exported from git history into a temp folder (``--code old``,
today's code path: one process, no cap); one code per desk, enrolled through the API.

Timed: every desk comes back at once and behaves like the real sync client
(``desk_app.sync``): a 3 s health probe, pushes of up to 500 events with the 30 s
time-out, back-off with full jitter after a failure (``Backoff``), ``503`` +
``Retry-After`` honoured by the real ``Transport``, then pulls of 500 with
``exclude_own_upto``, and again every ``--poll-s`` (5 s; the real desk waits 30 s after a
good round) until it has every event of its commune. Event bodies are shaped like
``dossier.received`` (about 1.4 KB on the wire) and pre-encoded, as the desk sends its
stored envelope text (each desk's made from one validated template). Of a pulled page the
desks read only the uuids and the cursor: a real desk decodes pages on its own machine,
and here decoding every page took half the load generator's CPU from the server's.

Reported: time to converge, events stored per second and per server CPU-second (server
process and its workers, from /proc), p50/p95/p99 of push and pull, client time-outs,
503s, events resent, exactly-once checks per commune (count, unique uuids, ``server_seq``
1..n without gaps) straight from PostgreSQL, the peak RSS of the server's processes, and
the CPU of PostgreSQL and of the load generator, which share the machine with the server.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from desk_app.sync.backoff import Backoff
from desk_app.sync.transport import SyncTransportError, Transport
from event_schema import DocumentLine, DossierReceivedV1
from tests.helpers.postgres import running_cluster

REPO_ROOT = Path(__file__).resolve().parents[1]
PUSH_BATCH = 500
PULL_PAGE = 500
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------ server under test


def old_code_dir(target: Path) -> Path:
    """Today's code path: the commit before back-pressure came, exported from git."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "district_server/admission.py"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    base = f"{added[-1]}^" if added else "HEAD"
    archive = subprocess.run(
        ["git", "archive", base, "district_server", "db"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _env(code_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DISTRICT_SERVER_DB", None)
    env["PYTHONPATH"] = str(code_dir)
    env["DISTRICT_SERVER_ROOT"] = str(code_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def server(
    code_dir: Path, db_url: str, workers: int, log: Path, extra: tuple[str, ...] = ()
) -> Iterator[tuple[str, int]]:
    args = [sys.executable, "-m", "district_server", "run", "--db", db_url, "--port", "0"]
    if workers > 1:
        args += ["--workers", str(workers)]
    args += extra
    with log.open("w") as err:
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=err, text=True, env=_env(code_dir),
            cwd=code_dir,
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"server did not start: {line!r}; see {log}")
        url = line.split()[-1]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tree(pid: int) -> list[int]:
    """The process and its descendants (threads and processes come and go meanwhile)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    pids.extend(_tree(int(child)))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children, live or ended."""
    total = 0.0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            # Its own time and that of its children already ended (PostgreSQL's
            # backends of closed connections).
            total += sum(int(value) for value in fields[11:15]) / CLK_TCK
    return total


def _own_cpu() -> float:
    """User + system CPU of this process (the load generator) so far."""
    times = os.times()
    return times.user + times.system


def rss_bytes(pid: int) -> int:
    total = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{each}/statm").read_text().split()[1]) * PAGE
    return total


# ------------------------------------------------------------------ desks


def issue_codes(code_dir: Path, db_url: str, desks: list[tuple[str, int]]) -> list[str]:
    """One code per desk, issued by the server code under test (old or new schema)."""
    script = (
        "import sys, json\n"
        "from datetime import UTC, datetime\n"
        "from district_server.db import make_engine, make_session_factory, migrate\n"
        "from district_server.enrollment import issue_code\n"
        "rows = json.load(sys.stdin)\n"
        "engine = make_engine(sys.argv[1]); migrate(engine)\n"
        "with make_session_factory(engine).begin() as s:\n"
        "    print(json.dumps([issue_code(s, c, d, datetime.now(UTC)).code for c, d in rows]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, db_url], input=json.dumps(desks), capture_output=True,
        text=True, env=_env(code_dir), cwd=code_dir, check=True,
    )  # fmt: skip
    codes: list[str] = json.loads(done.stdout)
    return codes


FIRST_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Đỗ Minh Đức"]


def dossier_received(agency: str, desk: int, seq: int, rng: random.Random) -> str:
    """A ``dossier.received`` v1 envelope as the desk stores and sends it (about 1.4 KB as
    JSON): the payload is ``DossierReceivedV1.dump()``, so the server's validation (issue
    8) accepts it; the code carries the desk's own number."""
    return DeskEvents(agency, desk, rng).envelope(seq)


# Fields of the envelope that change from one event to the next, as placeholders in the
# desk's template (the rest of a desk's events are alike).
_VARYING = ("uuid", "dossier_uuid", "code", "pin", "name", "cccd", "phone", "dob")


class DeskEvents:
    """A desk's events, made from one template: ``DossierReceivedV1`` validates and dumps
    a desk's first event once, the others are that text with their own values (a desk's
    outbox is stored text; making it must not eat the server's CPU in this benchmark)."""

    def __init__(self, agency: str, desk: int, rng: random.Random) -> None:
        self.agency, self.desk, self.rng = agency, desk, rng
        marks = {name: f"@@{name}@@" for name in _VARYING}
        payload = DossierReceivedV1(
            code=f"{agency}-261130-{desk}0001",
            code_seq=1,
            lookup_pin="000000",
            procedure_code="1.001193",
            procedure_name="Đăng ký khai sinh",
            applicant_name=FIRST_NAMES[0],
            applicant_cccd="001000000000",
            applicant_dob=dt.date(1990, 1, 1),
            applicant_phone="0900000000",
            applicant_address="Thôn Đông, xã Hòa Bình, huyện Thanh Sơn, tỉnh Phú Thọ",
            request_text="Đăng ký khai sinh cho con, sinh ngày 20/11/2026 tại Trạm y tế xã.",
            documents=(
                DocumentLine("Tờ khai đăng ký khai sinh theo mẫu", "original", 1),
                DocumentLine("Giấy chứng sinh do cơ sở y tế cấp", "original", 1),
                DocumentLine("Giấy tờ tùy thân của người đi đăng ký", "copy", 1),
            ),
            notes="Hồ sơ đầy đủ, hẹn trả kết quả đúng hạn tại Bộ phận Một cửa.",
            duration_kind="working_days",
            duration_value=3,
            received_at=dt.datetime(2026, 11, 30, 8, 15),
            due_at=dt.datetime(2026, 12, 3, 17, 0),
            received_by="lan.nguyen",
            received_by_name="Nguyễn Thị Lan",
            register_line=1,
        ).dump()
        payload.update(
            code=marks["code"], code_seq=-101, register_line=-101, lookup_pin=marks["pin"],
            applicant_name=marks["name"], applicant_cccd=marks["cccd"],
            applicant_phone=marks["phone"], applicant_dob=marks["dob"],
        )  # fmt: skip
        envelope = {
            "uuid": marks["uuid"],
            "dossier_uuid": marks["dossier_uuid"],
            "kind": "dossier.received",
            "payload": payload,
            "occurred_at": "2026-11-30T01:15:00+00:00",
            "actor": "lan.nguyen",
            "origin": {"agency_code": agency, "desk": desk},
            "origin_seq": -101,
        }
        text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        text = text.replace("%", "%%").replace("-101", "%(seq)d")
        for name, mark in marks.items():
            text = text.replace(f'"{mark}"', f'"%({name})s"')
        self.template = text
        self.names = [json.dumps(name, ensure_ascii=False)[1:-1] for name in FIRST_NAMES]

    def envelope(self, seq: int) -> str:
        rng = self.rng
        return self.template % {
            "seq": seq,
            "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "dossier_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "code": f"{self.agency}-261130-{self.desk}{seq:04d}",
            "pin": f"{rng.randrange(10**6):06d}",
            "name": rng.choice(self.names),
            "cccd": f"0010{rng.randrange(10**8):08d}",
            "phone": f"09{rng.randrange(10**8):08d}",
            "dob": f"1990-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
        }


@dataclass
class Tally:
    """What every desk saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    push_s: list[float] = field(default_factory=list)
    pull_s: list[float] = field(default_factory=list)
    timeouts: int = 0
    failures: int = 0
    busy: int = 0
    resent: int = 0
    probes_failed: int = 0
    pulled: int = 0
    errors: list[str] = field(default_factory=list)


class Desk:
    """One desk with its pending outbox, following the real client's round."""

    def __init__(
        self,
        url: str,
        token: str,
        agency: str,
        number: int,
        events: int,
        expected: int,
        poll_s: float,
    ) -> None:
        self.poll_s = poll_s
        self.url, self.token, self.agency, self.number = url, token, agency, number
        # The outbox is made a batch at a time (and kept until acknowledged, so a resend
        # is the same events): 750 desks × 2,000 events would not fit in memory at once.
        self.events = events
        self.next_seq = 1
        self.batch: list[str] | None = None
        self.outbox = DeskEvents(agency, number, random.Random(f"{agency}/{number}"))
        self.expected_others = expected
        self.seen_others: set[bytes] = set()
        self.cursor = 0
        self.done_at: float | None = None
        # Time spent waiting for turns a busy server gave (503 + Retry-After): not part
        # of any request's latency.
        self.turns_s = 0.0

    def run(self, tally: Tally, start: threading.Event, t0: list[float]) -> None:
        backoff = Backoff()

        def busy_sleep(seconds: float) -> None:
            with tally.lock:
                tally.busy += 1
            self.turns_s += seconds
            time.sleep(seconds)

        start.wait()
        sent_before: set[int] = set()
        with Transport(self.url, self.token, sleep=busy_sleep) as transport:
            while self.done_at is None:
                if not transport.health():
                    with tally.lock:
                        tally.probes_failed += 1
                    time.sleep(backoff.next_delay())
                    continue
                try:
                    self._push(transport, tally, sent_before)
                    self._pull(transport, tally)
                except SyncTransportError as exc:
                    with tally.lock:
                        tally.failures += 1
                        if len(tally.errors) < 5:
                            tally.errors.append(str(exc)[:200])
                        if "Timeout" in str(exc):
                            tally.timeouts += 1
                    time.sleep(backoff.next_delay())
                    continue
                backoff.reset()
                if self.next_seq > self.events and len(self.seen_others) >= self.expected_others:
                    self.done_at = time.monotonic() - t0[0]
                else:
                    time.sleep(self.poll_s)  # the others are still coming: sync again

    def _push(self, transport: Transport, tally: Tally, sent_before: set[int]) -> None:
        while self.next_seq <= self.events:
            if self.batch is None:
                last = min(self.events, self.next_seq + PUSH_BATCH - 1)
                self.batch = [self.outbox.envelope(seq) for seq in range(self.next_seq, last + 1)]
            batch = self.batch
            first = self.next_seq
            if first in sent_before:
                with tally.lock:
                    tally.resent += len(batch)
            sent_before.add(first)
            body = ('{"events":[' + ",".join(batch) + "]}").encode("utf-8")
            started, turns = time.monotonic(), self.turns_s
            try:
                transport.push_body(body)
            finally:
                with tally.lock:
                    tally.push_s.append(time.monotonic() - started - (self.turns_s - turns))
            self.next_seq += len(batch)
            self.batch = None

    def _pull(self, transport: Transport, tally: Tally) -> None:
        while True:
            started = time.monotonic()
            body = transport.pull_body(self.cursor, PULL_PAGE, exclude_own_upto=10**9)
            uuids, cursor, has_more = read_page(body)
            with tally.lock:
                tally.pull_s.append(time.monotonic() - started)
                tally.pulled += len(uuids)
            self.seen_others.update(uuids)
            self.cursor = cursor
            if not has_more:
                return


# The top-level uuid of each pulled event: the payloads of these events have no "uuid".
_EVENT_UUID = re.compile(rb'[{,]"uuid":"([0-9a-f-]{36})"')


def read_page(body: bytes) -> tuple[list[bytes], int, bool]:
    """What a desk here checks of a pulled page: its events' uuids, the next cursor and
    whether more follows. A real desk decodes the whole page on its own machine; here 600
    desks would share the server's, so only the page's tail is decoded."""
    tail_at = body.rfind(b'],"next_cursor":')
    if not body.startswith(b'{"events":[') or tail_at < 0:
        raise SyncTransportError(f"unexpected pull answer: {body[:80]!r}")
    tail = json.loads(b"{" + body[tail_at + 2 :])
    uuids = _EVENT_UUID.findall(body, 0, tail_at)
    if len(uuids) != body.count(b'"server_seq":', 0, tail_at):
        raise SyncTransportError("a pulled event without its uuid")
    return uuids, int(tail["next_cursor"]), bool(tail["has_more"])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def exactly_once(db_url: str) -> dict[str, Any]:
    plain = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        rows = conn.execute(
            "SELECT commune_id, count(*), count(DISTINCT uuid), min(server_seq), "
            "max(server_seq) FROM events GROUP BY commune_id"
        ).fetchall()
    bad = [r for r in rows if not (r[1] == r[2] == r[4] and r[3] == 1)]
    return {"communes": len(rows), "events": sum(r[1] for r in rows), "bad_communes": len(bad)}


def run_one(code: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    code_dir = REPO_ROOT if code == "new" else old_code_dir(work / "old")
    workers = args.workers if code == "new" else 1
    with running_cluster("bench-province-", durable=True) as cluster:
        db_url = cluster.new_database(f"province_{code}")
        agencies = [
            f"{(i // 99) % 1000:03d}.{(i % 99) + 1:02d}.33.H12" for i in range(args.communes)
        ]
        desk_rows = [(a, d) for a in agencies for d in range(1, args.desks + 1)]
        codes = issue_codes(code_dir, db_url, desk_rows)
        extra: tuple[str, ...] = ()
        if code == "new" and args.max_pushes:
            extra += ("--max-pushes", str(args.max_pushes))
        if code == "new" and args.pool_size:
            extra += ("--pool-size", str(args.pool_size))
        log = work / f"server-{code}.log"
        with server(code_dir, db_url, workers, log, extra) as (url, pid):
            tokens = []
            with httpx.Client(base_url=url, timeout=60) as http:
                for one in codes:
                    tokens.append(http.post("/api/v1/enroll", json={"code": one}).json()["token"])
            expected = (args.desks - 1) * args.events
            desks = [
                Desk(url, token, agency, number,
                     args.events,
                     expected, args.poll_s)
                for token, (agency, number) in zip(tokens, desk_rows, strict=True)
            ]  # fmt: skip
            wire = len(dossier_received("000.01.33.H12", 1, 1, random.Random()).encode("utf-8"))
            tally, start, t0 = Tally(), threading.Event(), [0.0]
            threads = [
                threading.Thread(target=d.run, args=(tally, start, t0), daemon=True) for d in desks
            ]
            for thread in threads:
                thread.start()
            postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
            cpu0, peak = cpu_seconds(pid), rss_bytes(pid)
            pg0, own0 = cpu_seconds(postmaster), _own_cpu()
            t0[0] = time.monotonic()
            start.set()
            deadline = t0[0] + args.limit_s
            while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
                peak = max(peak, rss_bytes(pid))
                time.sleep(0.5)
            elapsed = time.monotonic() - t0[0]
            cpu = cpu_seconds(pid) - cpu0
            pg_cpu, own_cpu = cpu_seconds(postmaster) - pg0, _own_cpu() - own0
            converged = all(d.done_at is not None for d in desks)
        checks = exactly_once(db_url)
    stored = checks["events"]
    return {
        "code": code,
        "workers": workers,
        "max_pushes": args.max_pushes if code == "new" else None,
        "pool_size": args.pool_size if code == "new" else None,
        "desks": len(desks),
        "events_per_desk": args.events,
        "event_bytes": wire,
        "converged": converged,
        "converge_s": round(elapsed, 1),
        "stored": stored,
        "served": tally.pulled,
        "stored_per_s": round(stored / elapsed, 1),
        "server_cpu_s": round(cpu, 1),
        "stored_per_cpu_s": round(stored / cpu, 1) if cpu else None,
        "postgres_cpu_s": round(pg_cpu, 1),
        "load_generator_cpu_s": round(own_cpu, 1),
        "cpu_ms_per_event_stored_and_served": round(1000 * cpu / (stored + tally.pulled), 3),
        "push_p50_s": round(_pct(tally.push_s, 0.50), 2),
        "push_p95_s": round(_pct(tally.push_s, 0.95), 2),
        "push_p99_s": round(_pct(tally.push_s, 0.99), 2),
        "pull_p50_s": round(_pct(tally.pull_s, 0.50), 3),
        "pull_p95_s": round(_pct(tally.pull_s, 0.95), 3),
        "pull_p99_s": round(_pct(tally.pull_s, 0.99), 3),
        "timeouts": tally.timeouts,
        "failed_requests": tally.failures,
        "first_errors": tally.errors,
        "busy_503": tally.busy,
        "events_resent": tally.resent,
        "health_probes_failed": tally.probes_failed,
        "exactly_once": checks,
        "exactly_once_ok": checks["bad_communes"] == 0
        and checks["events"] == len(desks) * args.events,
        "peak_rss_mib": round(peak / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_province")
    parser.add_argument("--communes", type=int, default=120)
    parser.add_argument("--desks", type=int, default=5)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--max-pushes", type=int, default=None, help="the new server's --max-pushes (its default)"
    )
    parser.add_argument(
        "--pool-size", type=int, default=None, help="the new server's --pool-size (its default)"
    )
    parser.add_argument("--code", choices=["new", "old", "both"], default="new")
    parser.add_argument("--limit-s", type=float, default=3600.0)
    # The real desk syncs every 30 s after a good round; a shorter wait makes convergence
    # visible sooner, for both code paths alike.
    parser.add_argument("--poll-s", type=float, default=5.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-province-") as folder:
        work = Path(folder)
        (work / "old").mkdir()
        for code in ["old", "new"] if args.code == "both" else [args.code]:
            result = run_one(code, args, work)
            print(json.dumps(result), flush=True)
            results.append(result)
    if len(results) == 2 and results[1]["cpu_ms_per_event_stored_and_served"]:
        ratio = (
            results[1]["cpu_ms_per_event_stored_and_served"]
            / results[0]["cpu_ms_per_event_stored_and_served"]
        )
        print(f"server CPU per event, new / old: {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"when": datetime.now(UTC).isoformat(), "runs": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
