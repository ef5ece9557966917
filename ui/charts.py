"""Charts drawn with QPainter: grouped bars and a line, nothing else needed.

Each series has a fill pattern as well as a shade (solid, hatched, dotted), and a legend
names them, so a chart reads the same on a grey print or for someone who cannot tell the
colours apart. The widgets hold plain numbers: the screen gives them what a service
computed on the database thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    color: QColor
    pattern: Qt.BrushStyle = Qt.BrushStyle.SolidPattern


def nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return float(step * exp)
    return float(10 * exp)


class _Chart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.labels: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.setMinimumSize(280, 190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(460, 250)

    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        self.labels = tuple(labels)
        self.series = tuple(series)
        self.update()

    def _frame(self, painter: QPainter) -> QRectF:
        """Title and legend; returns the plot area."""
        painter.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        metrics = painter.fontMetrics()
        painter.drawText(
            QRectF(0, 2, self.width(), metrics.height()), Qt.AlignmentFlag.AlignHCenter, self.title
        )
        painter.setFont(self.font())
        x = 44.0
        y = metrics.height() + 6
        for s in self.series:
            box = QRectF(x, y + 2, 12, 10)
            self._fill(painter, box, s)
            painter.setPen(QColor("black"))
            painter.drawText(QPointF(x + 16, y + 11), s.name)
            x += 28 + painter.fontMetrics().horizontalAdvance(s.name)
        top = y + 20
        return QRectF(44, top, self.width() - 56, self.height() - top - 34)

    @staticmethod
    def _fill(painter: QPainter, box: QRectF, s: Series) -> None:
        painter.setPen(QPen(QColor("black"), 0.8))
        painter.setBrush(QBrush(QColor("white")))
        painter.drawRect(box)
        painter.setBrush(QBrush(s.color, s.pattern))
        painter.drawRect(box)

    def _axes(self, painter: QPainter, area: QRectF, top: float, suffix: str = "") -> None:
        painter.setPen(QPen(QColor(200, 200, 200), 1))
        # five steps for 1, 10, 50…; four for 2, 20, 100 (never a 2.5 shown as "2")
        steps = 4 if (top / 5) != int(top / 5) or top in (100.0, 20.0, 2.0) else 5
        for i in range(steps + 1):
            y = area.bottom() - area.height() * i / steps
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor("black"))
            value = top * i / steps
            text = f"{value:g}{suffix}"
            painter.drawText(
                QRectF(0, y - 8, area.left() - 4, 16), Qt.AlignmentFlag.AlignRight, text
            )
            painter.setPen(QPen(QColor(200, 200, 200), 1))
        painter.setPen(QPen(QColor("black"), 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())

    def _x_labels(self, painter: QPainter, area: QRectF, slot: float) -> None:
        if not self.labels:
            return
        every = max(1, math.ceil(len(self.labels) * 48 / max(area.width(), 1)))
        painter.setPen(QColor("black"))
        for n, label in enumerate(self.labels):
            if n % every:
                continue
            x = area.left() + slot * n
            painter.drawText(
                QRectF(x - 20, area.bottom() + 4, slot + 40, 16),
                Qt.AlignmentFlag.AlignHCenter,
                label,
            )


class BarChart(_Chart):
    """Grouped bars: one group per label, one bar per series, the value over each bar
    when there is room."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._frame(painter)
        values = [v for s in self.series for v in s.values if v is not None]
        top = nice_top(max(values, default=0))
        self._axes(painter, area, top)
        n = max(len(self.labels), 1)
        slot = area.width() / n
        bar = max(2.0, slot * 0.8 / max(len(self.series), 1))
        for si, s in enumerate(self.series):
            for i, value in enumerate(s.values):
                if not value:
                    continue
                h = area.height() * value / top
                x = area.left() + slot * i + slot * 0.1 + bar * si
                box = QRectF(x, area.bottom() - h, bar, h)
                self._fill(painter, box, s)
                if bar >= 18:
                    painter.setPen(QColor("black"))
                    painter.drawText(
                        QRectF(x - 6, box.top() - 15, bar + 12, 14),
                        Qt.AlignmentFlag.AlignHCenter,
                        f"{value:.0f}",
                    )
        self._x_labels(painter, area, slot)
        painter.end()


class LineChart(_Chart):
    """A line with round markers on a 0–100 scale (a rate in %); a gap where a value is
    missing (nothing to rate that day)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._frame(painter)
        self._axes(painter, area, 100.0, "%")
        n = max(len(self.labels), 1)
        slot = area.width() / n
        for s in self.series:
            painter.setPen(QPen(s.color, 2, Qt.PenStyle.SolidLine))
            previous: QPointF | None = None
            for i, value in enumerate(s.values):
                if value is None:
                    previous = None
                    continue
                point = QPointF(
                    area.left() + slot * (i + 0.5), area.bottom() - area.height() * value / 100
                )
                if previous is not None:
                    painter.drawLine(previous, point)
                painter.setBrush(QBrush(s.color))
                painter.drawEllipse(point, 3, 3)
                previous = point
        self._x_labels(painter, area, slot)
        painter.end()
