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


def normalize_name(text: str) -> str:
    """A person's name as stored: NFC, single spaces, each word capitalised."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))
