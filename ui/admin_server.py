"""District server (máy chủ huyện): enrol the desk with the code the district gave (the
window's ``desk-app enroll``, with the CA file), test the connection, and see the events
the server refused, with its reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.clock import LOCAL_ZONE
from desk_app.outbox_report import SetAsideEvent
from desk_app.sync import transport
from desk_app.sync.engine import SyncEngine, SyncStatus
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations
from ui.sync_status import describe_error

# What each kind of change is called on this screen (the event kinds' own names are code).
KIND_LABELS = {
    "dossier.received": "Tiếp nhận hồ sơ",
    "calendar.override_set": "Ngày nghỉ, ngày làm bù",
    "calendar.override_cleared": "Bỏ ngày nghỉ, ngày làm bù",
    "commune.profile_set": "Thông tin đơn vị",
    "commune.setting_set": "Cài đặt của xã",
    "directory.entry_set": "Nơi nhận hồ sơ chuyển",
    "intake.guided": "Hướng dẫn, không nhận hồ sơ",
    "intake.refused": "Từ chối tiếp nhận",
}


def kind_label(kind: str) -> str:
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    if kind.startswith("dossier."):
        return "Thay đổi hồ sơ"
    return kind


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _local(at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    return f"{at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE):%H:%M %d/%m/%Y}"


class ServerSection(AdminSection):
    def __init__(
        self,
        sync: SyncEngine,
        set_aside: Callable[[], list[SetAsideEvent]],
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._sync = sync
        self._set_aside = set_aside
        self.explain(
            self.tr(
                "Huyện cấp địa chỉ máy chủ, mã đăng ký dùng một lần và (nếu có) tệp chứng chỉ CA. "
                "Sau khi đăng ký, hồ sơ của quầy được gửi lên huyện và nhận về từ các quầy khác "
                "của xã."
            )
        )
        self.status_label = QLabel(self)
        self.status_label.setObjectName("serverStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.layout_.addWidget(self.status_label)
        box = QGroupBox(self.tr("Đăng ký quầy với máy chủ huyện"), self)
        form = QFormLayout(box)
        self.url = QLineEdit(box)
        self.url.setPlaceholderText("https://mot-cua.huyen.gov.vn")
        self.code = QLineEdit(box)
        self.code.setPlaceholderText(self.tr("mã đăng ký do huyện cấp (dùng một lần)"))
        ca_row = QHBoxLayout()
        self.ca_file = QLineEdit(box)
        self.ca_file.setPlaceholderText(self.tr("tệp chứng chỉ CA của huyện (nếu huyện cấp)"))
        self.ca_button = QPushButton(self.tr("Chọn…"), box)
        self.ca_button.clicked.connect(self.pick_ca)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_button)
        form.addRow(self.tr("Địa chỉ máy chủ:"), self.url)
        form.addRow(self.tr("Mã đăng ký:"), self.code)
        form.addRow(self.tr("Chứng chỉ CA:"), ca_row)
        buttons = QHBoxLayout()
        self.enroll_button = QPushButton(self.tr("Đăng ký"), box)
        self.enroll_button.clicked.connect(self.enroll)
        self.test_button = QPushButton(self.tr("Kiểm tra kết nối"), box)
        self.test_button.clicked.connect(self.test_connection)
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        self.layout_.addWidget(box)
        self.layout_.addWidget(
            QLabel(self.tr("Thay đổi máy chủ huyện không nhận (để riêng, kèm lý do):"), self)
        )
        self.rejected = QTableWidget(0, 4, self)
        self.rejected.setObjectName("rejectedTable")
        self.rejected.setHorizontalHeaderLabels(
            [self.tr("Loại thay đổi"), self.tr("Ghi lúc"), self.tr("Người ghi"), self.tr("Lý do")]
        )
        self.rejected.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejected.horizontalHeader().setStretchLastSection(True)
        self.rejected.setWordWrap(True)
        self.rejected.verticalHeader().hide()
        self.layout_.addWidget(self.rejected, 1)

    def refresh(self) -> None:
        sync, set_aside = self._sync, self._set_aside
        self.call(lambda: (sync.status(), set_aside()), self._show)

    def _show(self, data: tuple[SyncStatus, list[SetAsideEvent]]) -> None:
        status, events = data
        if status.enrolled:
            text = self.tr(
                "Đã đăng ký với {0}. Lần đồng bộ thành công gần nhất: {1}. Thay đổi chờ gửi: {2}."
            ).format(status.server_url, _local(status.last_success_at), status.pending)
            if events:
                # Shown for as long as anything is set aside, not only until the next
                # successful round clears the last error.
                text += " " + self.tr(
                    "Có {0} thay đổi máy chủ không nhận: xem bảng bên dưới."
                ).format(len(events))
            if status.last_error and status.last_error_code != transport.REJECTED:
                text += " " + self.tr("Lỗi gần nhất: {0}.").format(
                    describe_error(status.last_error_code, status.last_error)
                )
            if status.server_url and not self.url.text():
                self.url.setText(status.server_url)
        else:
            text = self.tr(
                "Quầy chưa đăng ký với máy chủ huyện: hồ sơ chỉ lưu trên máy này. "
                "Nhập địa chỉ và mã đăng ký huyện cấp rồi bấm Đăng ký."
            )
        self.status_label.setText(text)
        self.rejected.setRowCount(len(events))
        reason = self.tr(
            "Máy chủ huyện không nhận (dữ liệu không hợp lệ với máy chủ). Thay đổi được giữ "
            "riêng trên máy, không chặn các thay đổi khác; báo cán bộ huyện nếu lặp lại."
        )
        for i, e in enumerate(events):
            cells = (self.tr(kind_label(e.kind)), _local(e.occurred_at), _printable(e.actor),
                     reason)  # fmt: skip
            for j, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                # The server's own words, for the district's technician.
                item.setToolTip(self.tr("Chi tiết kỹ thuật: {0}").format(_printable(e.reason)))
                self.rejected.setItem(i, j, item)
        self.rejected.resizeRowsToContents()

    def pick_ca(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Chọn tệp chứng chỉ CA"), "", self.tr("Chứng chỉ (*.pem *.crt *.cer)")
        )
        if name:
            self.ca_file.setText(name)

    def enroll(self) -> None:
        sync = self._sync
        url, code = self.url.text().strip(), self.code.text().strip()
        ca = self.ca_file.text().strip() or None
        if not url or not code:
            self.say(self.tr("Nhập địa chỉ máy chủ và mã đăng ký."), "warning")
            return

        def done(answer: dict[str, object]) -> None:
            self.code.clear()
            self.say(
                self.tr("Đã đăng ký quầy {0} của {1} với {2}.").format(
                    answer.get("desk"), answer.get("agency_code"), answer.get("server_url")
                )
            )
            self.refresh()

        self.call(
            lambda: sync.enroll(url, code, ca), done, changes=Changes(outbox=True, profile=True)
        )

    def test_connection(self) -> None:
        sync = self._sync

        def done(ok: bool) -> None:
            if ok:
                self.say(self.tr("Máy chủ huyện trả lời: kết nối tốt."))
            else:
                self.say(
                    self.tr(
                        "Máy chủ huyện không trả lời (hoặc quầy chưa đăng ký). Kiểm tra mạng và "
                        "địa chỉ máy chủ; hồ sơ vẫn lưu trên máy và sẽ gửi khi có kết nối."
                    ),
                    "warning",
                )

        self.call(sync.probe, done)
