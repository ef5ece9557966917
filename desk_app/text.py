"""Vietnamese text folding for search: "Đăng ký khai sinh" → "dang ky khai sinh".

Unicode decomposition strips the tone and vowel marks but leaves đ/Đ (a letter of its
own, not d plus a mark), so it is mapped by hand first.
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase, without diacritics and with đ → d; runs of spaces become one."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


_NAME_PART = re.compile(r"([ '\-])")


def normalize_name(text: str) -> str:
    """A person's name as stored: NFC, single spaces, each part capitalised.

    A part typed all in lower or all in upper case is capitalised ("nguyễn" → "Nguyễn",
    "TUYẾT" → "Tuyết"); a part with capitals inside is kept as typed. Parts are split at
    spaces, apostrophes and hyphens, so Ê Đê and other names such as "H'Hen Niê" or
    "Y-Moan" keep their capitals.
    """
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    out = []
    for part in _NAME_PART.split(text):
        if part in (" ", "'", "-") or not part:
            out.append(part)
        elif part.islower() or part.isupper():
            out.append(part[:1].upper() + part[1:].lower())
        else:
            out.append(part[:1].upper() + part[1:])
    return "".join(out)
