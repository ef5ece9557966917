"""Recording a lifecycle step with its printed form, on a database of a million demo
dossiers (``seed-demo``: whole histories of hand-overs, supplements, extensions, results).
Run: ``python -m bench --only lifecycle_forms``.

What the dossier view does on the database thread when an officer records a step:
``LifecycleService`` records the event (validation, fold, projection row, outbox, one
transaction) and ``DossierFormsService.form_pdf`` builds the form from the stored row and
the timeline and audits the print. Two steps are timed on each of ``STEPS`` freshly
received dossiers: an extension with Form 04, then a request to complete with Form 02.
The same on an empty database in the same run is the baseline (steps alternate between
the two so that a neighbour's load falls on both alike). Target: median ≤ 40 ms.

``python -m bench --only lifecycle``; ``BENCH_LIFECYCLE_DOSSIERS=100000`` seeds fewer
(the seeded file is cached under ``/tmp/desk-bench-lifecycle/``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.bench_intake import _FAMILY, _GIVEN, PROFILE, SEED_NOW, _checkpoint, _open_copy
from bench.harness import Row, median, p95
from desk_app.auth import Officer, Role
from desk_app.clock import FixedClock, utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.migrate import KNOWN_REVISIONS
from desk_app.intake import ApplicantInput, IntakeRequest

DOSSIERS = int(os.environ.get("BENCH_LIFECYCLE_DOSSIERS", "1000000"))
CACHE_ROOT = Path("/tmp/desk-bench-lifecycle")
STEPS = 60
WARMUP = 5
MEDIAN_MS = 40.0
OFFICER = Officer("bench.nt", "Nguyễn Thị Lan", Role.OFFICER)
# 3 working days; received Monday 23/11 (24/11 is a holiday): due Friday 27/11.
PROCEDURE = "1.004873"
NEW_DUE = dt.date(2026, 12, 4)


def _log(message: str) -> None:
    print(f"[bench lifecycle] {message}", flush=True)


def seeded_database(count: int = DOSSIERS) -> Path:
    """The cached seeded database file (keyed by every schema revision, since branches
    that share a head number may differ), seeded on first use."""
    folder = CACHE_ROOT / f"{count}-{'-'.join(KNOWN_REVISIONS[8:]) or 'base'}"
    if (folder / "complete").exists():
        return folder / DATABASE_FILE
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE_ROOT))
    _log(f"seeding {count:,} demo dossiers into {building} (once; then cached)")
    t = time.perf_counter()
    ctx = DeskContext.open(building, FixedClock(SEED_NOW))
    try:
        ctx.profiles.save(PROFILE, utc_naive(ctx.clock))
        from desk_app.demo import seed_demo

        seed_demo(ctx, count, seed=2026)
    finally:
        ctx.close()
    _checkpoint(building / DATABASE_FILE)
    _log(f"seeded in {time.perf_counter() - t:.0f} s")
    (building / "complete").write_text(f"{count}\n")
    try:
        building.rename(folder)
    except OSError:  # another run finished first: use its copy
        shutil.rmtree(building, ignore_errors=True)
    return folder / DATABASE_FILE


def _receive(ctx: DeskContext, i: int) -> str:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(dt.timedelta(seconds=20))
    request = IntakeRequest(
        procedure_code=PROCEDURE,
        applicant=ApplicantInput(
            name=f"{_FAMILY[i % 10]} Văn {_GIVEN[i // 10 % 10]}",
            cccd=f"0750{90 + i % 10}{i:06d}",
            address="Ấp Bình Thạnh",
        ),
    )
    return ctx.intake.receive(request, OFFICER).dossier.code


def _extend(ctx: DeskContext, code: str) -> tuple[float, float]:
    """(whole step with its form, the form alone) in ms."""
    t = time.perf_counter()
    ctx.lifecycle.extend(code, OFFICER, new_due=NEW_DUE, reason="Chờ xác minh nơi cư trú")
    f = time.perf_counter()
    pdf = ctx.forms.form_pdf(code, "04", OFFICER)
    end = time.perf_counter()
    assert pdf.startswith(b"%PDF")
    return (end - t) * 1000, (end - f) * 1000


def _supplement(ctx: DeskContext, code: str) -> tuple[float, float]:
    t = time.perf_counter()
    ctx.lifecycle.request_supplement(
        code, OFFICER, reason="Thiếu giấy tờ", items=["Giấy chứng sinh:bản chính"]
    )
    f = time.perf_counter()
    pdf = ctx.forms.form_pdf(code, "02", OFFICER)
    end = time.perf_counter()
    assert pdf.startswith(b"%PDF")
    return (end - t) * 1000, (end - f) * 1000


def step_rows(work: Path, count: int = DOSSIERS) -> list[Row]:
    big = _open_copy(seeded_database(count), work / "seeded")
    empty = _open_copy(None, work / "empty")
    samples: dict[str, tuple[list[float], list[float], list[float]]] = {
        "extend + Form 04": ([], [], []),
        "request-supplement + Form 02": ([], [], []),
    }
    try:
        for i in range(WARMUP + STEPS):
            codes = (_receive(big, i), _receive(empty, i))
            for (big_ms, empty_ms, form_ms), step in zip(
                samples.values(), (_extend, _supplement), strict=True
            ):
                (b, form), (e, _) = step(big, codes[0]), step(empty, codes[1])
                if i >= WARMUP:
                    big_ms.append(b)
                    empty_ms.append(e)
                    form_ms.append(form)
    finally:
        big.close()
        empty.close()
    rows = []
    size = f"{count // 1000}k" if count < 1_000_000 else f"{count // 1_000_000}M"
    for name, (big_ms, empty_ms, form_ms) in samples.items():
        for label, stat in (("median", median), ("p95", p95)):
            value, base = stat(big_ms), stat(empty_ms)
            is_target = label == "median"
            rows.append(
                Row(
                    f"{name}, {size} dossiers, {label}",
                    value,
                    base,
                    value / base,
                    f"<= {MEDIAN_MS:g} ms (base: empty db)" if is_target else "(for the record)",
                    value <= MEDIAN_MS if is_target else True,
                    "ms",
                )
            )
        form = median(form_ms)
        rows.append(
            Row(
                "  of which the form (build, render, audit), median",
                form,
                median(big_ms),
                form / median(big_ms),
                "(for the record)",
                True,
                "ms",
            )
        )
    return rows


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp:
        return step_rows(Path(tmp))


if __name__ == "__main__":  # pragma: no cover
    from bench.harness import print_table

    print_table(run())
