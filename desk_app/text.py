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


# Characters no field of a dossier, a profile or an account may hold: C0 controls and
# DEL, C1 controls (U+0080–U+009F, invisible and read as different characters by other
# encodings) and the bidirectional controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI,
# LRM, RLM, ALM), which make a stored name or address display as something else than it
# is (the "right-to-left override" trick). Tab and line breaks are allowed where a field
# is multi-line (notes).
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_FORBIDDEN_SINGLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_FORBIDDEN_MULTI = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")

UNSAFE_TEXT_MESSAGE = (
    "Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không in được; hãy nhập lại."
)


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` must not hold (see above), or ``None``.

    ``multiline`` allows tab, line feed and carriage return (free-text notes).
    """
    found = (_FORBIDDEN_MULTI if multiline else _FORBIDDEN_SINGLE).search(text)
    return found.group() if found else None


def is_safe_text(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds no control or bidirectional-control character."""
    return unsafe_character(text, multiline=multiline) is None
