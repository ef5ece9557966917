"""Backup metrics on a 1,000,000-dossier database (issue 8).

* **Backup** ``create_backup``: the database file's encrypted pages copied as they are
  while a read transaction pins them, sealed in AES-256-GCM chunks, written atomically
  and then verified, as ``desk-app backup --out`` does. Target ≤ 30 s. Meanwhile a
  second context of the same desk in the same process (the window, whose daily backup
  runs on a thread of its own) saves an intake with its receipt every ``SAVE_EVERY_S``,
  far busier than a desk: their times are reported, to show the backup holds writers
  only for a moment. Saves back to back would measure the interpreter's lock instead
  (the backup's thread waits for it after every chunk it writes).
* **Verify** ``verify``: decrypt and authenticate every chunk in order, compare the size
  with the manifest. Target ≤ 10 s. The deep check (plus every page's SQLCipher HMAC and
  SQLite's integrity check on a copy, as restore does) is reported beside it.
* **Restore** ``prepare_restore`` + ``apply_restore`` onto a fresh key folder, for scale.

Baseline: a plain file copy of the same (encrypted) database file in the same run (what
the disk gives). Wall and CPU seconds of this process are both reported. The seeded
database is the one ``bench_intake`` caches (``DESK_BENCH_1M_DIR`` names a private copy).
At most three copies of the database exist at once on disk (cache, desk, backup).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_intake import BENCH_NOW, WARMUP, _requests, _save, seeded_database
from bench.harness import Row, copy_desk_file, encrypted_cache, median, p95
from desk_app.backup import apply_restore, create_backup, prepare_restore, verify
from desk_app.clock import FixedClock
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext

BACKUP_S = 30.0
VERIFY_S = 10.0
PASSPHRASE = "cụm mật khẩu sao lưu của xã Tân Phú"
SAVE_EVERY_S = 0.5


def _log(message: str) -> None:
    print(f"[bench backup] {message}", flush=True)


def _timed(fn: object) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn()``."""
    assert callable(fn)
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run() -> list[Row]:
    source = encrypted_cache(seeded_database())
    size_mb = source.stat().st_size / 1e6
    _log(f"database {size_mb:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        work = Path(tmp)
        desk = work / "desk"
        desk.mkdir()
        copy_desk_file(source, desk / DATABASE_FILE)
        # Flushed now: left dirty, its write-back would be charged to what is timed next.
        fd = os.open(desk / DATABASE_FILE, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        copy_s, copy_cpu = _timed(lambda: shutil.copyfile(source, work / "plain-copy.sqlite3"))
        (work / "plain-copy.sqlite3").unlink()
        _log(f"baseline file copy {copy_s:.1f} s (cpu {copy_cpu:.1f} s)")
        ctx = DeskContext.open(desk, FixedClock(BENCH_NOW))
        clerk = DeskContext.open(desk, FixedClock(BENCH_NOW))  # the window, saving meanwhile
        out = work / "desk.deskbak"
        saves_ms: list[float] = []
        try:
            requests = _requests(clerk, WARMUP + 400, seed=7)  # more than a backup's length
            for request in requests[:WARMUP]:  # the first saves load fonts, caches: not counted
                _save(clerk, request)
            stop = threading.Event()

            def keep_saving() -> None:
                for request in requests[WARMUP:]:
                    if stop.wait(SAVE_EVERY_S):
                        return
                    saves_ms.append(_save(clerk, request)[0])

            writer = threading.Thread(target=keep_saving)
            writer.start()
            try:
                backup_s, backup_cpu = _timed(
                    lambda: create_backup(ctx, out, PASSPHRASE, actor="bench")
                )
            finally:
                stop.set()
                writer.join()
        finally:
            clerk.close()
            ctx.close()
        saves_median = median(saves_ms) if saves_ms else 0.0
        saves_p95 = p95(saves_ms) if saves_ms else 0.0
        _log(
            f"{len(saves_ms)} intake saves during the backup: median {saves_median:.0f} ms, "
            f"p95 {saves_p95:.0f} ms, max {max(saves_ms, default=0):.0f} ms"
        )
        _log(f"backup {backup_s:.1f} s (cpu {backup_cpu:.1f} s), {out.stat().st_size / 1e6:.0f} MB")
        shutil.rmtree(desk)  # room on the disk for the deep check's and restore's copies
        verify_s, verify_cpu = _timed(lambda: verify(out, PASSPHRASE))
        _log(f"verify {verify_s:.1f} s (cpu {verify_cpu:.1f} s)")
        deep_s, deep_cpu = _timed(lambda: verify(out, PASSPHRASE, work, deep=True))
        _log(f"verify --deep {deep_s:.1f} s (cpu {deep_cpu:.1f} s)")
        fresh = work / "fresh"
        restore_s, restore_cpu = _timed(
            lambda: apply_restore(prepare_restore(out, PASSPHRASE, fresh), FixedClock(BENCH_NOW))
        )
        _log(f"restore {restore_s:.1f} s (cpu {restore_cpu:.1f} s)")
        assert (fresh / DATABASE_FILE).stat().st_size > 0
    return [
        Row("plain file copy of the database (baseline) s", copy_s, None, None,
            f"cpu {copy_cpu:.1f} s", True, "s"),
        Row("backup 1M dossiers (incl. verify) s", backup_s, copy_s, backup_s / copy_s,
            f"≤ {BACKUP_S:.0f} s; cpu {backup_cpu:.1f} s", backup_s <= BACKUP_S, "s"),
        Row("intake save while the backup runs p95 ms", saves_p95, None, None,
            f"{len(saves_ms)} saves, median {saves_median:.0f} ms (reported)",
            True, "ms"),
        Row("verify backup 1M s", verify_s, copy_s, verify_s / copy_s,
            f"≤ {VERIFY_S:.0f} s; cpu {verify_cpu:.1f} s", verify_s <= VERIFY_S, "s"),
        Row("verify --deep (+ page HMACs, integrity_check) 1M s", deep_s, copy_s,
            deep_s / copy_s, f"(reported); cpu {deep_cpu:.1f} s", True, "s"),
        Row("restore 1M onto a fresh folder s", restore_s, copy_s, restore_s / copy_s,
            f"(reported); cpu {restore_cpu:.1f} s", True, "s"),
    ]  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    from bench.harness import print_table

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print_table(run())
