"""Smoke-test a frozen desk app and measure it against the development run.

    python packaging/smoke_frozen.py FROZEN_EXE [--archive FILE] [--runs N]

Runs the frozen program as an officer would set a desk up (``--version``, ``init``,
``users add``, ``intake --json``, ``receipt``), opens its window offscreen (the start-up
probe reports "shown" and "ready", then quits), and reports installed size, archive size
and cold start against ``python -m desk_app`` from this checkout, run alternately in the
same session. Exits non-zero on the first failed step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "Smoke-test-2026"


def run(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"smoke: {' '.join(cmd[1:3])} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def start_time(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    shown = ready = 0.0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("shown"):
            shown = time.perf_counter() - started
        elif line.startswith("ready"):
            ready = time.perf_counter() - started
    proc.wait(timeout=120)
    if not shown or not ready or proc.returncode != 0:
        sys.exit(f"smoke: the window of {cmd[0]} did not open and report ready")
    return shown, ready


def folder_size(path: Path) -> int:
    """Bytes on disk as ``du`` counts them: each file once, links not followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for p in path.rglob("*"):
        st = p.lstat()
        if p.is_symlink() or not p.is_file() or (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exe", type=Path)
    parser.add_argument("--archive", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = str(args.exe.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DESK_APP_DATA_DIR=str(data),
                   DESK_APP_KEYSTORE="file", DESK_APP_KEY_DIR=str(Path(tmp) / "keys"),
                   DESK_APP_OFFICER="canbo1", DESK_APP_PASSWORD=PASSWORD)  # fmt: skip
        version = run([exe, "--version"], env).strip()
        print(f"frozen: {version}")
        run([exe, "init", "--commune", "Xã Tân Phú", "--province", "Đồng Nai",
             "--agency-code", "000.20.33.H12", "--desk", "1"], env)  # fmt: skip
        # The first account is the administrator's; the officer is added by them.
        admin_env = dict(env, DESK_APP_OFFICER="quantri1")
        run([exe, "users", "add", "quantri1", "--role", "admin"], admin_env, PASSWORD + "\n")
        run([exe, "users", "add", "canbo1", "--role", "officer", "--by", "quantri1"],
            admin_env, PASSWORD + "\n")  # fmt: skip
        procedures = json.loads(run([exe, "procedures", "--json"], env))
        line = {"procedure_code": procedures[0]["code"],
                "applicant": {"name": "Nguyễn Văn An", "cccd": "079301001234",
                              "address": "Ấp 1, xã Tân Phú", "phone": "0912345678"}}  # fmt: skip
        intake = Path(tmp) / "intake.jsonl"
        intake.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
        run([exe, "intake", "--json", str(intake)], env)
        code = json.loads(run([exe, "list", "--json"], env).splitlines()[0])["code"]
        receipt = Path(tmp) / "receipt.pdf"
        run([exe, "receipt", code, "--out", str(receipt)], env)
        text = run(["pdftotext", str(receipt), "-"], env)
        if code not in text.replace("\n", " ") and code[-4:] not in text:
            sys.exit("smoke: the frozen receipt does not carry the dossier code")
        stored = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
        if b"079301001234" in stored or (data / "desk.sqlite3").read_bytes().startswith(
            b"SQLite format 3"
        ):
            sys.exit("smoke: the frozen program stored the database unencrypted")
        print(f"frozen: init, users add, intake, receipt ok ({code}); database encrypted")

        probe = dict(env, DESK_APP_STARTUP_PROBE="1")
        dev = [sys.executable, "-m", "desk_app"]
        start_time([exe], probe)  # warm the file cache for both
        start_time(dev, probe)
        frozen_runs, dev_runs = [], []
        for _ in range(args.runs):
            frozen_runs.append(start_time([exe], probe))
            dev_runs.append(start_time(dev, probe))
    f_shown = statistics.median(r[0] for r in frozen_runs)
    d_shown = statistics.median(r[0] for r in dev_runs)
    f_ready = statistics.median(r[1] for r in frozen_runs)
    d_ready = statistics.median(r[1] for r in dev_runs)
    print(f"frozen: window opens offscreen; cold start to shown {f_shown:.3f} s against "
          f"development {d_shown:.3f} s (ratio {f_shown / d_shown:.2f}, target <= 1.5); "
          f"to ready {f_ready:.3f} s against {d_ready:.3f} s "
          f"(ratio {f_ready / d_ready:.2f})")  # fmt: skip
    installed = folder_size(args.exe.resolve().parent)
    print(f"frozen: installed size {installed / 2**20:.1f} MiB")
    if args.archive is not None:
        print(f"frozen: download (archive) size {args.archive.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
