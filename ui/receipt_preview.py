"""The receipt preview: the issued PDF on screen, "In…", "Lưu PDF…", "Đóng".

The dossier is already stored when this dialog opens: a cancelled print dialog, a desk
without a printer or a failed save only show a message here, and the receipt can always
be printed again from the lookup tab.

The two edges of the world — the print dialog and the file dialog — come in through
``PrintGateway`` and ``FileGateway`` so tests replace only them. Pages are rendered and
painted on the printer on the print thread (``Operations.run_print``; QPainter may paint
on a QPrinter in a worker thread), with the dialog's buttons disabled meanwhile — never
queued behind a long job on the database thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QStandardPaths, Qt
from PySide6.QtGui import QColor, QCursor, QImage, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.errors import user_message
from ui.operations import Operations
from ui.style import BANNER_STYLES

# Enough for a Code128 module of 0.33 mm (4 dots) without a 270 MB image at 1200 dpi.
MAX_RENDER_DPI = 300


class PrintGateway(Protocol):
    """The printing edge: which printers exist and the print dialog."""

    def printers_available(self) -> bool: ...

    def choose(self, printer: QPrinter, parent: QWidget) -> bool:
        """Let the officer set up ``printer``; False when they cancel."""
        ...


class FileGateway(Protocol):
    """The file edge: where to save a copy."""

    def save_path(self, parent: QWidget, suggested: str) -> str | None:
        """A path chosen by the officer, or None when they cancel."""
        ...


class QtPrintGateway:
    def printers_available(self) -> bool:
        return bool(QPrinterInfo.availablePrinters())

    def choose(self, printer: QPrinter, parent: QWidget) -> bool:
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(parent.tr("In giấy tiếp nhận"))
        return dialog.exec() == QDialog.DialogCode.Accepted


class QtFileGateway:
    def save_path(self, parent: QWidget, suggested: str) -> str | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder) / suggested) if folder else suggested
        path, _filter = QFileDialog.getSaveFileName(
            parent, parent.tr("Lưu giấy tiếp nhận"), start, parent.tr("Tệp PDF (*.pdf)")
        )
        return path or None


def _open_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A document on ``pdf``; the buffer must live as long as the document."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def render_page_on_white(document: QPdfDocument, page: int, dpi: int) -> QImage:
    """Page ``page`` at ``dpi`` on an opaque white background (render() is transparent)."""
    points = document.pagePointSize(page)
    size = QSize(
        max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72))
    )
    rendered = document.render(page, size)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint every page of ``pdf`` on ``printer``; returns the number of pages printed.

    Safe on a worker thread (QPdfDocument and QImage are, and QPainter may paint on a
    QPrinter there) as long as nothing else uses ``printer`` meanwhile.
    """
    document, _buffer = _open_pdf(pdf)
    count = document.pageCount()
    if count <= 0:
        raise ValueError("tệp PDF không có trang nào")
    dpi = max(72, min(printer.resolution(), MAX_RENDER_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("không mở được máy in")
    try:
        for page in range(count):
            if page:
                printer.newPage()
            image = render_page_on_white(document, page, dpi)
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF(target.x(), target.y(), width, height), image)
    finally:
        painter.end()
    document.close()
    return count


class ReceiptPreview(QDialog):
    """Shows the receipt of dossier ``code`` and prints or saves it."""

    def __init__(
        self,
        pdf: bytes,
        code: str,
        ops: Operations,
        printing: PrintGateway,
        files: FileGateway,
        parent: QWidget | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receiptPreview")
        # Any printed form opens here; ``title`` names it (default: the receipt).
        self.setWindowTitle(
            title or self.tr("Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {0}").format(code)
        )
        self.pdf = pdf
        self.code = code
        self._ops = ops
        self._printing = printing
        self._files = files
        self._busy = False
        self.document, self._buffer = _open_pdf(pdf)
        self.document.setParent(self)
        # Kept for the dialog's lifetime: a QPrinter dropped while Qt still uses it crashes.
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(code)
        if self.document.pageCount() > 0:
            points = self.document.pagePointSize(0)
            self.printer.setPageSize(
                QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
            )
            self.printer.setPageOrientation(QPageLayout.Orientation.Portrait)

        self.view = QPdfView(self)
        self.view.setObjectName("receiptView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)

        self.message = QLabel(self)
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.print_button = QPushButton(self.tr("&In…"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_button.setToolTip(self.tr("In hai liên: một giao công dân, một kèm hồ sơ"))
        self.print_button.clicked.connect(self.print_receipt)
        self.save_button = QPushButton(self.tr("&Lưu PDF…"), self)
        self.save_button.setObjectName("savePdfButton")
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button = QPushButton(self.tr("Đó&ng"), self)
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)

        pages = QLabel(self.tr("Mã hồ sơ {0} · {1} trang").format(code, self.page_count), self)
        pages.setObjectName("previewInfo")
        buttons = QHBoxLayout()
        buttons.addWidget(pages, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(760, 900)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @property
    def busy(self) -> bool:
        return self._busy

    def fit_to(self, available: QSize) -> None:
        """Size for a screen of ``available`` size (the preview is tall: A5 pages)."""
        self.resize(min(760, available.width() - 80), max(480, available.height() - 80))

    # -- printing

    def print_receipt(self) -> None:
        if self._busy:
            return
        if not self._printing.printers_available():
            self._show(
                self.tr(
                    "Máy tính này chưa cài máy in nào. Hồ sơ đã được lưu: có thể “Lưu PDF…” "
                    "để in ở máy khác, hoặc in lại sau ở thẻ “Tra cứu”."
                ),
                "warning",
            )
            return
        if not self._printing.choose(self.printer, self):
            self._show(
                self.tr("Đã hủy in. Hồ sơ vẫn được lưu; có thể in lại bất cứ lúc nào."), "warning"
            )
            return
        pdf, printer = self.pdf, self.printer
        self._set_busy(True, self.tr("Đang in…"))
        self._ops.run_print(lambda: print_pdf(pdf, printer), self._printed, self._print_failed)

    def _printed(self, pages: int) -> None:
        self._set_busy(False)
        name = self.printer.printerName() or self.printer.outputFileName()
        self._show(self.tr("Đã gửi {0} trang tới máy in {1}.").format(pages, name), "info")

    def _print_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show(
            self.tr("Không in được: {0}. Hồ sơ vẫn được lưu; thử in lại.").format(
                user_message(exc)
            ),
            "error",
        )

    # -- saving a copy

    def save_pdf(self) -> None:
        if self._busy:
            return
        path = self._files.save_path(self, f"{self.code}.pdf")
        if not path:
            self._show(self.tr("Chưa lưu tệp PDF."), "warning")
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            # 60-odd kB: a write this small does not need the worker thread.
            Path(path).write_bytes(self.pdf)
        except OSError as exc:
            self._show(self.tr("Không lưu được tệp {0}: {1}").format(path, exc.strerror), "error")
            return
        self._show(self.tr("Đã lưu {0}").format(path), "info")

    # -- helpers

    def _show(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        for button in (self.print_button, self.save_button, self.close_button):
            button.setEnabled(not busy)
        if busy:
            self._show(text, "info")
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()

    def reject(self) -> None:
        if not self._busy:  # never close while the printer is being painted on
            super().reject()

    def done(self, result: int) -> None:
        if not self._busy:
            super().done(result)
