"""The backlog screen's widgets (hồ sơ cần xử lý): the count tiles, the filters, the list,
the breakdowns and the charts. No service here: ``ui.backlog`` drives it.

Urgency never rests on colour alone: each tile and each row carries a sign and words
(⚠ Quá hạn, ● Hôm nay, ◔ Sắp đến hạn, ⏸ Chờ bổ sung), and the tiles differ in their
border pattern too, so a grey print or a colour-blind reader loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.backlog import BREAKDOWN_COLUMNS, TILES, BacklogItem
from desk_app.vocabulary import STATUS_LABELS
from ui.charts import BarChart, LineChart
from ui.style import BANNER_STYLES, heading_font

_Index = QModelIndex | QPersistentModelIndex

# sign, background, border style of each tile and list urgency
URGENCY_LOOK: dict[str, tuple[str, str, str]] = {
    "overdue": ("⚠", "#f6c9c4", "3px solid #8c1d12"),
    "due_today": ("●", "#fbe0b6", "3px dashed #8a4b00"),
    "due_soon": ("◔", "#fdf3c4", "2px dotted #6b5600"),
    "waiting_supplement": ("‖", "#d6e4f5", "2px solid #1d4f8c"),
    "received_today": ("↓", "#e4e4e4", "1px solid #444444"),
    "returned_today": ("✓", "#d9eed9", "1px solid #1f5e1f"),
    "on_track": ("", "", ""),
    "closed": ("", "", ""),
}


_NEVER = dt.datetime(9999, 12, 31)
# The list's natural order: the most urgent first.
URGENCY_ORDER = {
    "overdue": 0, "due_today": 1, "due_soon": 2, "waiting_supplement": 3, "on_track": 4,
    "closed": 5,
}  # fmt: skip


def short(moment: dt.datetime | None) -> str:
    return moment.strftime("%d/%m/%Y") if moment else "—"


class Tile(QPushButton):
    """A large count that opens its list."""

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.label = label
        self.count = 0
        self.setObjectName(f"tile_{key}")
        self.setCheckable(True)
        self.setMinimumSize(150, 86)
        self.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))
        _sign, background, border = URGENCY_LOOK[key]
        self.setStyleSheet(
            f"QPushButton {{ background: {background}; border: {border}; border-radius: 6px;"
            " color: black; padding: 6px; text-align: center; }"
            f"QPushButton:checked {{ border-width: 5px; }}"
        )
        self.set_count(0)

    def set_count(self, count: int) -> None:
        self.count = count
        sign = URGENCY_LOOK[self.key][0]
        self.setText(f"{count}\n{sign} {self.label}")
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 9) + 3)
        font.setBold(True)
        self.setFont(font)
        self.setAccessibleName(f"{self.label}: {count}")


class RowsModel(QAbstractTableModel):
    """A read-only table of ``_rows`` under ``_headers`` (the screens' lists)."""

    _rows: Sequence[object]
    _headers: tuple[str, ...]

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


class BacklogModel(RowsModel):
    """The dossiers of one list; sorting through a proxy (``SORT_ROLE``)."""

    SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BacklogItem] = []
        self._urgency_words = {
            "overdue": self.tr("Quá hạn"),
            "due_today": self.tr("Đến hạn hôm nay"),
            "due_soon": self.tr("Sắp đến hạn"),
            "waiting_supplement": self.tr("Chờ bổ sung"),
            "on_track": self.tr("Trong hạn"),
            "closed": "",
        }
        self._headers = (
            self.tr("Tình trạng"),
            self.tr("Mã hồ sơ"),
            self.tr("Thủ tục"),
            self.tr("Lĩnh vực"),
            self.tr("Người nộp"),
            self.tr("Tiếp nhận"),
            self.tr("Hẹn trả"),
            self.tr("Trễ (ngày LV)"),
            self.tr("Trạng thái"),
            self.tr("Đang giữ"),
            self.tr("Quầy"),
        )

    def set_rows(self, rows: Sequence[BacklogItem]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def item_at(self, row: int) -> BacklogItem:
        return self._rows[row]

    def urgency_text(self, item: BacklogItem) -> str:
        sign = URGENCY_LOOK[item.urgency][0]
        words = self._urgency_words.get(item.urgency, "")
        if item.urgency == "overdue":
            words = self.tr("Quá hạn {0} ngày").format(item.days_late)
        if item.extended:
            words += self.tr(" (đã gia hạn)")
        return f"{sign} {words}".strip()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.BackgroundRole and col == 0:
            background = URGENCY_LOOK[item.urgency][1]
            return QColor(background) if background else None
        if role == self.SORT_ROLE:
            keys: tuple[Any, ...] = (
                URGENCY_ORDER.get(item.urgency, 9) * 100_000 - item.days_late,
                item.code,
                item.procedure_name,
                item.field,
                item.applicant_name,
                item.received_at,
                item.due_at or _NEVER,
                item.days_late,
                item.status,
                item.holder,
                item.desk,
            )
            return keys[col]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.urgency_text(item),
            item.code,
            item.procedure_name,
            item.field,
            item.applicant_name,
            short(item.received_at),
            short(item.due_at),
            str(item.days_late) if item.days_late else "",
            STATUS_LABELS.get(item.status, item.status),
            item.holder,
            str(item.desk),
        )[col]


class BreakdownModel(RowsModel):
    """Counts per holder, procedure or field."""

    def __init__(self, group_title: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, dict[str, int]]] = []
        self._headers = (
            group_title,
            self.tr("Đang giải quyết"),
            self.tr("⚠ Quá hạn"),
            self.tr("● Đến hạn hôm nay"),
            self.tr("◔ Sắp đến hạn"),
            self.tr("‖ Chờ bổ sung"),
        )

    def set_counts(self, counts: dict[str, dict[str, int]]) -> None:
        self.beginResetModel()
        self._rows = list(counts.items())
        self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group, counts = self._rows[index.row()]
        col = index.column()
        if role == int(Qt.ItemDataRole.UserRole) + 1:
            return group if col == 0 else counts[BREAKDOWN_COLUMNS[col - 1]]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return group if col == 0 else str(counts[BREAKDOWN_COLUMNS[col - 1]])


def _table(
    parent: QWidget, model: QAbstractTableModel, name: str, stretch: int | None = None
) -> QTableView:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(int(Qt.ItemDataRole.UserRole) + 1)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        # a long procedure name is elided instead of pushing the other columns away
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return view


class BacklogView(QWidget):
    """The widgets of the backlog tab."""

    tile_clicked = Signal(str)

    def __init__(self, tile_labels: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backlogScreen")
        title = QLabel(self.tr("Hồ sơ cần xử lý"), self)
        title.setFont(heading_font(self.font(), 3))
        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("backlogSync")
        self.refresh_button = QPushButton(self.tr("Làm &mới"), self)
        self.sheet_button = QPushButton(self.tr("&In danh sách giao ban"), self)
        self.sheet_button.setObjectName("sheetButton")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.sync_label, 1)
        top.addWidget(self.sheet_button)
        top.addWidget(self.refresh_button)

        self.message = QLabel(self)
        self.message.setObjectName("backlogMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        # The report history's catch-up (minutes the first time on a large database).
        self.history_bar = QProgressBar(self)
        self.history_bar.setObjectName("backlogHistoryProgress")
        self.history_bar.hide()

        tiles = QGridLayout()
        self.tiles: dict[str, Tile] = {}
        for n, key in enumerate(TILES):
            tile = Tile(key, tile_labels[key], self)
            tile.clicked.connect(lambda _checked=False, k=key: self.tile_clicked.emit(k))
            tiles.addWidget(tile, 0, n)
            self.tiles[key] = tile

        # filters
        self.window_days = QSpinBox(self)
        self.window_days.setObjectName("warningDays")
        self.window_days.setRange(0, 30)
        self.window_days.setValue(2)
        self.window_days.setSuffix(self.tr(" ngày LV"))
        self.use_dates = QCheckBox(self.tr("Nhận từ"), self)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        self.status = QComboBox(self)
        self.status.setObjectName("statusFilter")
        self.status.addItem(self.tr("Mọi trạng thái"), "")
        for status in ("received", "in_progress", "extended", "waiting_supplement"):
            self.status.addItem(STATUS_LABELS[status], status)
        self.procedure = QComboBox(self)
        self.procedure.setObjectName("procedureFilter")
        self.procedure.setMaximumWidth(260)
        self.field = QComboBox(self)
        self.field.setObjectName("fieldFilter")
        self.desk = QSpinBox(self)
        self.desk.setObjectName("deskFilter")
        self.desk.setRange(0, 99)
        self.desk.setSpecialValueText(self.tr("Mọi quầy"))
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Sắp đến hạn trong"), self))
        filters.addWidget(self.window_days)
        filters.addSpacing(12)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(self.tr("đến"), self))
        filters.addWidget(self.date_to)
        filters.addWidget(self.status)
        filters.addWidget(self.field)
        filters.addWidget(self.procedure, 1)
        filters.addWidget(QLabel(self.tr("Quầy"), self))
        filters.addWidget(self.desk)

        self.tabs = QTabWidget(self)
        self.list_title = QLabel(self)
        self.list_title.setFont(heading_font(self.font(), 1))
        self.model = BacklogModel(self)
        self.table = _table(self, self.model, "backlogTable", stretch=2)
        list_page = QWidget(self)
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 4, 0, 0)
        list_layout.addWidget(self.list_title)
        list_layout.addWidget(self.table, 1)
        self.tabs.addTab(list_page, self.tr("Danh sách"))
        self.breakdowns: dict[str, BreakdownModel] = {}
        for name, group, tab in (
            ("holder", self.tr("Người / đơn vị đang giữ"), self.tr("Theo người giữ")),
            ("procedure", self.tr("Thủ tục"), self.tr("Theo thủ tục")),
            ("field", self.tr("Lĩnh vực"), self.tr("Theo lĩnh vực")),
        ):
            model = BreakdownModel(group, self)
            self.breakdowns[name] = model
            self.tabs.addTab(_table(self, model, f"breakdown_{name}", stretch=0), tab)
        charts = QWidget(self)
        grid = QGridLayout(charts)
        self.flow_chart = BarChart(self.tr("Tiếp nhận và giải quyết 30 ngày qua"), charts)
        self.rate_chart = LineChart(self.tr("Tỷ lệ trước và đúng hạn theo tuần (%)"), charts)
        self.age_chart = BarChart(self.tr("Hồ sơ đang giải quyết theo số ngày từ khi nhận"), charts)
        grid.addWidget(self.flow_chart, 0, 0)
        grid.addWidget(self.rate_chart, 0, 1)
        grid.addWidget(self.age_chart, 1, 0, 1, 2)
        self.tabs.addTab(charts, self.tr("Biểu đồ"))

        # the period report
        self.report_from = QDateEdit(self)
        self.report_to = QDateEdit(self)
        for edit in (self.report_from, self.report_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.report_by = QComboBox(self)
        self.report_by.addItem(self.tr("theo lĩnh vực"), "field")
        self.report_by.addItem(self.tr("theo thủ tục"), "procedure")
        self.report_pdf = QPushButton(self.tr("Báo cáo &PDF"), self)
        self.report_pdf.setObjectName("reportPdf")
        self.report_xlsx = QPushButton(self.tr("Báo cáo &Excel"), self)
        self.report_xlsx.setObjectName("reportXlsx")
        report = QHBoxLayout()
        report.addWidget(QLabel(self.tr("Báo cáo định kỳ (Biểu II.06a) từ"), self))
        report.addWidget(self.report_from)
        report.addWidget(QLabel(self.tr("đến"), self))
        report.addWidget(self.report_to)
        report.addWidget(self.report_by)
        report.addWidget(self.report_pdf)
        report.addWidget(self.report_xlsx)
        report.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.history_bar)
        layout.addLayout(tiles)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(report)

    def set_report_range(self, start: dt.date, end: dt.date) -> None:
        self.report_from.setDate(QDate(start.year, start.month, start.day))
        self.report_to.setDate(QDate(end.year, end.month, end.day))

    def set_received_range(self, start: dt.date, end: dt.date) -> None:
        for edit, day in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()

    @Slot(int, int)
    def show_history_progress(self, done: int, total: int) -> None:
        """How far the report history's catch-up is; hidden once it is done."""
        bar = self.history_bar
        if done >= total:
            bar.hide()
            return
        bar.setRange(0, total)
        bar.setValue(done)
        bar.setFormat(self.tr("Đang cập nhật số liệu báo cáo: %v/%m hồ sơ"))
        bar.show()

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()
