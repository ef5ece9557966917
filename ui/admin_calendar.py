"""Calendar (lịch làm việc): one month as a grid. Official days off (from the holidays
package) and make-up working days are shown; the administrator's overrides are shown
apart and can be set: pick a day, say what it becomes and why."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.calendar_admin import CalendarAdmin, CalendarDay
from desk_app.clock import Clock, local_now
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations

COLOURS = {
    "holiday": "#fde0dc",  # official day off
    "weekend_workday": "#e3f2fd",  # official make-up working day
    "override": "#fff3c4",  # the administrator's
    "weekend": "#eeeeee",
}


class CalendarSection(AdminSection):
    def __init__(
        self,
        admin: CalendarAdmin,
        clock: Clock,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._admin = admin
        today = local_now(clock).date()
        self.days: dict[dt.date, CalendarDay] = {}
        self._loaded_year: int | None = None
        self.explain(
            self.tr(
                "Ngày lễ, Tết chính thức đã có sẵn. Khi có văn bản nghỉ thêm hoặc làm bù, chọn "
                "ngày trong lịch, chọn loại, ghi số văn bản rồi bấm Đặt; các quầy khác nhận khi "
                "đồng bộ."
            )
        )
        top = QHBoxLayout()
        self.year = QSpinBox(self)
        self.year.setRange(2020, 2100)
        self.year.setValue(today.year)
        self.month = QComboBox(self)
        for m in range(1, 13):
            self.month.addItem(self.tr("Tháng {0}").format(m), m)
        self.month.setCurrentIndex(today.month - 1)
        top.addWidget(QLabel(self.tr("Năm:"), self))
        top.addWidget(self.year)
        top.addWidget(self.month)
        top.addStretch(1)
        self.layout_.addLayout(top)
        self.grid = QTableWidget(6, 7, self)
        self.grid.setObjectName("calendarGrid")
        self.grid.setHorizontalHeaderLabels(
            [self.tr("Thứ Hai"), self.tr("Thứ Ba"), self.tr("Thứ Tư"), self.tr("Thứ Năm"),
             self.tr("Thứ Sáu"), self.tr("Thứ Bảy"), self.tr("Chủ Nhật")]
        )  # fmt: skip
        self.grid.verticalHeader().hide()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.horizontalHeader().setSectionResizeMode(
            self.grid.horizontalHeader().ResizeMode.Stretch
        )
        self.grid.setWordWrap(True)
        self.layout_.addWidget(self.grid, 1)
        legend = QLabel(
            self.tr(
                "Hồng: ngày nghỉ chính thức · Xanh: ngày làm bù chính thức · "
                "Vàng: ngoại lệ do quản trị viên đặt · Xám: cuối tuần"
            ),
            self,
        )
        self.layout_.addWidget(legend)
        edit = QHBoxLayout()
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("Ngày nghỉ thêm"), "day_off")
        self.kind.addItem(self.tr("Ngày làm việc bù"), "working_day")
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("Lý do: số văn bản công bố thay đổi"))
        self.set_button = QPushButton(self.tr("Đặt cho ngày đã chọn"), self)
        self.set_button.clicked.connect(self.set_override)
        edit.addWidget(self.kind)
        edit.addWidget(self.reason, 1)
        edit.addWidget(self.set_button)
        self.clear_button = QPushButton(self.tr("Bỏ ngoại lệ, theo lịch chính thức"), self)
        self.clear_button.clicked.connect(self.clear_override)
        edit.addWidget(self.clear_button)
        self.layout_.addLayout(edit)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.month.currentIndexChanged.connect(lambda _i: self._draw())

    def refresh(self) -> None:
        admin, year = self._admin, self.year.value()
        self.call(lambda: (year, admin.year(year)), self._loaded)

    def _loaded(self, data: tuple[int, list[CalendarDay]]) -> None:
        year, days = data
        self._loaded_year = year
        self.days = {d.day: d for d in days}
        self._draw()

    def _draw(self) -> None:
        year, month = self.year.value(), int(self.month.currentData())
        self.grid.clearContents()
        weeks = pycalendar.Calendar().monthdatescalendar(year, month)
        self.grid.setRowCount(len(weeks))
        for r, week in enumerate(weeks):
            for c, day in enumerate(week):
                if day.month != month:
                    continue
                info = self.days.get(day)
                text = str(day.day)
                colour = COLOURS["weekend"] if day.weekday() >= 5 else None
                if info is not None:
                    state = self.tr("nghỉ") if not info.working else self.tr("làm việc")
                    text = f"{day.day} — {state}\n{info.reason}"
                    colour = COLOURS[info.source]
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
                if info is not None:
                    item.setToolTip(info.reason)
                if colour:
                    item.setBackground(QBrush(QColor(colour)))
                self.grid.setItem(r, c, item)
        self.grid.resizeRowsToContents()

    def select_day(self, day: dt.date) -> None:
        for r in range(self.grid.rowCount()):
            for c in range(7):
                item = self.grid.item(r, c)
                if item is not None and item.data(Qt.ItemDataRole.UserRole) == day.isoformat():
                    self.grid.setCurrentCell(r, c)

    def selected_day(self) -> dt.date | None:
        item = self.grid.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return dt.date.fromisoformat(value) if isinstance(value, str) else None

    def set_override(self) -> None:
        day = self.selected_day()
        if day is None:
            self.say(self.tr("Chọn một ngày trong lịch trước."), "warning")
            return
        admin, kind, reason = self._admin, self.kind.currentData(), self.reason.text()
        actor = self.officer.username

        def done(_r: None) -> None:
            self.say(self.tr("Đã đặt ngoại lệ cho ngày {0}.").format(f"{day:%d/%m/%Y}"))
            self.reason.clear()
            self.refresh()

        self.call(
            lambda: admin.add_override(day, kind, reason, actor),
            done,
            changes=Changes(calendar=True, outbox=True),
        )

    def clear_override(self) -> None:
        day = self.selected_day()
        if day is None:
            self.say(self.tr("Chọn một ngày trong lịch trước."), "warning")
            return
        info = self.days.get(day)
        if info is None or info.source != "override":
            self.say(self.tr("Ngày này không có ngoại lệ do quản trị viên đặt."), "warning")
            return
        admin, actor = self._admin, self.officer.username

        def done(_r: None) -> None:
            self.say(
                self.tr("Đã bỏ ngoại lệ: ngày {0} theo lịch chính thức.").format(f"{day:%d/%m/%Y}")
            )
            self.refresh()

        self.call(
            lambda: admin.clear_override(day, actor),
            done,
            changes=Changes(calendar=True, outbox=True),
        )
