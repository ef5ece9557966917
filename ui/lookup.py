"""Lookup and reprint (tra cứu, in lại giấy hẹn).

A barcode scanner "types" the dossier code and Enter into the code field; the dossier's
main facts appear (CCCD masked: this screen faces the desk, not only the officer) and
"In lại giấy hẹn" opens the receipt exactly as issued. Below, today's dossiers.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
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

from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, Clock, local_now
from desk_app.documents.vn_format import format_vn_datetime
from desk_app.intake import DossierNotFoundError, DossierView, IntakeService
from desk_app.lifecycle import TimelineEntry
from desk_app.vocabulary import CHANNEL_LABELS, STATUS_LABELS
from ui.operations import Operations
from ui.style import BANNER_STYLES, heading_font

_Index = QModelIndex | QPersistentModelIndex


def _event_text(entry: TimelineEntry) -> str:
    if entry.kind == "dossier.received":
        return "Tiếp nhận hồ sơ"
    if entry.kind == "dossier.status_changed":
        target = str(entry.payload.get("to", ""))
        return "Chuyển sang: " + STATUS_LABELS.get(target, target)
    return entry.kind


def _short(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M %d/%m/%Y") if moment else "—"


class TodayModel(QAbstractTableModel):
    """Today's dossiers, CCCD masked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DossierView] = []
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
        self.beginResetModel()
        # newest first: the citizen just served is at the top
        self._rows = list(reversed(rows))
        self.endResetModel()

    def code_at(self, row: int) -> str:
        return self._rows[row].code

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        d = self._rows[index.row()]
        return (
            d.code,
            d.received_at.strftime("%H:%M"),
            d.procedure_name,
            d.applicant_name,
            d.cccd_masked,
            _short(d.due_at),
            STATUS_LABELS.get(d.status, d.status),
        )[index.column()]


class LookupScreen(QWidget):
    """Find a dossier by code (typed or scanned) and print its receipt again."""

    looked_up = Signal(object)

    def __init__(
        self,
        intake: IntakeService,
        officer: Officer,
        clock: Clock,
        ops: Operations,
        show_receipt: Callable[[bytes, str], object],
        parent: QWidget | None = None,
        timeline: Callable[[str], list[TimelineEntry]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lookupScreen")
        self._intake = intake
        self._officer = officer
        self._clock = clock
        self._ops = ops
        self._show_receipt = show_receipt
        self._timeline = timeline
        self._busy = False
        self.dossier: DossierView | None = None

        self.code = QLineEdit(self)
        self.code.setObjectName("lookupCode")
        self.code.setPlaceholderText(self.tr("Quét mã vạch trên giấy hẹn hoặc gõ mã hồ sơ"))
        self.code.setClearButtonEnabled(True)
        self.code.returnPressed.connect(self.lookup)
        self.find_button = QPushButton(self.tr("&Tra cứu"), self)
        self.find_button.setObjectName("lookupButton")
        self.find_button.clicked.connect(self.lookup)
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
        self.reprint_button.clicked.connect(self.reprint)
        self.reprint_button.setVisible(officer.can(Permission.PRINT))
        self.reprint_button.setMinimumHeight(34)
        reprint_row = QHBoxLayout()
        reprint_row.addWidget(self.reprint_button)
        reprint_row.addStretch(1)
        form.addRow("", reprint_row)
        self.details.hide()

        self.today_title = QLabel(self.tr("Hồ sơ tiếp nhận hôm nay"), self)
        self.today_title.setFont(heading_font(self.font(), 1))
        self.refresh_button = QPushButton(self.tr("Làm &mới"), self)
        self.refresh_button.clicked.connect(self.refresh_today)
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
        self.today.activated.connect(self._row_activated)
        self.today.doubleClicked.connect(self._row_activated)

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

    @property
    def busy(self) -> bool:
        return self._busy

    # -- lookup

    def lookup(self) -> None:
        code = self.code.text().strip()
        if not code or self._busy:
            return
        intake, officer = self._intake, self._officer
        self._set_busy(True, self.tr("Đang tìm hồ sơ {0}…").format(code))
        self._ops.run(lambda: intake.get(code, officer), self._found, self._not_found)

    def _found(self, dossier: DossierView) -> None:
        self._set_busy(False)
        self.dossier = dossier
        self.message.hide()
        facts = self.fact_labels
        facts["code"].setText(dossier.code)
        facts["status"].setText(STATUS_LABELS.get(dossier.status, dossier.status))
        facts["procedure"].setText(f"{dossier.procedure_name} ({dossier.procedure_code})")
        facts["applicant"].setText(dossier.applicant_name)
        facts["cccd"].setText(dossier.cccd_masked)
        facts["channel"].setText(CHANNEL_LABELS.get(dossier.channel, dossier.channel))
        facts["received"].setText(format_vn_datetime(dossier.received_at))
        facts["due"].setText(
            format_vn_datetime(dossier.due_at)
            if dossier.due_at
            else self.tr("Không có ngày hẹn trả cụ thể")
        )
        facts["officer"].setText(dossier.received_by_name)
        facts["timeline"].setText(self.tr("…"))
        if self._timeline is not None:
            timeline, code = self._timeline, dossier.code
            self._ops.run(lambda: timeline(code), self._show_timeline, self._timeline_failed)
        self.details.show()
        # the next scan replaces the code instead of appending to it
        self.code.selectAll()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
        self.looked_up.emit(dossier)

    def _show_timeline(self, entries: list[TimelineEntry]) -> None:
        """Each recorded step in the order the desks agree on; a transition that lost a
        conflict (another desk acted first) is shown struck out, with the reason."""
        lines = []
        for e in entries:
            when = _short(e.occurred_at_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE))
            what = _event_text(e)
            desk = e.origin.split("#")[-1]
            line = html.escape(f"{when} · {what} · {e.actor} (quầy {desk})")
            if not e.applied:
                line = "<s>" + line + "</s> " + self.tr("— không áp dụng: quầy khác đã xử lý trước")
            lines.append(line)
        label = self.fact_labels["timeline"]
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText("<br>".join(lines))

    def _timeline_failed(self, exc: BaseException) -> None:
        self.fact_labels["timeline"].setText(self.tr("Không đọc được diễn biến: {0}").format(exc))

    def _not_found(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.dossier = None
        self.details.hide()
        if isinstance(exc, DossierNotFoundError):
            text = self.tr("Không tìm thấy hồ sơ mã “{0}”.").format(self.code.text().strip())
        else:
            text = self.tr("Không tra cứu được: {0}").format(exc)
        self._show(text, "error")
        self.code.selectAll()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- reprint

    def reprint(self) -> None:
        dossier = self.dossier
        if dossier is None or self._busy:
            return
        intake, officer, code = self._intake, self._officer, dossier.code
        self._set_busy(True, self.tr("Đang mở giấy hẹn…"))
        self._ops.run(
            lambda: intake.receipt(code, officer),
            lambda pdf: self._receipt_ready(code, pdf),
            self._receipt_failed,
        )

    def _receipt_ready(self, code: str, pdf: bytes) -> None:
        self._set_busy(False)
        self.message.hide()
        self._show_receipt(pdf, code)

    def _receipt_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show(self.tr("Không mở được giấy hẹn: {0}").format(exc), "error")

    # -- today's list

    def refresh_today(self) -> None:
        intake, officer = self._intake, self._officer
        today = local_now(self._clock).date()
        self._ops.run(
            lambda: intake.list_received(officer, today, today),
            self._today_loaded,
            lambda exc: self._show(self.tr("Không tải được danh sách: {0}").format(exc), "error"),
        )

    def _today_loaded(self, rows: list[DossierView]) -> None:
        self.today_model.set_rows(rows)
        self.today_title.setText(self.tr("Hồ sơ tiếp nhận hôm nay ({0})").format(len(rows)))

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.code.setText(self.today_model.code_at(index.row()))
            self.lookup()

    # -- helpers

    def _show(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.find_button.setEnabled(not busy)
        self.reprint_button.setEnabled(not busy)
        if busy:
            self._show(text, "info")
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()

    def focus_first(self) -> None:
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
