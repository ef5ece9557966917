"""The page shown once after set-up: the administrator's recovery code, to print (or
copy by hand) and keep in the commune's safe before the first session starts."""

from __future__ import annotations

import datetime as dt
import textwrap

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.accounts import recovery_sheet_pdf
from desk_app.errors import user_message
from ui.operations import Operations
from ui.receipt_preview import PrintGateway, print_pdf
from ui.style import BANNER_STYLES, heading_font


class RecoveryCodePage(QWidget):
    """Shows the code; ``done`` when the administrator says it is kept."""

    done = Signal()

    def __init__(
        self,
        code: str,
        unit: str,
        username: str,
        issued_at: dt.datetime,
        ops: Operations,
        printing: PrintGateway,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodePage")
        self._ops = ops
        self._printing = printing
        self._printer: QPrinter | None = None
        self.pdf = recovery_sheet_pdf(code, unit, username, issued_at)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(self.tr("Mã khôi phục tài khoản quản trị"), self)
        title.setFont(heading_font(title.font(), 6))
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        self.code_label = QLabel(code, self)
        self.code_label.setObjectName("recoveryCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(22)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label, 0, Qt.AlignmentFlag.AlignHCenter)
        text = self.tr(
            "Mã này chỉ hiện một lần. Nếu quên mật khẩu quản trị viên, dùng mã này để đặt "
            "lại mật khẩu ngay trên máy (lệnh desk-app users recover), không cần ai hỗ trợ.\n"
            "Hãy in hoặc chép lại và cất nơi an toàn (tủ hồ sơ của UBND), không để ở quầy."
        )
        # Broken here rather than word-wrapped by Qt: a centred wrapped label gets the
        # height of a narrow guess and its last lines are cut off.
        lines = [row for part in text.split("\n") for row in textwrap.wrap(part, 80)]
        note = QLabel("\n".join(lines), self)
        note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(note, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        self.print_button = QPushButton(self.tr("In mã khôi phục"), self)
        self.print_button.clicked.connect(self.print_sheet)
        self.continue_button = QPushButton(self.tr("Tôi đã cất mã — tiếp tục"), self)
        self.continue_button.setObjectName("recoveryContinue")
        self.continue_button.clicked.connect(self.done.emit)
        row.addWidget(self.print_button)
        row.addWidget(self.continue_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def print_sheet(self) -> None:
        if not self._printing.printers_available():
            self._say(self.tr("Máy chưa cài máy in: hãy chép mã ra giấy."), "warning")
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName("ma-khoi-phuc")
        if not self._printing.choose(printer, self):
            return
        self._printer = printer  # kept alive while the print thread paints on it
        pdf = self.pdf
        self._ops.run_print(
            lambda: print_pdf(pdf, printer),
            lambda _pages: self._say(self.tr("Đã gửi mã khôi phục tới máy in."), "info"),
            lambda exc: self._say(self.tr("Không in được: {0}").format(user_message(exc)), "error"),
        )

    def _say(self, text: str, kind: str) -> None:
        self.banner.setStyleSheet(BANNER_STYLES[kind])
        self.banner.setText(text)
        self.banner.show()
