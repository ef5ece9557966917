"""Enrolment codes and bearer tokens: making them, reading them back, hashing them.

An enrolment code is read over the phone and typed by a person, so it uses Crockford's
base 32 alphabet (no I, L, O or U) in four groups of four: 16 symbols of 5 bits are 80
bits of entropy. When a code is typed back, case, dashes and spaces do not matter and the
look-alike letters O, I and L are read as 0, 1 and 1.

Both secrets are random with high entropy, so a plain SHA-256 is enough to store them: a
slow password hash would only protect guessable secrets.
"""

from __future__ import annotations

import hashlib
import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
CODE_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH
TOKEN_PREFIX = "dst_"
TOKEN_BYTES = 32

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_enrollment_code() -> str:
    """A fresh code for display, e.g. ``7K2M-QX9R-...``."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    groups = [symbols[i : i + CODE_GROUP_LENGTH] for i in range(0, CODE_LENGTH, CODE_GROUP_LENGTH)]
    return "-".join(groups)


def normalize_enrollment_code(typed: str) -> str | None:
    """The code's canonical form (16 symbols, no dashes), or ``None`` if it cannot be one."""
    compact = "".join(typed.split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(compact) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in compact):
        return None
    return compact


def new_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe text)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_secret(secret: str) -> str:
    """The hex SHA-256 under which a code (in canonical form) or a token is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
