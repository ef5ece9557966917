"""Child process of ``bench_chair``: open the backlog screen on a data folder, let it load
its lists and charts, and print its peak resident memory as JSON.

``python bench/chair_screen_rss.py FOLDER`` (with ``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(folder: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from bench.bench_intake import BENCH_NOW
    from desk_app.auth import Officer, Role
    from desk_app.clock import FixedClock
    from desk_app.context import DeskContext
    from ui.backlog import BacklogScreen
    from ui.operations import Operations

    app = QApplication([])
    ctx = DeskContext.open(folder, FixedClock(BENCH_NOW))
    ops = Operations()
    charts: list[object] = []
    ops.changed.connect(lambda *_: None)
    screen = BacklogScreen(
        ctx.backlog, ctx.reports, ctx.profiles, Officer("chutich", "Chủ tịch", Role.CHAIR),
        ctx.clock, ops, lambda _pdf, _title: None,
    )  # fmt: skip
    screen.resize(1366, 768)
    screen.show()
    t = time.perf_counter()
    screen.screen_shown()
    controller = screen.controller
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        app.processEvents()
        if controller.loads >= 1 and not ops.busy:
            break
        time.sleep(0.01)
    load = time.perf_counter() - t
    # a few more refreshes, as the screen does after syncs
    for _ in range(3):
        before = controller.loads
        controller.refresh()
        while controller.loads == before or ops.busy:
            app.processEvents()
            time.sleep(0.01)
    charts.append(screen.flow_chart.series)
    print(
        json.dumps(
            {
                "load_s": load,
                "rss_mb": _status_mb("VmRSS"),
                "peak_rss_mb": _status_mb("VmHWM"),
                "open": controller.current.open_total if controller.current else -1,
            }
        )
    )
    ops.shutdown()
    ctx.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
