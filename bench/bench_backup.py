"""Backup metrics on a 1,000,000-dossier database (issue 8).

* **Backup** ``create_backup``: online copy, SHA-256, AES-256-GCM encryption, written
  atomically and then verified (decrypt + integrity check), as ``desk-app backup --out``
  does. Target ≤ 30 s.
* **Verify** ``verify``: decrypt and authenticate every chunk, compare the SHA-256 and
  size with the manifest, check the SQLite header. Target ≤ 10 s. The deep check (plus
  SQLite's integrity check on a decrypted copy, as restore does) is reported beside it.
* **Restore** ``prepare_restore`` + ``apply_restore`` onto a fresh folder, for scale.

Baseline: a plain file copy of the same database in the same run (what the disk gives).
The seeded database is the one ``bench_intake`` caches under ``/tmp/desk-bench-1m/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.bench_intake import BENCH_NOW, seeded_database
from bench.harness import Row, copy_desk_file, encrypted_cache
from desk_app.backup import apply_restore, create_backup, prepare_restore, verify
from desk_app.clock import FixedClock
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext

BACKUP_S = 30.0
VERIFY_S = 10.0
PASSPHRASE = "cụm mật khẩu sao lưu của xã Tân Phú"


def _log(message: str) -> None:
    print(f"[bench backup] {message}", flush=True)


def _timed(fn: object) -> float:
    assert callable(fn)
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run() -> list[Row]:
    source = seeded_database()
    size_mb = source.stat().st_size / 1e6
    _log(f"database {size_mb:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        work = Path(tmp)
        desk = work / "desk"
        desk.mkdir()
        copy_desk_file(encrypted_cache(source), desk / DATABASE_FILE)
        copy_s = _timed(lambda: shutil.copyfile(source, work / "plain-copy.sqlite3"))
        (work / "plain-copy.sqlite3").unlink()
        ctx = DeskContext.open(desk, FixedClock(BENCH_NOW))
        out = work / "desk.deskbak"
        try:
            backup_s = _timed(lambda: create_backup(ctx, out, PASSPHRASE, actor="bench"))
        finally:
            ctx.close()
        _log(f"backup {backup_s:.1f} s, {out.stat().st_size / 1e6:.0f} MB")
        verify_s = _timed(lambda: verify(out, PASSPHRASE))
        deep_s = _timed(lambda: verify(out, PASSPHRASE, work, deep=True))
        _log(f"verify {verify_s:.1f} s (deep {deep_s:.1f} s)")
        fresh = work / "fresh"
        restore_s = _timed(
            lambda: apply_restore(prepare_restore(out, PASSPHRASE, fresh), FixedClock(BENCH_NOW))
        )
        assert (fresh / DATABASE_FILE).stat().st_size > 0
    return [
        Row("backup 1M dossiers (incl. verify) s", backup_s, copy_s, backup_s / copy_s,
            f"≤ {BACKUP_S:.0f} s", backup_s <= BACKUP_S, "s"),
        Row("verify backup 1M s", verify_s, copy_s, verify_s / copy_s,
            f"≤ {VERIFY_S:.0f} s", verify_s <= VERIFY_S, "s"),
        Row("verify --deep (+ integrity_check) 1M s", deep_s, copy_s, deep_s / copy_s,
            "(reported)", True, "s"),
        Row("restore 1M onto a fresh folder s", restore_s, copy_s, restore_s / copy_s,
            "(reported)", True, "s"),
    ]  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    from bench.harness import print_table

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print_table(run())
