#!/usr/bin/env bash
# Build the Linux desk app: a PyInstaller one-folder build, smoke-tested, packed as a
# .tar.gz. Installs what it needs (the app's packages via bootstrap, PyInstaller into
# .venv), builds, runs the frozen program (--version, init, users add, intake --json,
# receipt, the window offscreen), compares its cold start with the development run, and
# prints the frozen executable's path as its last line. Takes a few minutes; it is not
# part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app >&2
.venv/bin/pip install -q 'pyinstaller>=6.10' >&2
out=build/linux
rm -rf "$out/dist"
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$out/dist" --workpath "$out/work" packaging/desk-app.spec >&2
exe=$out/dist/desk-app/desk-app
tar -C "$out/dist" -czf "$out/desk-app-linux-x86_64.tar.gz" desk-app
QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/smoke_frozen.py "$exe" \
  --archive "$out/desk-app-linux-x86_64.tar.gz" >&2
realpath "$exe"
