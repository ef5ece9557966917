"""Reading PDFs back with poppler, and writing template variants, for the form tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install poppler-utils (scripts/bootstrap.sh test)")
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdftotext(path: Path, *options: str) -> str:
    return run(poppler("pdftotext"), *options, str(path), "-")


def dump_toml(raw: dict[str, dict[str, Any]]) -> str:
    """Enough TOML for a template: sections of texts, numbers, booleans and lists of texts."""
    lines = []
    for section, table in raw.items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            # A JSON string, boolean or list of strings is also valid TOML.
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            rendered = value if is_number else json.dumps(value)
            lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"
