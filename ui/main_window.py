"""The desk's main window: the intake screen in front, the backlog and search beside it.

It appears before the database is open (see ``ui.app``) with a busy indicator, and is
given the services with ``attach``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desk_app.context import DeskContext


class MainWindow(QMainWindow):
    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.context: DeskContext | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Bộ phận Một cửa"))
        self.resize(1200, 760)

        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        self.loading_page = self._loading_page()
        self.pages.addWidget(self.loading_page)
        self.statusBar().showMessage(self.tr("Đang mở cơ sở dữ liệu…"))

    def _loading_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.loading_label = QLabel(self.tr("Đang mở cơ sở dữ liệu…"), page)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        layout.addWidget(self.loading_label)
        self.loading_bar = QProgressBar(page)
        self.loading_bar.setRange(0, 0)  # busy: opening has no measurable steps
        self.loading_bar.setMaximumWidth(360)
        layout.addWidget(self.loading_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def attach(self, ctx: DeskContext) -> None:
        """Receive the opened services and build the working screens."""
        self.context = ctx
        profile = ctx.profiles.get()
        if profile is None:
            self.setWindowTitle(self.tr("Bộ phận Một cửa — chưa thiết lập đơn vị"))
            self.statusBar().showMessage(
                self.tr(
                    "Chưa thiết lập thông tin đơn vị: chạy “desk-app init” hoặc trình hướng dẫn."
                )
            )
        else:
            self.setWindowTitle(
                self.tr("Bộ phận Một cửa — {0} — Quầy {1}").format(
                    profile.parent_body, profile.desk_number
                )
            )
            self.statusBar().showMessage(
                self.tr("{0}, {1} · Mã đơn vị {2} · Giờ làm việc {3}").format(
                    profile.commune_name,
                    profile.province,
                    profile.agency_code,
                    profile.office_hours,
                )
            )
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        intake = QLabel(self.tr("Màn hình tiếp nhận hồ sơ"), self.tabs)
        intake.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(intake, self.tr("Tiếp nhận"))
        self.pages.addWidget(self.tabs)
        self.pages.setCurrentWidget(self.tabs)
        self.ready.emit()

    def show_open_error(self, message: str) -> None:
        self.loading_bar.hide()
        self.loading_label.setText(
            self.tr("Không mở được cơ sở dữ liệu.\n\n{0}\n\nHãy báo cho quản trị viên.").format(
                message
            )
        )
        self.statusBar().showMessage(self.tr("Lỗi mở cơ sở dữ liệu"))
