"""Lifecycle metric: recording one action on a dossier of a 1,000,000-dossier database.

Each timed call is one ``LifecycleService`` action as an officer takes it (hand-over,
request for a supplement, supplement received, result, return — in that order on each
dossier): the fold of the dossier's events to check the action is allowed, the event,
the projection written back, the audit entry, one transaction with ``synchronous=FULL``.
The same sequence on dossiers of an empty database, alternating with the big one so a
neighbour's load falls on both alike, is the baseline. Target: median ≤ 40 ms at 1M.
(Printing the action's form is the forms package's and is not part of this figure.)

The seeded database is ``bench_intake``'s cached one (``seed-demo``, whole histories).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.bench_intake import OFFICER, _open_copy, _requests, seeded_database
from bench.harness import Row, median, p95
from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock
from desk_app.context import DeskContext

DOSSIERS = 60
MEDIAN_MS = 40.0
ADMIN = Officer("bench.admin", "Võ Minh Quân", Role.ADMIN)
ACTIONS = ("handover", "request-supplement", "supplement-received", "result-ready", "return")


def _log(message: str) -> None:
    print(f"[bench lifecycle] {message}", flush=True)


def _receiver(ctx: DeskContext) -> str:
    units = ctx.directory.list()
    if not units:
        units = [ctx.directory.add("unit", "Công chức Tư pháp - Hộ tịch", ADMIN)]
    return units[0].entry_id


def _details(action: str, receiver: str) -> dict[str, object]:
    if action == "handover":
        return {"to": receiver}
    if action == "request-supplement":
        return {"reason": "Thiếu bản sao giấy tờ", "items": ["Giấy chứng sinh: bản chính"]}
    return {}


def _record(ctx: DeskContext, code: str, action: str, receiver: str) -> float:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(dt.timedelta(seconds=20))
    t = time.perf_counter()
    ctx.lifecycle.perform(code, action, OFFICER, **_details(action, receiver))
    return (time.perf_counter() - t) * 1000


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp:
        work = Path(tmp)
        big = _open_copy(seeded_database(), work / "seeded")
        empty = _open_copy(None, work / "empty")
        try:
            with big.db.read() as s:
                count = s.execute(text("SELECT count(*) FROM dossiers")).scalar_one()
                codes = list(
                    s.execute(
                        text(
                            "SELECT code FROM dossiers WHERE status IN ('received', "
                            "'in_progress') ORDER BY received_at DESC LIMIT :n"
                        ),
                        {"n": DOSSIERS},
                    ).scalars()
                )
            assert len(codes) == DOSSIERS, len(codes)
            _log(f"{count:,} dossiers; recording {len(ACTIONS)} actions on {DOSSIERS} of them")
            empty_codes = [
                empty.intake.receive(r, OFFICER).dossier.code
                for r in _requests(empty, DOSSIERS, seed=3)
            ]
            big_to, empty_to = _receiver(big), _receiver(empty)
            big_ms: list[float] = []
            empty_ms: list[float] = []
            for code, empty_code in zip(codes, empty_codes, strict=True):
                for action in ACTIONS:
                    big_ms.append(_record(big, code, action, big_to))
                    empty_ms.append(_record(empty, empty_code, action, empty_to))
        finally:
            big.close()
            empty.close()
    warm_big, warm_empty = big_ms[len(ACTIONS) :], empty_ms[len(ACTIONS) :]
    value, base = median(warm_big), median(warm_empty)
    _log(f"median {value:.1f} ms (empty {base:.1f} ms), p95 {p95(warm_big):.1f} ms")
    return [
        Row(
            "lifecycle action at 1M, median",
            value,
            base,
            value / base if base else None,
            f"<= {MEDIAN_MS:.0f} ms",
            value <= MEDIAN_MS,
            "ms",
        ),
        Row(
            "lifecycle action at 1M, p95",
            p95(warm_big),
            p95(warm_empty),
            p95(warm_big) / p95(warm_empty) if p95(warm_empty) else None,
            "(reported)",
            True,
            "ms",
        ),
    ]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(run())
