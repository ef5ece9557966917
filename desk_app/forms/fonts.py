"""The shipped Noto Serif family, registered with ReportLab once per process.

ReportLab's built-in fonts (Helvetica, Times) and its bundled Vera have no Vietnamese
glyphs, so every printed form uses this family, embedded (as a subset) in the PDF.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desk_app.paths import resource_path


@dataclass(frozen=True)
class FontFamily:
    """ReportLab names of the four faces of one registered family."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


SERIF = FontFamily(
    regular="NotoSerif",
    bold="NotoSerif-Bold",
    italic="NotoSerif-Italic",
    bold_italic="NotoSerif-BoldItalic",
)

_FILES = {
    SERIF.regular: "NotoSerif-Regular.ttf",
    SERIF.bold: "NotoSerif-Bold.ttf",
    SERIF.italic: "NotoSerif-Italic.ttf",
    SERIF.bold_italic: "NotoSerif-BoldItalic.ttf",
}

_lock = threading.Lock()
_done = threading.Event()


def register_fonts() -> FontFamily:
    """Register the Noto Serif faces and their bold/italic mapping; later calls are free.

    Raises ``FileNotFoundError`` naming the file when a font is missing from ``resources/``.
    """
    if _done.is_set():
        return SERIF
    with _lock:
        if _done.is_set():
            return SERIF
        for name, file_name in _FILES.items():
            path = resource_path("fonts", file_name)
            if not path.is_file():
                raise FileNotFoundError(f"font file missing: {path}")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # The mapping lets <b> and <i> in paragraphs pick the right embedded face instead of
        # falling back to a standard (non-Vietnamese) font.
        pdfmetrics.registerFontFamily(
            SERIF.regular,
            normal=SERIF.regular,
            bold=SERIF.bold,
            italic=SERIF.italic,
            boldItalic=SERIF.bold_italic,
        )
        _done.set()
    return SERIF
