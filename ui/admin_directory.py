"""Officers and units that receive hand-overs (danh sách nơi nhận hồ sơ chuyển): commune
data, synced to every desk. Add an officer (optionally linked to a login) or a unit;
retire one that no longer receives dossiers."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.directory import RECEIVER_KIND_LABELS, DirectoryService, Receiver
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations

_CHANGED = Changes(outbox=True)


class DirectorySection(AdminSection):
    def __init__(
        self,
        directory: DirectoryService,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._directory = directory
        self.entries: list[Receiver] = []
        self.explain(
            self.tr(
                "Cán bộ và bộ phận nhận hồ sơ khi chuyển xử lý. Danh sách dùng chung cho mọi quầy "
                "của xã; tài khoản và mật khẩu thì riêng từng máy."
            )
        )
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("directoryTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Tên"), self.tr("Loại"), self.tr("Thuộc bộ phận"), self.tr("Trạng thái")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.layout_.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.retire_button = QPushButton(self.tr("Thôi nhận hồ sơ"), self)
        self.retire_button.clicked.connect(self.retire_selected)
        row.addWidget(self.retire_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        box = QGroupBox(self.tr("Thêm nơi nhận hồ sơ chuyển"), self)
        form = QFormLayout(box)
        self.name = QLineEdit(box)
        self.name.setPlaceholderText(
            self.tr("ví dụ: Nguyễn Văn An, hoặc Bộ phận Tư pháp - Hộ tịch")
        )
        self.kind = QComboBox(box)
        for kind, label in RECEIVER_KIND_LABELS.items():
            self.kind.addItem(self.tr(label), kind)
        self.unit = QLineEdit(box)
        self.unit.setPlaceholderText(self.tr("bộ phận của cán bộ (không bắt buộc)"))
        self.username = QLineEdit(box)
        self.username.setPlaceholderText(self.tr("tên đăng nhập của cán bộ trên quầy (nếu có)"))
        form.addRow(self.tr("Tên:"), self.name)
        form.addRow(self.tr("Loại:"), self.kind)
        form.addRow(self.tr("Thuộc bộ phận:"), self.unit)
        form.addRow(self.tr("Tên đăng nhập:"), self.username)
        self.add_button = QPushButton(self.tr("Thêm"), box)
        self.add_button.clicked.connect(self.add_entry)
        form.addRow("", self.add_button)
        self.layout_.addWidget(box)

    def refresh(self) -> None:
        directory = self._directory
        self.call(lambda: directory.list(include_retired=True), self._show)

    def _show(self, entries: list[Receiver]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for i, e in enumerate(entries):
            state = self.tr("Đang nhận hồ sơ") if e.active else self.tr("Đã thôi")
            cells = (e.name, self.tr(RECEIVER_KIND_LABELS.get(e.kind, e.kind)), e.unit, state)
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def add_entry(self) -> None:
        directory, by = self._directory, self.officer
        name, kind, unit = self.name.text(), str(self.kind.currentData()), self.unit.text()
        username = self.username.text() or None

        def added(entry: Receiver) -> None:
            for field in (self.name, self.unit, self.username):
                field.clear()
            self.say(self.tr("Đã thêm {0}; các quầy khác sẽ nhận khi đồng bộ.").format(entry.name))
            self.refresh()

        self.call(
            lambda: directory.add(kind, name, by, unit=unit, username=username),
            added,
            changes=_CHANGED,
        )

    def retire_selected(self) -> None:
        index = self.table.currentRow()
        if not 0 <= index < len(self.entries):
            self.say(self.tr("Chọn một dòng trong bảng trước."), "warning")
            return
        entry = self.entries[index]
        directory, by = self._directory, self.officer

        def retired(_r: Receiver) -> None:
            self.say(self.tr("{0} thôi nhận hồ sơ chuyển.").format(entry.name))
            self.refresh()

        self.call(lambda: directory.retire(entry.entry_id, by), retired, changes=_CHANGED)
