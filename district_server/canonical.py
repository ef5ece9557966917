"""One fixed JSON text for a JSON value, so that equal values hash equally."""

from __future__ import annotations

import json
from typing import Any

# What ``json.dumps`` with these arguments builds on every call, built once: every
# pushed payload goes through it. The encoder keeps no state between calls.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, ASCII only; NaN and Infinity are refused (``ValueError``)."""
    return _ENCODER.encode(value)
