"""Foundation metrics: GUI cold start and due-date throughput."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Row, median
from desk_app.calendar import Duration, WorkingCalendar

_BARE_WINDOW = """
import sys, time
t = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1200, 760); w.show()
def done():
    print("shown", flush=True)
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, done)
app.exec()
"""


def _spawn_app(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from process start to the window shown, and to the window ready."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    shown = ready = 0.0
    for line in proc.stdout:
        if line.startswith("shown"):
            shown = time.perf_counter() - t
        elif line.startswith("ready"):
            ready = time.perf_counter() - t
    proc.wait(timeout=120)
    if not shown or not ready:
        raise RuntimeError("the app did not report its start-up")
    return shown, ready


def cold_start(runs: int = 7) -> list[Row]:
    """Process start to main window shown, against a bare PySide6 window shown and quit.

    "ready" (database open, services attached) is reported beside it, for the record.
    """
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["DESK_APP_STARTUP_PROBE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        app_cmd = [sys.executable, "-m", "desk_app", "--data-dir", str(data)]
        subprocess.run(
            [sys.executable, "-m", "desk_app", "--data-dir", str(data), "init", "--commune",
             "Xã Tân Phú", "--province", "Đồng Nai", "--agency-code", "000.20.33.H12",
             "--desk", "1"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _spawn_app(app_cmd, env)  # warm the OS file cache for both
        _spawn_app([sys.executable, "-c", _BARE_WINDOW], env)
        shown, ready, bare = [], [], []
        for _ in range(runs):
            s, r = _spawn_app(app_cmd, env)
            shown.append(s)
            ready.append(r)
            bare.append(_spawn_app([sys.executable, "-c", _BARE_WINDOW], env)[0])
    baseline = median(bare)
    value = median(shown)
    ready_value = median(ready)
    return [
        Row("GUI cold start to main window shown (s)", value, baseline, value / baseline,
            "ratio <= 2.0", value / baseline <= 2.0, "s"),
        Row("GUI cold start to database open, ready (s)", ready_value, baseline,
            ready_value / baseline, "(for the record)", True, "s"),
    ]  # fmt: skip


def due_date_rate(n: int = 200_000) -> Row:
    """Due-date computations per second with the desk's calendar (mixed durations)."""
    calendar = WorkingCalendar()
    durations = [Duration("working_days", 3), Duration("same_day"), Duration("working_days", 15),
                 Duration("working_hours", 8), Duration("calendar_days", 30)]  # fmt: skip
    start = dt.datetime(2026, 1, 2, 7, 0)
    moments = [start + dt.timedelta(minutes=37 * i) for i in range(5000)]
    calendar.due_at(start, durations[0])  # build the year tables outside the timing
    t = time.perf_counter()
    for i in range(n):
        calendar.due_at(moments[i % 5000], durations[i % 5])
    rate = n / (time.perf_counter() - t)
    return Row(
        "due-date computations per second", rate, None, None, ">= 50000", rate >= 50_000, "/s"
    )
