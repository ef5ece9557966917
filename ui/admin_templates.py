"""Forms this desk corrected (mẫu in sửa riêng): the folder where a corrected template
goes, and each file found there — used, or why not (then the shipped form prints).
The files are edited outside the program; this section only says what it makes of
them (``desk_app.dossier_forms.corrected_templates``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.forms.template import OverrideCheck
from ui.admin_common import AdminSection
from ui.operations import Operations
from ui.style import WARNING_COLOR

#: the desk's corrected-templates folder, and each file in it checked
TemplateCheck = Callable[[], tuple[Path, list[OverrideCheck]]]


class TemplatesSection(AdminSection):
    def __init__(
        self,
        check: TemplateCheck,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._check = check
        self.checks: list[OverrideCheck] = []
        self.explain(
            self.tr(
                "Muốn sửa chữ trên một mẫu in cho riêng quầy này: chép tệp mẫu đi kèm phần mềm "
                "(cùng tên, đuôi .toml) vào thư mục dưới đây rồi sửa. Tệp có lỗi thì không được "
                "dùng — phần mềm in theo mẫu đi kèm — và lý do hiện trong bảng."
            )
        )
        self.folder = QLabel(self)
        self.folder.setObjectName("templatesFolder")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.folder)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("templatesTable")
        self.table.setHorizontalHeaderLabels([self.tr("Tệp mẫu in"), self.tr("Tình trạng")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.layout_.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.check_button = QPushButton(self.tr("Kiểm tra lại"), self)
        self.check_button.clicked.connect(self.refresh)
        row.addWidget(self.check_button)
        row.addStretch(1)
        self.layout_.addLayout(row)

    def refresh(self) -> None:
        self.call(self._check, self._show)

    def _show(self, found: tuple[Path, list[OverrideCheck]]) -> None:
        folder, checks = found
        self.checks = checks
        self.folder.setText(self.tr("Thư mục mẫu in sửa riêng: {0}").format(folder))
        self.table.setRowCount(len(checks))
        for n, check in enumerate(checks):
            status = (
                QTableWidgetItem(self.tr("Đang dùng"))
                if check.used
                else QTableWidgetItem(
                    self.tr("Không dùng, in theo mẫu đi kèm: {0}").format(check.problem)
                )
            )
            if not check.used:
                status.setForeground(QColor(WARNING_COLOR))
            self.table.setItem(n, 0, QTableWidgetItem(check.file_name))
            self.table.setItem(n, 1, status)
        self.table.resizeRowsToContents()
        refused = sum(1 for c in checks if not c.used)
        if not checks:
            self.say(self.tr("Chưa có mẫu in sửa riêng: mọi mẫu in theo tệp đi kèm phần mềm."))
        elif refused:
            self.say(
                self.tr("{0} tệp mẫu in sửa riêng không dùng được: xem lý do trong bảng.").format(
                    refused
                ),
                "warning",
            )
        else:
            self.say(self.tr("Mọi tệp mẫu in sửa riêng đều đang được dùng."))
