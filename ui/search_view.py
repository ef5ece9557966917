"""The search screen's widgets (tìm hồ sơ): one field, the results as they come, and
what each result matched. The CCCD is always shown masked: the screen faces the desk.

This is the view; ``ui.search_screen.SearchController`` runs the searches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.search import SearchHit
from desk_app.vocabulary import status_label
from ui.rows_model import DossierRowsModel
from ui.style import heading_font, set_text_color

_Index = QModelIndex | QPersistentModelIndex

MATCH_LABELS = {
    "code": "mã hồ sơ",
    "pin": "mã tra cứu",
    "name": "họ tên",
    "cccd": "CCCD",
    "phone": "điện thoại",
}


def _short(moment: dt.datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else "—"


class ResultsModel(DossierRowsModel):
    """The hits of the last search, newest first; never a full CCCD."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = (
            self.tr("Mã hồ sơ"),
            self.tr("Người nộp"),
            self.tr("CCCD"),
            self.tr("Điện thoại"),
            self.tr("Thủ tục"),
            self.tr("Nhận lúc"),
            self.tr("Hẹn trả"),
            self.tr("Trạng thái"),
            self.tr("Khớp theo"),
        )

    def set_rows(self, rows: list[SearchHit]) -> None:
        self._replace(rows)

    @property
    def hits(self) -> list[SearchHit]:
        return list(self._rows)

    def cells(self, h: SearchHit) -> tuple[str, ...]:
        return (
            h.code,
            h.applicant_name,
            h.cccd_masked,
            h.phone,
            h.procedure_name,
            _short(h.received_at),
            _short(h.due_at),
            status_label(h.status),
            ", ".join(MATCH_LABELS.get(m, m) for m in h.matched),
        )


class SearchView(QWidget):
    """The widgets of the search tab; no service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchScreen")
        title = QLabel(self.tr("Tìm hồ sơ"), self)
        title.setFont(heading_font(self.font(), 3))
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText(
            self.tr(
                "Mã hồ sơ (hoặc vài số cuối), mã tra cứu, họ tên (gõ không dấu được), "
                "số CCCD hoặc điện thoại"
            )
        )
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumHeight(34)
        self.query.setFont(heading_font(self.font(), 2, bold=False))
        caption = QLabel(self.tr("&Tìm:"), self)
        caption.setBuddy(self.query)
        self.open_button = QPushButton(self.tr("&Mở hồ sơ"), self)
        self.open_button.setObjectName("openDossierButton")
        self.open_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.query, 1)
        top.addWidget(self.open_button)

        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        set_text_color(self.status)

        self.model = ResultsModel(self)
        self.results = QTableView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setAlternatingRowColors(True)
        self.results.verticalHeader().hide()
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        hint = QLabel(
            self.tr(
                "Enter: mở hồ sơ đầu tiên (hoặc dòng đang chọn) · ↓: chọn trong danh sách · "
                "quét mã vạch giấy hẹn ở bất kỳ màn hình nào để mở ngay hồ sơ"
            ),
            self,
        )
        hint.setWordWrap(True)
        set_text_color(hint)
        layout.addWidget(hint)

    def show_hits(self, hits: list[SearchHit], text: str) -> None:
        self.model.set_rows(hits)
        self.status.setText(text)
        self.open_button.setEnabled(bool(hits))
        if hits:
            self.results.selectRow(0)

    def selected_code(self) -> str | None:
        rows = self.results.selectionModel().selectedRows()
        if rows:
            return self.model.code_at(rows[0].row())
        return self.model.code_at(0) if self.model.rowCount() else None

    def focus_first(self) -> None:
        self.query.setFocus(Qt.FocusReason.OtherFocusReason)
        self.query.selectAll()
