"""The benchmark table: each metric is compared with a baseline measured in the same run.

These machines are noisy, so targets are ratios against a baseline run in the same
process (or the same run) wherever the issue allows; absolute targets are quoted too.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    metric: str
    value: float
    baseline: float | None
    ratio: float | None
    target: str
    ok: bool
    unit: str = ""


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``fn``."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return samples


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def print_table(rows: list[Row]) -> None:
    header = f"{'metric':<44} {'value':>12} {'baseline':>12} {'ratio':>8}  {'target':<22} ok"
    print(header)
    print("-" * len(header))
    for r in rows:
        base = "" if r.baseline is None else f"{r.baseline:12.4g}"
        ratio = "" if r.ratio is None else f"{r.ratio:8.2f}"
        print(
            f"{r.metric:<44} {r.value:12.4g} {base:>12} {ratio:>8}  {r.target:<22} "
            f"{'yes' if r.ok else 'NO'}"
        )


def write_json(rows: list[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))


def copy_desk_file(database: Path, target: Path) -> Path:
    """Copy a desk database file to ``target`` with the name of its key (the file is
    encrypted at rest: ``desk_app.db.keys``), so the copy opens as the original does."""
    import shutil

    from desk_app.db.keys import KEY_ID_FILE

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, target)
    key_id = database.parent / KEY_ID_FILE
    if key_id.exists():
        shutil.copyfile(key_id, target.parent / KEY_ID_FILE)
    return target


def connect_desk(database: Path) -> Any:
    """A raw connection to a desk database file, keyed as the app keys it."""
    from desk_app.db import cipher, keys

    return cipher.connect(database, keys.load_key(database.parent))


def encrypted_cache(database: Path) -> Path:
    """``database`` (a cached bench seed), encrypted in place once if it is a plain file
    from before encryption at rest: each copy of it then opens without converting."""
    from desk_app.context import DeskContext
    from desk_app.db import cipher

    if cipher.is_plaintext(database):
        DeskContext.open(database.parent).close()
    return database
