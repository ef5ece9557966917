"""Identifiers generated on the desk, offline, that never collide with another desk's.

UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Time order
keeps the B-tree indexes of the event log and the dossiers append-mostly.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid

# Unambiguous characters for a PIN read aloud or typed from paper (no 0/O, 1/I/L).
_PIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def uuid7(unix_ms: int | None = None) -> str:
    ms = time.time_ns() // 1_000_000 if unix_ms is None else unix_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= (rand >> 68 & 0xFFF) << 64  # rand_a
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b
    return str(uuid.UUID(int=value))


def lookup_pin(length: int = 6) -> str:
    """A short random PIN printed on the receipt, for looking a dossier up by phone."""
    return "".join(secrets.choice(_PIN_ALPHABET) for _ in range(length))
