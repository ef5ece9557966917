"""Recording a lifecycle step with its printed form, on a database of a million demo
dossiers (``seed-demo``: whole histories of hand-overs, supplements, extensions, results).
Run: ``python -m bench --only lifecycle_forms``.

What the dossier view does on the database thread when an officer records a step:
``LifecycleService`` records the event (validation, fold, projection row, outbox, one
transaction) and ``DossierFormsService.form_pdf`` builds the form from the stored row and
the timeline and audits the print — since the step and its print commit together
(``DossierFormsService.record_step``), in one transaction, one fsync. Two steps are timed
on each of ``STEPS`` freshly received dossiers: an extension with Form 04, then a request
to complete with Form 02. The baseline, in the same run on other dossiers of the same
database, is the path as it was before: the step committed, then the form read afresh,
rendered and its print audited in a second commit. The one-transaction path on an empty
database is reported beside them, and the CPU time (``time.thread_time``) beside the wall
time, since these machines are shared. Target: median ≤ 40 ms.

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

from bench.bench_intake import (
    _FAMILY,
    _GIVEN,
    PROFILE,
    SEED_NOW,
    _checkpoint,
    _open_copy,
    seeded_override,
)
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
    that share a head number may differ), seeded on first use; ``$BENCH_SEEDED_DB``
    names another file to use instead (``bench.bench_intake.SEEDED_OVERRIDE``)."""
    override = seeded_override()
    if override is not None and count == 1_000_000:
        return override
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


#: the two steps timed, each with its form: (action, form, details)
STEPS_TIMED: dict[str, tuple[str, str, dict[str, object]]] = {
    "extend + Form 04": (
        "extend", "04", {"new_due": NEW_DUE, "reason": "Chờ xác minh nơi cư trú"}
    ),
    "request-supplement + Form 02": (
        "request-supplement", "02",
        {"reason": "Thiếu giấy tờ", "items": ["Giấy chứng sinh:bản chính"]},
    ),
}  # fmt: skip


def _one_transaction(ctx: DeskContext, code: str, step: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of the step with its form as the dossier view records it now:
    ``DossierFormsService.record_step``, the step and the print's audit in one commit."""
    action, form, details = STEPS_TIMED[step]
    t, c = time.perf_counter(), time.thread_time()
    printed = ctx.forms.record_step(code, action, OFFICER, form=form, **details)
    wall, cpu = (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000
    assert printed.pdf is not None and printed.pdf.startswith(b"%PDF"), printed.error
    return wall, cpu


def _two_commits(ctx: DeskContext, code: str, step: str) -> tuple[float, float]:
    """The same as the view recorded it before: the step (one commit), then the form
    read and rendered afresh and its print audited (a second commit)."""
    action, form, details = STEPS_TIMED[step]
    t, c = time.perf_counter(), time.thread_time()
    ctx.lifecycle.perform(code, action, OFFICER, **details)
    pdf = ctx.forms.form_pdf(code, form, OFFICER)
    wall, cpu = (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000
    assert pdf.startswith(b"%PDF")
    return wall, cpu


def step_rows(work: Path, count: int = DOSSIERS) -> list[Row]:
    big = _open_copy(seeded_database(count), work / "seeded")
    empty = _open_copy(None, work / "empty")
    # per step: one transaction (wall, CPU), two commits (wall, CPU), empty db (wall)
    samples: dict[str, list[list[float]]] = {name: [[], [], [], [], []] for name in STEPS_TIMED}
    try:
        for i in range(WARMUP + STEPS):
            # Alternating paths and databases, so that a neighbour's load falls on all alike.
            one, two, base = _receive(big, 2 * i), _receive(big, 2 * i + 1), _receive(empty, i)
            for name, lists in samples.items():
                got = (
                    *_one_transaction(big, one, name),
                    *_two_commits(big, two, name),
                    _one_transaction(empty, base, name)[0],
                )
                if i >= WARMUP:
                    for into, value in zip(lists, got, strict=True):
                        into.append(value)
    finally:
        big.close()
        empty.close()
    rows = []
    size = f"{count // 1000}k" if count < 1_000_000 else f"{count // 1_000_000}M"
    for name, (wall, cpu, old_wall, old_cpu, empty_wall) in samples.items():
        rows += [
            Row(f"{name}, {size} dossiers, median", median(wall), median(old_wall),
                median(wall) / median(old_wall),
                f"<= {MEDIAN_MS:g} ms (base: 2 commits)", median(wall) <= MEDIAN_MS, "ms"),
            Row(f"{name}, {size} dossiers, p95", p95(wall), p95(old_wall),
                p95(wall) / p95(old_wall), "(for the record)", True, "ms"),
            Row("  CPU time, median", median(cpu), median(old_cpu), median(cpu) / median(old_cpu),
                "(info: without waiting)", True, "ms"),
            Row("  the same on an empty database, median", median(empty_wall), None, None,
                "(info)", True, "ms"),
        ]  # fmt: skip
    return rows


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp:
        return step_rows(Path(tmp))


if __name__ == "__main__":  # pragma: no cover
    from bench.harness import print_table

    print_table(run())
