#!/usr/bin/env bash
# Install (when needed) everything the tests need, then run every quality gate and the
# whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE=1
bin=.venv/bin
echo "== ruff";          "$bin/ruff" check .
echo "== ruff format";   "$bin/ruff" format --check .
echo "== mypy";          "$bin/mypy"
echo "== import-linter"; "$bin/lint-imports"
echo "== pytest";        "$bin/pytest" "$@"
