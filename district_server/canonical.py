"""One fixed JSON text for a JSON value, so that equal values hash equally."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, ASCII only; NaN and Infinity are refused (``ValueError``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
