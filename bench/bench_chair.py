"""The chair's metrics on a million demo dossiers with whole histories, 20,000 of them
open (a seed of its own: see ``CHAIR_PROFILE``):

* **Backlog refresh** — ``BacklogService.backlog`` (every open dossier of every desk read
  from the projection columns, classified, broken down): median and p95 ≤ 150 ms; base:
  reading the open rows alone.
* **Report history build** — ``ReportService.refresh_history`` the first time, over every
  dossier's events (reported, no target: once per database, then only new events; the
  backlog screen shows its progress).
* **A year's report** — ``ReportService.period`` over 365 days, history warm: ≤ 2 s; and a
  report right after one new event (the catch-up of one dossier included); base: one
  day's report.
* **RSS with the backlog screen open** — a child process opens the real screen
  (offscreen Qt), loads it and its charts, and reports its peak resident memory: ≤ 250 MB.

Measured on 01/12/2026 on this 2-core machine shared with other busy sessions (load
average 7–25 during the run: wall times are several times the CPU times, which are
reported beside them). 1,000,000 dossiers received 2024 – 20/11/2026, 23,020 open:

* backlog refresh CPU 137 ms (wall median 753 ms, base 478 ms: 1.58×); 205–228 ms CPU
  before the open rows were read as plain tuples without a join (59e48fb);
* history first build 546 s wall;
* a year's report 0.50 s wall (base 0.21 s), CPU 0.20 s; 0.51 s after one new event;
* peak RSS with the backlog screen open and loaded 229 MB.

Again on 01/12/2026 at 04:14–04:25 UTC, the machine otherwise idle (load average ~1), with
the period report's backlog-by-age chart (ix_report_segments_alive added to the cached seed):

* backlog refresh median 135 ms (CPU 131 ms; base 88 ms: 1.54×), p95 241 ms;
* history first build 248 s;
* a year's report 0.26 s by field, 0.26 s by procedure (base 0.12 s), 0.33 s after one
  new event;
* peak RSS with the backlog screen open and loaded 232 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from bench.bench_intake import BENCH_NOW, PROFILE, _open_copy, seeded_database
from bench.bench_search import _load_row
from bench.harness import Row, median, p95, timed
from desk_app.auth import Officer, Role
from desk_app.backlog import _COLUMNS, _FROM, OPEN_STATUSES

CHAIR = Officer("chutich", "Chủ tịch UBND", Role.CHAIR)
CLERK = Officer("bench.nt", "Nguyễn Thị Lan", Role.OFFICER)
BACKLOG_MS = 150.0
YEAR_REPORT_S = 2.0
RSS_MB = 250.0


def _log(message: str) -> None:
    print(f"[bench chair] {message}", flush=True)


def _cpu_timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        out.append(time.process_time() - t)
    return out


def _rss_child(folder: Path) -> dict[str, float]:
    script = Path(__file__).with_name("chair_screen_rss.py")
    done = subprocess.run(
        [sys.executable, str(script), str(folder)],
        capture_output=True,
        text=True,
        timeout=900,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            # the database is encrypted: the child must find the same key
            **{k: v for k, v in os.environ.items() if k.startswith("DESK_APP_") or k == "HOME"},
        },
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the screen process failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# The database: a million dossiers with 20,000 of them open. One desk's demo
# data open at most what it received in the last weeks, so the million is received
# over three years (2024 to 20/11/2026) instead of seven, through a code pattern with
# four digits for the day's number (up to 9,999 codes a day): about 21,000 open.
CHAIR_PROFILE = replace(PROFILE, dossier_code_pattern="{agency}-{yymmdd}-{desk:1d}{seq:04d}")
CHAIR_FIRST_YEAR = 2024
OPEN_WANTED = 20_000


def run() -> list[Row]:
    template = seeded_database(first_year=CHAIR_FIRST_YEAR, profile=CHAIR_PROFILE, tag="chair-")
    work = Path(tempfile.mkdtemp(prefix="bench-chair-"))
    rows: list[Row] = []
    try:
        ctx = _open_copy(template, work / "desk")
        try:
            with ctx.db.read() as s:
                statuses = ", ".join(f"'{x}'" for x in OPEN_STATUSES)
                open_count = s.execute(
                    text(f"SELECT count(*) FROM dossiers WHERE status IN ({statuses})")
                ).scalar_one()
                total = s.execute(text("SELECT count(*) FROM dossiers")).scalar_one()
            _log(f"{total:,} dossiers, {open_count:,} open")
            rows.append(
                Row(
                    "open dossiers in the database",
                    open_count,
                    None,
                    None,
                    f"(info: >= {OPEN_WANTED:,} wanted, of {total:,})",
                    open_count >= OPEN_WANTED,
                    "",
                )
            )
            for _ in range(2):
                ctx.backlog.backlog(CHAIR)
            # baseline: the open dossiers' rows read as the backlog reads them, nothing more
            raw_sql = text(f"SELECT {_COLUMNS} {_FROM} WHERE d.status IN ({statuses})")

            def read_open() -> None:
                with ctx.db.read() as s:
                    s.execute(raw_sql).all()

            base = median(timed(read_open, 9)) * 1000
            samples = timed(lambda: ctx.backlog.backlog(CHAIR), 15)
            med, high = median(samples) * 1000, p95(samples) * 1000
            # CPU time of this process too: on a machine shared with other busy processes
            # the wall time mostly measures the wait for a core.
            cpu = median(_cpu_timed(lambda: ctx.backlog.backlog(CHAIR), 10)) * 1000
            rows.append(
                Row(
                    "backlog refresh CPU time median",
                    cpu,
                    None,
                    None,
                    f"<= {BACKLOG_MS:.0f} ms",
                    cpu <= BACKLOG_MS,
                    "ms",
                )
            )
            _log(f"backlog refresh median {med:.0f} ms, p95 {high:.0f} ms")
            rows.append(
                Row(
                    f"backlog refresh median ({open_count:,} open)",
                    med,
                    base,
                    med / base,
                    f"<= {BACKLOG_MS:.0f} ms (base: reading the open rows)",
                    med <= BACKLOG_MS,
                    "ms",
                )
            )
            rows.append(
                Row(
                    "backlog refresh p95",
                    high,
                    base,
                    high / base,
                    f"<= {BACKLOG_MS:.0f} ms",
                    high <= BACKLOG_MS,
                    "ms",
                )
            )

            t = time.perf_counter()
            folded = ctx.reports.refresh_history()
            build = time.perf_counter() - t
            _log(f"report history built: {folded:,} dossiers in {build:.0f} s")
            rows.append(
                Row(
                    f"report history first build ({folded:,} dossiers)",
                    build,
                    None,
                    None,
                    "once per database",
                    True,
                    "s",
                )
            )

            end = BENCH_NOW.date() - dt.timedelta(days=1)
            start = end - dt.timedelta(days=364)
            report = ctx.reports.period(start, end, CHAIR)
            _log(f"year: received {report.total.received_total:,}, rows {len(report.rows)}")
            # baseline: a one-day report (the same fixed costs, one day of summary rows)
            day = median(timed(lambda: ctx.reports.period(end, end, CHAIR), 5))
            samples = timed(lambda: ctx.reports.period(start, end, CHAIR), 5)
            year = median(samples)
            year_cpu = median(_cpu_timed(lambda: ctx.reports.period(start, end, CHAIR), 3))
            rows.append(
                Row(
                    "year's report CPU time",
                    year_cpu,
                    None,
                    None,
                    f"<= {YEAR_REPORT_S:.0f} s",
                    year_cpu <= YEAR_REPORT_S,
                    "s",
                )
            )
            rows.append(
                Row(
                    "year's report (365 days, by field)",
                    year,
                    day,
                    year / day,
                    f"<= {YEAR_REPORT_S:.0f} s (base: one day's report)",
                    year <= YEAR_REPORT_S,
                    "s",
                )
            )
            samples = timed(lambda: ctx.reports.period(start, end, CHAIR, "procedure"), 3)
            by_proc = median(samples)
            rows.append(
                Row(
                    "year's report (by procedure)",
                    by_proc,
                    day,
                    by_proc / day,
                    f"<= {YEAR_REPORT_S:.0f} s",
                    by_proc <= YEAR_REPORT_S,
                    "s",
                )
            )
            # one new step, then the report (its catch-up refolds that dossier only)
            code = ctx.backlog.backlog(CHAIR).lists["overdue"][0].code
            ctx.lifecycle.withdraw(code, CLERK, reason="bench")
            t = time.perf_counter()
            ctx.reports.period(start, end, CHAIR)
            after = time.perf_counter() - t
            rows.append(
                Row(
                    "year's report after one new event",
                    after,
                    day,
                    after / day,
                    f"<= {YEAR_REPORT_S:.0f} s",
                    after <= YEAR_REPORT_S,
                    "s",
                )
            )
        finally:
            ctx.close()

        measured = _rss_child(work / "desk")
        rss = measured["peak_rss_mb"]
        _log(f"screen process: peak RSS {rss:.0f} MB, loaded in {measured['load_s']:.1f} s")
        rows.append(
            Row(
                "RSS with the backlog screen open (peak)",
                rss,
                None,
                None,
                f"<= {RSS_MB:.0f} MB",
                rss <= RSS_MB,
                "MB",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows.append(_load_row())
    return rows


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(run())
