"""The few visual constants the screens share (colours of messages, heading sizes)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

# Dark enough to read on white for officers with weak eyes (contrast ≥ 4.5:1).
ERROR_COLOR = "#b3261e"
WARNING_COLOR = "#8a5a00"
SUCCESS_COLOR = "#1b6e20"

BANNER_STYLES = {
    "error": f"QLabel {{ background: #fdecea; color: {ERROR_COLOR}; padding: 6px 10px;"
    " border: 1px solid #f1b0aa; border-radius: 4px; }",
    "info": f"QLabel {{ background: #e8f5e9; color: {SUCCESS_COLOR}; padding: 6px 10px;"
    " border: 1px solid #a5d6a7; border-radius: 4px; }",
    "warning": f"QLabel {{ background: #fff4e0; color: {WARNING_COLOR}; padding: 6px 10px;"
    " border: 1px solid #f0c987; border-radius: 4px; }",
}


def heading_font(base: QFont, extra_points: int = 2, bold: bool = True) -> QFont:
    """``base`` made larger (and bold) for a section title."""
    font = QFont(base)
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size + extra_points)
    font.setBold(bold)
    return font


def set_text_color(widget: QWidget, color: str | None = None) -> None:
    """Colour ``widget``'s text (None: the muted placeholder colour of the palette).

    Through the palette, not a style sheet: a style sheet stops font propagation, and
    the message would come out smaller than the form around it.
    """
    palette = widget.palette()
    value = QColor(color) if color else palette.color(QPalette.ColorRole.PlaceholderText)
    palette.setColor(QPalette.ColorRole.WindowText, value)
    widget.setPalette(palette)
