"""``python -m bench [--json FILE] [--only NAME ...]``: run the benchmarks, print the table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench.harness import Row, print_table, write_json


def _suites() -> dict[str, Callable[[], list[Row]]]:
    from bench import bench_foundation

    suites: dict[str, Callable[[], list[Row]]] = {
        "foundation": lambda: [*bench_foundation.cold_start(), bench_foundation.due_date_rate()],
    }
    try:
        from bench import bench_intake

        suites["intake"] = bench_intake.run
    except ImportError:
        pass
    try:
        from bench import bench_lifecycle

        suites["lifecycle"] = bench_lifecycle.run
    except ImportError:
        pass
    try:
        from bench import bench_backup

        suites["backup"] = bench_backup.run
    except ImportError:
        pass
    try:
        from bench import bench_search

        suites["search"] = bench_search.run
    except ImportError:
        pass
    try:
        from bench import bench_chair

        suites["chair"] = bench_chair.run
    except ImportError:
        pass
    try:
        from bench import bench_sync

        suites["sync"] = bench_sync.run
    except ImportError:
        pass
    try:
        from bench import bench_lifecycle_forms

        suites["lifecycle_forms"] = bench_lifecycle_forms.run
    except ImportError:
        pass
    return suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--only", nargs="*", help="suites to run (default: all)")
    args = parser.parse_args(argv)
    suites = _suites()
    unknown = set(args.only or []) - set(suites)
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}; known: {', '.join(suites)}")
    rows: list[Row] = []
    for name, suite in suites.items():
        if args.only and name not in args.only:
            continue
        rows.extend(suite())
    print_table(rows)
    if args.json:
        write_json(rows, args.json)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
