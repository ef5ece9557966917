"""Help in the window: the user guide on F1, the printable quick reference, and the About
box with the program's version and the database's schema revision."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from ui.operations import Operations


class GuideDialog(QDialog):
    """The Vietnamese user guide, with its table of contents as in-page links."""

    def __init__(self, html: str, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide")
        self._ops = ops
        self.setWindowTitle(self.tr("Hướng dẫn sử dụng"))
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(html)
        layout.addWidget(self.browser)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(self)
        self.quick_button = QPushButton(self.tr("Lưu bảng tra cứu nhanh để &in…"), self)
        self.quick_button.setToolTip(
            self.tr("Một trang A4 tóm tắt các việc hằng ngày, để dán cạnh máy tính")
        )
        buttons.addButton(self.quick_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Đó&ng"))
        buttons.rejected.connect(self.reject)
        self.quick_button.clicked.connect(self.save_quick_reference)
        layout.addWidget(buttons)

    def choose_path(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder) / "bang-tra-cuu-nhanh.pdf") if folder else "bang-tra-cuu-nhanh.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Lưu bảng tra cứu nhanh"), start, self.tr("Tệp PDF (*.pdf)")
        )
        return path

    def save_quick_reference(self, path: str | None = None) -> None:
        """Render the quick reference (off the GUI thread), save it, and open it in the
        system's PDF viewer to print."""
        target = path if path is not None else self.choose_path()
        if not target:
            return
        from desk_app.files import check_output_path, write_output
        from desk_app.guide import quick_reference_pdf

        out = Path(target)

        def work() -> Path:
            check_output_path(out)
            write_output(out, quick_reference_pdf())
            return out

        self.quick_button.setEnabled(False)
        self.status.setText(self.tr("Đang tạo bảng tra cứu nhanh…"))
        self._ops.run(work, self._saved, self._failed)

    def _saved(self, path: Path) -> None:
        self.quick_button.setEnabled(True)
        self.status.setText(self.tr("Đã lưu {0}. Mở tệp để in.").format(path))
        if self.property("open_after_save") is not False:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _failed(self, exc: BaseException) -> None:
        from desk_app.errors import user_message

        self.quick_button.setEnabled(True)
        self.status.setText(self.tr("Không lưu được: {0}").format(user_message(exc)))


def about_text(window: QWidget, schema_in_use: str | None) -> str:
    from desk_app.guide import program_version

    version, schema = program_version()
    text = window.tr(
        "Phần mềm Bộ phận Một cửa cấp xã\n\nPhiên bản {0}\nLược đồ cơ sở dữ liệu: {1}"
    ).format(version, schema)
    if schema_in_use is not None and schema_in_use != schema:
        text += window.tr("\nCơ sở dữ liệu đang mở: lược đồ {0}").format(schema_in_use)
    return text


class HelpMenu:
    """The window's Help menu: guide (F1), About."""

    def __init__(self, window: QMainWindow, ops: Operations) -> None:
        self._window = window
        self._ops = ops
        self.dialog: GuideDialog | None = None
        self.schema_in_use: str | None = None
        menu = window.menuBar().addMenu(window.tr("Trợ &giúp"))
        self.guide_action = QAction(window.tr("&Hướng dẫn sử dụng"), window)
        self.guide_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.guide_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.guide_action.triggered.connect(self.show_guide)
        self.about_action = QAction(window.tr("&Giới thiệu"), window)
        self.about_action.triggered.connect(self.show_about)
        menu.addAction(self.guide_action)
        menu.addSeparator()
        menu.addAction(self.about_action)
        window.addAction(self.guide_action)

    def show_guide(self) -> GuideDialog:
        from desk_app.guide import guide_html

        if self.dialog is None:
            self.dialog = GuideDialog(guide_html(), self._ops, self._window)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self._window)
        box.setObjectName("about")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self._window.tr("Giới thiệu"))
        box.setText(about_text(self._window, self.schema_in_use))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        return box
