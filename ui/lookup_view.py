"""The lookup screen's widgets (tra cứu, in lại giấy hẹn): the code field, the dossier's
facts, the reprint button and today's dossiers.

This is the view; ``ui.lookup.LookupController`` finds dossiers and opens receipts. The
CCCD is shown masked: this screen faces the desk, not only the officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.intake import DossierView
from desk_app.vocabulary import STATUS_LABELS
from ui.rows_model import DossierRowsModel
from ui.style import BANNER_STYLES, heading_font

_Index = QModelIndex | QPersistentModelIndex


def short_time(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M %d/%m/%Y") if moment else "—"


class TodayModel(DossierRowsModel):
    """Today's dossiers, CCCD masked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = (
            self.tr("Mã hồ sơ"),
            self.tr("Giờ nhận"),
            self.tr("Thủ tục"),
            self.tr("Người nộp"),
            self.tr("CCCD"),
            self.tr("Hẹn trả"),
            self.tr("Trạng thái"),
        )

    def set_rows(self, rows: list[DossierView]) -> None:
        # newest first: the citizen just served is at the top
        self._replace(list(reversed(rows)))

    def cells(self, d: DossierView) -> tuple[str, ...]:
        return (
            d.code,
            d.received_at.strftime("%H:%M"),
            d.procedure_name,
            d.applicant_name,
            d.cccd_masked,
            short_time(d.due_at),
            STATUS_LABELS.get(d.status, d.status),
        )


class LookupView(QWidget):
    """The widgets of the lookup tab; no service."""

    def __init__(self, can_print: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lookupScreen")
        self.code = QLineEdit(self)
        self.code.setObjectName("lookupCode")
        self.code.setPlaceholderText(self.tr("Quét mã vạch trên giấy hẹn hoặc gõ mã hồ sơ"))
        self.code.setClearButtonEnabled(True)
        self.find_button = QPushButton(self.tr("&Tra cứu"), self)
        self.find_button.setObjectName("lookupButton")
        top = QHBoxLayout()
        caption = QLabel(self.tr("&Mã hồ sơ:"), self)
        caption.setBuddy(self.code)
        top.addWidget(caption)
        top.addWidget(self.code, 1)
        top.addWidget(self.find_button)

        self.message = QLabel(self)
        self.message.setObjectName("lookupMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.details = QGroupBox(self.tr("Hồ sơ"), self)
        self.details.setObjectName("lookupDetails")
        form = QFormLayout(self.details)
        form.setHorizontalSpacing(16)
        self.fact_labels: dict[str, QLabel] = {}
        for key, label in (
            ("code", self.tr("Mã hồ sơ:")),
            ("status", self.tr("Trạng thái:")),
            ("procedure", self.tr("Thủ tục:")),
            ("applicant", self.tr("Người nộp:")),
            ("cccd", self.tr("Số CCCD:")),
            ("channel", self.tr("Hình thức nộp:")),
            ("received", self.tr("Tiếp nhận lúc:")),
            ("due", self.tr("Hẹn trả:")),
            ("officer", self.tr("Người tiếp nhận:")),
            ("timeline", self.tr("Diễn biến:")),
        ):
            value = QLabel(self.details)
            value.setObjectName("fact_" + key)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.fact_labels[key] = value
        self.fact_labels["code"].setFont(heading_font(self.font(), 2))
        self.reprint_button = QPushButton(self.tr("&In lại giấy hẹn"), self.details)
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setVisible(can_print)
        self.reprint_button.setMinimumHeight(34)
        reprint_row = QHBoxLayout()
        reprint_row.addWidget(self.reprint_button)
        reprint_row.addStretch(1)
        form.addRow("", reprint_row)
        self.details.hide()

        self.today_title = QLabel(self.tr("Hồ sơ tiếp nhận hôm nay"), self)
        self.today_title.setFont(heading_font(self.font(), 1))
        self.refresh_button = QPushButton(self.tr("Làm &mới"), self)
        title_row = QHBoxLayout()
        title_row.addWidget(self.today_title, 1)
        title_row.addWidget(self.refresh_button)
        self.today_model = TodayModel(self)
        self.today = QTableView(self)
        self.today.setObjectName("todayTable")
        self.today.setModel(self.today_model)
        self.today.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.today.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.today.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.today.setAlternatingRowColors(True)
        self.today.setTabKeyNavigation(False)
        self.today.verticalHeader().hide()
        header = self.today.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.details)
        layout.addLayout(title_row)
        layout.addWidget(self.today, 1)
        self.setTabOrder(self.code, self.find_button)
        self.setTabOrder(self.find_button, self.reprint_button)
        self.setTabOrder(self.reprint_button, self.today)

    def show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.find_button.setEnabled(not busy)
        self.reprint_button.setEnabled(not busy)
        if busy:
            self.show_message(text, "info")
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()

    def show_today(self, rows: list[DossierView]) -> None:
        self.today_model.set_rows(rows)
        self.today_title.setText(self.tr("Hồ sơ tiếp nhận hôm nay ({0})").format(len(rows)))

    def focus_first(self) -> None:
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
