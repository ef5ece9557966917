"""The screen shown when the desk's database cannot be opened.

A damaged file (or a key this account does not hold) is not the end of the desk: the
screen names the last good backup (when, how many dossiers, which file) and lets an
administrator restore it, or another backup file, with the backup's passphrase, after a
confirmation that says what restoring does. The checks and the swap run on the database
thread (``ui.operations``) with a busy bar; the damaged file is kept aside, never deleted.
Then the window opens the restored desk as it opens any desk (``MainWindow.attach``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.clock import LOCAL_ZONE, SystemClock
from desk_app.errors import user_message
from desk_app.recovery import OpenFailure, Restored
from ui.operations import Operations


def _local(at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    return f"{at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE):%H:%M ngày %d/%m/%Y}"


class DamagedDatabasePage(QWidget):
    """What went wrong, the last good backup, and the way back to it."""

    #: the restored desk (``desk_app.recovery.Restored``), opened and audited
    restored = Signal(object)

    def __init__(self, failure: OpenFailure, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("damagedDatabase")
        self.failure = failure
        self._ops = ops
        #: asks the administrator to confirm; tests replace it
        self.confirm: Callable[[str], bool] = self._ask
        #: asks for another backup file; tests replace it
        self.choose_file: Callable[[], Path | None] = self._pick_file
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(12)
        layout.addStretch(1)
        title = QLabel(
            self.tr("Cơ sở dữ liệu bị hỏng")
            if failure.damaged
            else self.tr("Không mở được cơ sở dữ liệu"),
            self,
        )
        font = QFont(title.font())
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.message = QLabel(failure.message, self)
        self.message.setObjectName("openFailure")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.backup_label = QLabel(self)
        self.backup_label.setObjectName("lastGoodBackup")
        self.backup_label.setWordWrap(True)
        self.backup_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.backup_label)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("cụm mật khẩu sao lưu"))
        self.passphrase.setMaximumWidth(420)
        self.restore_button = QPushButton(self.tr("Khôi phục bản sao lưu này"), self)
        self.restore_button.setObjectName("restoreLastGood")
        self.restore_button.clicked.connect(self.restore_last_good)
        self.other_button = QPushButton(self.tr("Chọn bản sao lưu khác…"), self)
        self.other_button.setObjectName("restoreOther")
        self.other_button.clicked.connect(self.restore_other)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: checking and swapping have no steps to count
        self.progress.setMaximumWidth(420)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setObjectName("restoreStatus")
        self.status.setWordWrap(True)
        if failure.restorable:
            self.backup_label.setText(self._describe_backup())
            who = QLabel(
                self.tr(
                    "Quản trị viên nhập cụm mật khẩu sao lưu để khôi phục. Tệp cơ sở dữ liệu "
                    "hiện tại được đổi tên và giữ lại trong thư mục dữ liệu, không bị xóa."
                ),
                self,
            )
            who.setWordWrap(True)
            layout.addWidget(who)
            layout.addWidget(self.passphrase)
            layout.addLayout(buttons)
            self.restore_button.setVisible(failure.last_good is not None)
        else:
            self.backup_label.setText(self.tr("Hãy báo cho quản trị viên."))
            for widget in (self.passphrase, self.restore_button, self.other_button):
                widget.hide()
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(2)

    def _describe_backup(self) -> str:
        good = self.failure.last_good
        if good is None:
            return self.tr(
                "Máy này không ghi nhận bản sao lưu tốt nào. Hãy chọn tệp sao lưu (.deskbak), "
                "ví dụ trên ổ USB sao lưu."
            )
        lines = [self.tr("Bản sao lưu tốt gần nhất: lúc {0}").format(_local(good.created_at))]
        if good.dossiers is not None:
            lines[0] += self.tr(", {0} hồ sơ").format(good.dossiers)
        lines.append(self.tr("Tệp: {0}").format(good.file))
        return "\n".join(lines)

    # ------------------------------------------------------------------ restore

    def restore_last_good(self) -> None:
        if self.failure.last_good is not None:
            self.restore_from(self.failure.last_good.file)

    def restore_other(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.restore_from(path)

    def _pick_file(self) -> Path | None:
        good = self.failure.last_good
        start = str(good.file.parent) if good is not None else ""
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Chọn bản sao lưu"), start, self.tr("Bản sao lưu (*.deskbak)")
        )
        return Path(name) if name else None

    def _busy(self, text: str) -> None:
        for widget in (self.passphrase, self.restore_button, self.other_button):
            widget.setEnabled(not text)
        self.progress.setVisible(bool(text))
        if text:
            self.status.setText(text)

    def restore_from(self, source: Path) -> None:
        """Check the backup (decrypt, verify, compare with this desk), then ask."""
        from desk_app.backup import prepare_restore

        passphrase = self.passphrase.text()
        if not passphrase:
            self.status.setText(self.tr("Nhập cụm mật khẩu sao lưu trước."))
            self.passphrase.setFocus()
            return
        data_dir = self.failure.data_dir
        self._busy(self.tr("Đang kiểm tra bản sao lưu {0}…").format(source.name))
        self._ops.run(
            lambda: prepare_restore(source, passphrase, data_dir), self._ask_then_restore,
            self._failed,
        )  # fmt: skip

    def _ask_then_restore(self, plan: object) -> None:
        from desk_app.backup import RestorePlan
        from desk_app.recovery import restore_and_open

        assert isinstance(plan, RestorePlan)
        question = "\n".join(
            [
                *plan.describe(),
                self.tr("Tệp hiện tại được đổi tên và giữ lại trong {0}.").format(
                    self.failure.data_dir
                ),
                self.tr("Khôi phục bản sao lưu này thay cho cơ sở dữ liệu hiện tại?"),
            ]
        )
        if not self.confirm(question):
            plan.discard()
            self._busy("")
            self.status.setText(self.tr("Chưa khôi phục gì."))
            return
        self._busy(self.tr("Đang khôi phục…"))
        clock = SystemClock()
        self._ops.run(lambda: restore_and_open(plan, clock), self._done, self._failed)

    def _done(self, result: Restored) -> None:
        self._busy("")
        kept = result.damaged_kept
        self.status.setText(
            self.tr("Đã khôi phục. Tệp cũ được giữ ở {0}.").format(kept)
            if kept is not None
            else self.tr("Đã khôi phục.")
        )
        self.restored.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._busy("")
        self.status.setText(self.tr("Không khôi phục được: {0}").format(user_message(exc)))

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Khôi phục bản sao lưu"), question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes
