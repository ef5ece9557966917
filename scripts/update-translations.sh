#!/usr/bin/env bash
# Refresh the translation sources from the tr() strings of the UI (Vietnamese is the
# source language), then compile any translated .ts into the .qm files the app loads.
set -euo pipefail
cd "$(dirname "$0")/.."
for ts in resources/translations/desk_app_*.ts; do
  .venv/bin/pyside6-lupdate ui/*.py -source-language vi_VN -ts "$ts"
  .venv/bin/pyside6-lrelease "$ts" -qm "${ts%.ts}.qm"
done
# Qt's own strings (dialogs, context menus): Qt ships no Vietnamese, so the desk keeps
# its own catalogue of the ones it shows, edited by hand in qt_vi.ts.
.venv/bin/pyside6-lrelease resources/translations/qt_vi.ts -qm resources/translations/qt_vi.qm
