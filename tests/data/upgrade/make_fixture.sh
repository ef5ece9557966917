#!/usr/bin/env bash
# Make one upgrade fixture: a desk database written by the desk app as released at a past
# commit, with accounts, a calendar override, dossiers and a stored receipt in it, and the
# old program's own `list --json` / `show --json` of them (what the upgrade must keep).
#
#   bash tests/data/upgrade/make_fixture.sh COMMIT REVISION
#
# Runs the old code from a detached worktree of COMMIT with this checkout's .venv (the
# dependencies have only been added to since). Output: tests/data/upgrade/REVISION/.
set -euo pipefail
commit=$1 rev=$2
root=$(cd "$(dirname "$0")/../../.." && pwd)
py=${PY:-$root/.venv/bin/python}
out=$root/tests/data/upgrade/$rev
src=$(mktemp -d) data=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$src"; rm -rf "$data"' EXIT
git -C "$root" worktree add -q --detach "$src" "$commit"
export PYTHONPATH=$src DESK_APP_DATA_DIR=$data QT_QPA_PLATFORM=offscreen
desk() { (cd "$src" && "$py" -m desk_app "$@"); }
desk init --commune "Xã Minh Hòa" --province "Tỉnh Tây Ninh" --agency-code 000.20.33.H12 --desk 2
printf 'Quan-tri-2026\n' | desk users add quantri1 --role admin
printf 'Can-bo-2026\n' | desk users add canbo1 --role officer
export DESK_APP_OFFICER=canbo1 DESK_APP_PASSWORD=Can-bo-2026
desk holidays add-day-off 2026-12-31 --reason "Nghỉ bù theo quyết định của tỉnh" 2>/dev/null \
  || desk holidays add-day-off 2026-12-31 --reason "Nghỉ bù theo quyết định của tỉnh" --actor quantri1
codes=$(desk procedures --json | "$py" -c 'import json,sys; print(" ".join(p["code"] for p in json.load(sys.stdin)[:3]))')
set -- $codes
{
  printf '{"procedure_code": "%s", "received_at": "2026-11-16T08:05:00", "applicant": {"name": "Trần Thị Hồng Nhung", "cccd": "079301001234", "date_of_birth": "2001-05-02", "phone": "0912345678", "address": "Ấp 3, xã Minh Hòa"}}\n' "$1"
  printf '{"procedure_code": "%s", "received_at": "2026-11-17T15:40:00", "applicant": {"name": "Lê Văn Tám", "cccd": "075090001122", "address": "Tổ 5, ấp Đông"}}\n' "$2"
  printf '{"procedure_code": "%s", "received_at": "2026-11-20T10:15:00", "applicant": {"name": "Đặng Thị Đào", "cccd": "072185004455", "phone": "0987654321", "address": "Số 12, đường Lý Thường Kiệt"}}\n' "$3"
} > "$data/intake.jsonl"
desk intake --json "$data/intake.jsonl" > "$data/intake.out"
first=$(desk list --json | "$py" -c 'import json,sys; print(json.loads(sys.stdin.readline())["code"])')
desk receipt "$first" --out "$data/receipt.pdf"
rm -rf "$out" && mkdir -p "$out"
desk list --json > "$out/list.jsonl"
"$py" - "$out/list.jsonl" "$out/show.jsonl" "$src" <<'PY'
import json, subprocess, sys
codes = [json.loads(line)["code"] for line in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for c in codes:
        f.write(subprocess.run([sys.executable, "-m", "desk_app", "show", c, "--json"],
                               check=True, capture_output=True, text=True, cwd=sys.argv[3]).stdout.strip() + "\n")
PY
"$py" - "$data" "$out" "$rev" <<'PY'
import sqlite3, sys
data, out, rev = sys.argv[1:]
src = sqlite3.connect(f"{data}/desk.sqlite3")
got = src.execute("SELECT version_num FROM alembic_version").fetchone()[0]
assert got == rev, (got, rev)
dst = sqlite3.connect(f"{out}/desk.sqlite3")
src.backup(dst)  # one file, no WAL beside it
dst.execute("PRAGMA journal_mode=DELETE")
dst.execute("VACUUM")
dst.close()
PY
echo "$commit" > "$out/COMMIT"
ls -la "$out"
