#!/usr/bin/env bash
# Install (when needed) everything the tests need, then run every quality gate and the
# whole test suite. Extra arguments go to pytest, after the defaults (so ``-n 0`` runs serially).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE=1
bin=.venv/bin
echo "== ruff";          "$bin/ruff" check .
echo "== ruff format";   "$bin/ruff" format --check .
echo "== mypy";          "$bin/mypy"
echo "== import-linter"; "$bin/lint-imports"
# Two workers (pytest-xdist); --dist loadfile keeps a module's tests on one worker, so a
# module-scoped fixture (the built wheel, a CLI data folder) is made once. Session fixtures
# (templates, the PostgreSQL cluster) are made once per worker, each in its own folder/port.
echo "== pytest";        "$bin/pytest" -n 2 --dist loadfile "$@"
