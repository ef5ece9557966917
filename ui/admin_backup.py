"""Backups (sao lưu): where daily backups go, how many are kept, how the last one went;
a backup now; restore from a backup file after confirmation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from desk_app import backup
from desk_app.auth import Officer
from desk_app.clock import LOCAL_ZONE, utc_naive
from desk_app.context import DeskContext
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations

EVERYTHING = Changes(
    dossiers=True, outbox=True, catalogue=True, profile=True, calendar=True, users=True
)


def _local(at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    return f"{at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE):%H:%M %d/%m/%Y}"


class BackupSection(AdminSection):
    def __init__(
        self, ctx: DeskContext, ops: Operations, officer: Officer, parent: QWidget | None = None
    ) -> None:
        super().__init__(ops, officer, parent)
        self._ctx = ctx
        self.explain(
            self.tr(
                "Bản sao lưu được mã hóa bằng cụm mật khẩu sao lưu: mất cụm mật khẩu thì không "
                "khôi phục được. Nên chọn thư mục trên ổ USB hoặc ổ đĩa khác."
            )
        )
        self.status_label = QLabel(self)
        self.status_label.setObjectName("backupStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.layout_.addWidget(self.status_label)
        form = QFormLayout()
        folder_row = QHBoxLayout()
        self.folder = QLineEdit(self)
        self.folder_button = QPushButton(self.tr("Chọn…"), self)
        self.folder_button.clicked.connect(self.pick_folder)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.folder_button)
        self.keep = QSpinBox(self)
        self.keep.setRange(1, 365)
        self.keep.setSuffix(self.tr(" bản"))
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("backupPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(
            self.tr("cụm mật khẩu sao lưu (ít nhất 10 ký tự; cần để khôi phục)")
        )
        form.addRow(self.tr("Thư mục sao lưu:"), folder_row)
        often = QLabel(
            self.tr(
                "Hằng ngày: khi cửa sổ đang mở, ứng dụng tự sao lưu mỗi khi bản tốt gần nhất đã "
                "quá 24 giờ (máy tắt cả ngày thì có thể đặt lịch lệnh «desk-app backup daily» "
                "trong hệ điều hành); bấm «Sao lưu ngay» để sao lưu bất cứ lúc nào."
            ),
            self,
        )
        often.setWordWrap(True)
        form.addRow(self.tr("Tần suất:"), often)
        form.addRow(self.tr("Giữ lại:"), self.keep)
        form.addRow(self.tr("Cụm mật khẩu:"), self.passphrase)
        self.layout_.addLayout(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Lưu cài đặt"), self)
        self.save_button.clicked.connect(self.save_settings)
        self.now_button = QPushButton(self.tr("Sao lưu ngay"), self)
        self.now_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(self.tr("Khôi phục từ bản sao lưu…"), self)
        self.restore_button.clicked.connect(self.pick_restore)
        for b in (self.save_button, self.now_button, self.restore_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self.layout_.addStretch(1)

    def refresh(self) -> None:
        ctx = self._ctx
        self.call(lambda: backup.backup_status(ctx), self._show)

    def _show(self, status: backup.BackupStatus) -> None:
        lines = [
            self.tr("Lần sao lưu tự động thành công gần nhất: {0}").format(
                _local(status.last_success_at)
            )
        ]
        if status.last_file:
            lines.append(self.tr("Tệp: {0}").format(status.last_file))
        if status.last_error:
            lines.append(self.tr("Lỗi gần nhất: {0}").format(status.last_error))
        if not status.passphrase_set:
            lines.append(self.tr("Chưa đặt cụm mật khẩu sao lưu."))
        elif status.folder and status.unattended:
            lines.append(self.tr("Sao lưu tự động: sẵn sàng (cụm mật khẩu được lưu trên máy này)."))
        elif status.folder:
            lines.append(
                self.tr(
                    "Sao lưu tự động chưa chạy được: cụm mật khẩu chưa được lưu trên máy này; "
                    "nhập cụm mật khẩu rồi bấm «Lưu cài đặt»."
                )
            )
        self.status_label.setText("\n".join(lines))
        if status.folder and not self.folder.text():
            self.folder.setText(status.folder)
        self.keep.setValue(status.keep)

    def pick_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục sao lưu"))
        if name:
            self.folder.setText(name)

    def save_settings(self) -> None:
        ctx, passphrase = self._ctx, self.passphrase.text()
        folder = Path(self.folder.text()) if self.folder.text().strip() else None
        keep = self.keep.value()

        def done(_kept: bool) -> None:
            self.say(self.tr("Đã lưu cài đặt sao lưu."))
            self.refresh()

        self.call(lambda: backup.configure(ctx, passphrase, folder=folder, keep=keep), done)

    def backup_now(self) -> None:
        ctx, passphrase, actor = self._ctx, self.passphrase.text(), self.officer.username
        if not self.folder.text().strip():
            self.say(self.tr("Chọn thư mục sao lưu trước."), "warning")
            return
        folder = Path(self.folder.text())

        def run() -> Path:
            now = utc_naive(ctx.clock)
            target = folder / f"desk-{now:%Y%m%d-%H%M%S}{backup.SUFFIX}"
            backup.create_backup(ctx, target, passphrase, actor=actor)
            return target

        self.call(
            run,
            lambda target: self.say(
                self.tr("Đã sao lưu và kiểm tra xong: {0}. Giữ cụm mật khẩu để khôi phục.").format(
                    target
                )
            ),
        )

    def pick_restore(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Chọn bản sao lưu"), self.folder.text(),
            self.tr("Bản sao lưu (*.deskbak)"),
        )  # fmt: skip
        if name:
            self.restore_from(Path(name))

    def restore_from(self, source: Path) -> None:
        """Check the backup, say what restoring it would do, and restore once confirmed."""
        ctx, passphrase = self._ctx, self.passphrase.text()
        self.call(lambda: backup.prepare_restore(source, passphrase, ctx.data_dir), self._confirm)

    def _confirm(self, plan: backup.RestorePlan) -> None:
        question = "\n".join(
            [*plan.describe(), self.tr("Khôi phục và thay cơ sở dữ liệu hiện tại?")]
        )
        if not self.confirm(question):
            plan.discard()
            self.say(self.tr("Không khôi phục."))
            return
        ctx, actor = self._ctx, self.officer.username

        def run() -> None:
            try:
                # Connections of this window must be closed for the swap; new ones open
                # the restored file.
                ctx.db.dispose()
                backup.apply_restore(plan, ctx.clock)
            finally:
                plan.discard()
            backup.record_restore(ctx, plan, actor)

        self.call(
            run,
            lambda _r: self.say(self.tr("Đã khôi phục từ {0}.").format(plan.backup.name)),
            changes=EVERYTHING,
        )
