"""The administrator's audit view (nhật ký truy cập): who viewed, printed, exported or
changed what and when; filtered by officer, dossier and date; exported to CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.audit import AuditRow
from desk_app.auth import Officer
from desk_app.errors import user_message
from desk_app.report_audit import AuditFilter, AuditLogService
from ui.backlog_view import RowsModel
from ui.operations import Operations
from ui.style import BANNER_STYLES, heading_font
from ui.tab_screen import TabScreen

_Index = QModelIndex | QPersistentModelIndex

ACTION_WORDS = {
    "view": "xem", "print": "in", "export": "xuất", "create": "tạo", "change": "thay đổi",
    "login": "đăng nhập", "login_failed": "đăng nhập sai", "logout": "đăng xuất",
    "lock": "khóa màn hình", "unlock": "mở khóa", "user_added": "thêm tài khoản",
    "account_locked": "tài khoản bị khóa", "account_unlocked": "mở khóa tài khoản",
    "backup": "sao lưu", "restore": "khôi phục",
}  # fmt: skip


class AuditModel(RowsModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []
        self._headers = (
            self.tr("Thời gian"),
            self.tr("Cán bộ"),
            self.tr("Hành động"),
            self.tr("Đối tượng"),
            self.tr("Mã"),
            self.tr("Chi tiết"),
        )

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self._rows[index.row()]
        return (
            r.at.strftime("%H:%M:%S %d/%m/%Y"),
            r.username,
            ACTION_WORDS.get(r.action, r.action),
            r.object_type,
            r.object_ref,
            r.detail,
        )[index.column()]


class AuditScreen(QWidget, TabScreen):
    def __init__(
        self,
        service: AuditLogService,
        officer: Officer,
        ops: Operations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditScreen")
        self._service = service
        self._officer = officer
        self._ops = ops
        title = QLabel(self.tr("Nhật ký truy cập"), self)
        title.setFont(heading_font(self.font(), 2))
        self.username = QComboBox(self)
        self.username.setObjectName("auditOfficer")
        self.username.addItem(self.tr("Mọi cán bộ"), "")
        self.object_ref = QLineEdit(self)
        self.object_ref.setObjectName("auditObject")
        self.object_ref.setPlaceholderText(self.tr("Mã hồ sơ (hoặc một phần)"))
        self.use_dates = QCheckBox(self.tr("Từ ngày"), self)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        today = QDate.currentDate()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setDate(today)
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        self.search_button = QPushButton(self.tr("&Lọc"), self)
        self.export_button = QPushButton(self.tr("&Xuất CSV"), self)
        self.export_button.setObjectName("auditExport")
        row = QHBoxLayout()
        row.addWidget(self.username)
        row.addWidget(self.object_ref, 1)
        row.addWidget(self.use_dates)
        row.addWidget(self.date_from)
        row.addWidget(QLabel(self.tr("đến"), self))
        row.addWidget(self.date_to)
        row.addWidget(self.search_button)
        row.addWidget(self.export_button)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.model = AuditModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.search_button.clicked.connect(self.search)
        self.object_ref.returnPressed.connect(self.search)
        self.export_button.clicked.connect(self._ask_export)
        self._names_loaded = False

    def filters(self) -> AuditFilter:
        dates = self.use_dates.isChecked()
        start: dt.date = self.date_from.date().toPython()  # type: ignore[assignment]
        end: dt.date = self.date_to.date().toPython()  # type: ignore[assignment]
        return AuditFilter(
            username=self.username.currentData() or None,
            object_ref=self.object_ref.text().strip() or None,
            date_from=start if dates else None,
            date_to=end if dates else None,
        )

    def search(self) -> None:
        service, officer, filters = self._service, self._officer, self.filters()
        self._ops.run(lambda: service.search(officer, filters), self._show, self._failed)
        if not self._names_loaded:
            self._names_loaded = True
            self._ops.run(lambda: service.usernames(officer), self._names)

    def _show(self, rows: list[AuditRow]) -> None:
        self.message.hide()
        self.model.set_rows(rows)

    def _names(self, names: list[str]) -> None:
        for name in names:
            self.username.addItem(name, name)

    def _failed(self, exc: BaseException) -> None:
        self.message.setStyleSheet(BANNER_STYLES["error"])
        self.message.setText(user_message(exc))
        self.message.show()

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Xuất nhật ký"), "nhat-ky.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        service, officer, filters = self._service, self._officer, self.filters()

        def build() -> Path:
            from desk_app.files import check_output_path, write_output

            check_output_path(path)
            write_output(path, service.export_csv(officer, filters))
            return path

        self._ops.run(build, self._exported, self._failed)

    def _exported(self, path: Path) -> None:
        self.message.setStyleSheet(BANNER_STYLES["info"])
        self.message.setText(self.tr("Đã xuất nhật ký: {0}").format(path))
        self.message.show()
        self.search()

    def screen_shown(self) -> None:
        self.search()
