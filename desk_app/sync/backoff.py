"""Exponential back-off with full jitter, for retrying an unreachable server.

Full jitter (a random wait between zero and the exponential cap) keeps the desks of a
commune, all cut off by the same outage, from hammering the server in lock-step when it
returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base_s: float = 2.0
    cap_s: float = 300.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        """The wait before the next try, after one more failure."""
        self.failures += 1
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures, 30))
        return self.rng.uniform(self.base_s / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0
