#!/usr/bin/env bash
# Install (when needed) and open the desk app on its embedded default database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app
exec .venv/bin/desk-app "$@"
