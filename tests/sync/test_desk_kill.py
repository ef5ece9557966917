"""(c) The desk process is SIGKILLed at random points of ``desk-app sync``, over and over,
with new work recorded between the runs. After a final clean sync the server holds every
event exactly once and the desk database is intact.

Most runs are ``desk-app sync`` forked from an interpreter that has already imported
the application (see ``DeskCliForker``): the kill, 0–300 ms after the start, then lands
in the sync itself rather than in half a second of imports. A dozen more runs are
started the ordinary way (``python -m desk_app sync``), killed 0–300 ms after their
measured start-up. Some runs start a second sync at the same time (the GUI's timer and
a cron job), and only one of the two is killed.

Between runs the test checks the one invariant that matters at every instant: nothing is
marked pushed on the desk that the server does not hold.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sync.conftest import (
    Desk,
    DeskCliForker,
    ServerProcess,
    assert_exactly_once,
    desk_cli,
    new_agency,
    server_uuids,
    settle,
    start_desk_sync,
)

RUNS = {"sqlite": (100, 10), "postgres": (10, 2)}  # (forked runs, exec'd runs)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished first
        os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_desk_killed_at_random_points_during_sync(
    backend: str,
    new_db_url: Callable[[str], str],
    start_server: Callable[..., ServerProcess],
    make_desk: Callable[..., Desk],
    desk_forker: DeskCliForker,
    tmp_path: Path,
) -> None:
    seed = int(os.environ.get("SYNC_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"SYNC_KILL_SEED={seed}")
    forked_runs, exec_runs = RUNS[backend]
    db_url = new_db_url(backend)
    server = start_server(db_url)
    agency = new_agency()
    desk = make_desk(agency, 1)
    desk.enroll(db_url, server.url)
    peer = make_desk(agency, 2)  # gives the killed desk something to pull
    peer.enroll(db_url, server.url)
    argv = ["--data-dir", str(desk.data_dir), "sync"]
    log = tmp_path / "sync.log"
    received: list[str] = []
    killed_live = 0
    exit_codes: dict[int, int] = {}

    def record_work(run: int) -> None:
        received.extend(desk.intake(1))
        desk.churn(rng.randint(2, 30), rng)
        if len(received) > 1 and rng.random() < 0.3:
            code = received.pop(rng.randrange(len(received) - 1))
            if desk.dossiers()[code] in ("received", "in_progress"):
                desk.change_status(code, rng.choice(["withdrawn", "result_ready"]))
        if run % 25 == 5:
            desk.seed(rng.randint(200, 700))  # a backlog of several batches now and then
        if run % 10 == 0:
            peer.seed(60)
            peer.intake(1)
            assert not peer.sync().errors

    def check_invariant() -> None:
        pushed = desk.pushed_uuids()
        assert pushed <= server_uuids(db_url, agency), "marked pushed but not on the server"

    for run in range(forked_runs):
        record_work(run)
        pid = desk_forker.start(argv, log)
        twin = desk_forker.start(argv, log) if run % 7 == 3 else None
        # 0–120 ms (a sync of a few events takes about that long); one run in five gets
        # up to 600 ms, so that the later phases of a sync with a backlog of several
        # batches (marking, pulling) are hit as well.
        time.sleep(rng.uniform(0.0, 0.6 if run % 5 == 4 else 0.12))
        _kill(pid)
        status = desk_forker.wait(pid)
        if os.WIFSIGNALED(status):
            killed_live += 1
        else:
            exit_codes[os.WEXITSTATUS(status)] = exit_codes.get(os.WEXITSTATUS(status), 0) + 1
        if twin is not None:
            assert os.WEXITSTATUS(desk_forker.wait(twin)) in (0, 1)
        check_invariant()

    # The ordinary way: measure the start-up, then kill 0–150 ms into the sync itself.
    started = time.monotonic()
    assert desk_cli(desk, "sync").returncode == 0
    startup = max(0.0, time.monotonic() - started - 0.1)
    for run in range(exec_runs):
        record_work(forked_runs + run)
        process = start_desk_sync(desk, tmp_path / "exec-sync.log")
        time.sleep(startup * rng.uniform(0.8, 1.0) + rng.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        if process.wait(timeout=30) == -signal.SIGKILL:
            killed_live += 1
        check_invariant()

    print(f"{forked_runs + exec_runs} SIGKILL runs, {killed_live} killed mid-command, "
          f"others exited with {exit_codes}")  # fmt: skip
    assert set(exit_codes) <= {0, 1}, f"a sync crashed: {exit_codes}; see {log}"
    assert killed_live >= (forked_runs + exec_runs) // 3, "few kills hit a running sync"
    assert desk.integrity_ok()
    settle([desk, peer])
    assert desk.integrity_ok()
    assert_exactly_once(db_url, agency, [desk, peer])
