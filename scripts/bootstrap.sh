#!/usr/bin/env bash
# Installs what the desk app needs on a Debian machine: system packages (when run as
# root and something is missing), a virtual environment in .venv, and the Python
# packages of pyproject.toml. Safe to run again: it only installs what is missing.
#   bootstrap.sh app    what the application needs to open a window
#   bootstrap.sh test   that plus the test tools (PDF tools, PostgreSQL, Xvfb)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-app}

app_pkgs=(libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0
          libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
          libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libnss3 libxrandr2
          libxcomposite1 libxdamage1 libxtst6 libxi6 libasound2 libcups2 fonts-dejavu-core)
test_pkgs=(poppler-utils postgresql xvfb)

need=()
want=("${app_pkgs[@]}")
[ "$mode" = test ] && want+=("${test_pkgs[@]}")
if command -v dpkg >/dev/null; then
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
fi
py=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    py=$(command -v "$cand"); break
  fi
done
if [ -z "$py" ]; then need+=(python3 python3-venv); py=python3
elif ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then need+=(python3-venv); fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing Debian packages: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages (run as root to install): ${need[*]}" >&2
  fi
fi

stamp=.venv/.installed-$mode
digest=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -x .venv/bin/python ]; then "$py" -m venv .venv; fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  if [ "$mode" = test ]; then .venv/bin/pip install -q -e '.[dev]'; else .venv/bin/pip install -q -e .; fi
  echo "$digest" > "$stamp"
fi
