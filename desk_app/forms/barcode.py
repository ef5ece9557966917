"""The Code128 barcode of a dossier code, drawn as vector bars with its text underneath.

Vector bars print sharp at any printer resolution, so the hand-over scan never needs
typing; the module width comes from the template and is never shrunk to fit.
"""

from __future__ import annotations

import barcode
from barcode.errors import BarcodeError
from reportlab.lib import colors
from reportlab.platypus import Flowable


def code128_pattern(code: str) -> str:
    """The module pattern of ``code`` as Code128 ("1" = bar, "0" = space), stop bar included."""
    try:
        # A fresh encoder each time: python-barcode keeps charset state inside the object.
        modules: list[str] = barcode.get("code128", code).build()
    except BarcodeError as exc:
        raise ValueError(f"dossier code {code!r} cannot be encoded as Code128: {exc}") from exc
    return "".join(modules)


class Code128Flowable(Flowable):  # type: ignore[misc]
    """A Code128 barcode as filled rectangles, with its human-readable text underneath."""

    def __init__(
        self,
        pattern: str,
        *,
        module: float,
        bar_height: float,
        quiet_modules: int,
        caption: str,
        font_name: str,
        font_size: float,
    ) -> None:
        super().__init__()
        self._pattern = pattern
        self._module = module
        self._bar_height = bar_height
        self._quiet = quiet_modules
        self._caption = caption
        self._font_name = font_name
        self._font_size = font_size
        self._avail_width = 0.0

    @property
    def symbol_width(self) -> float:
        """Bars plus both quiet zones, in points."""
        return (len(self._pattern) + 2 * self._quiet) * self._module

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail_width = avail_width
        return avail_width, self._bar_height + self._font_size * 1.45

    def draw(self) -> None:
        canv = self.canv
        text_band = self._font_size * 1.45
        # Centred on the frame; when wider than the frame the quiet zones may reach into the
        # (blank) page margins, which keeps the module width instead of shrinking the bars.
        x = (self._avail_width - self.symbol_width) / 2 + self._quiet * self._module
        canv.saveState()
        canv.setFillColor(colors.black)
        run_start = -1
        for index, module in enumerate(self._pattern + "0"):
            if module == "1" and run_start < 0:
                run_start = index
            elif module != "1" and run_start >= 0:
                width = (index - run_start) * self._module
                canv.rect(x + run_start * self._module, text_band, width, self._bar_height, 0, 1)
                run_start = -1
        canv.setFont(self._font_name, self._font_size)
        canv.drawCentredString(self._avail_width / 2, self._font_size * 0.35, self._caption)
        canv.restoreState()
