"""Accounts (tài khoản): add, disable, re-enable, reset a password, change a role, and
lift the wait of names locked out after wrong passwords."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
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

from desk_app.accounts import AccountAdmin, AccountRow
from desk_app.auth import ROLE_LABELS, LockedAccount, Officer, Role, UserService
from desk_app.clock import LOCAL_ZONE
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations

_USERS = Changes(users=True)


class AccountsSection(AdminSection):
    def __init__(
        self,
        accounts: AccountAdmin,
        users: UserService,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._accounts = accounts
        self._users = users
        self.rows: list[AccountRow] = []
        self.explain(
            self.tr(
                "Mỗi cán bộ một tài khoản riêng. Mật khẩu do quản trị viên đặt (tài khoản mới, đặt"
                " lại) phải được đổi khi đăng nhập. Máy luôn giữ ít nhất một quản trị viên đang "
                "hoạt động."
            )
        )
        self.locked: list[LockedAccount] = []

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("accountsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Tên đăng nhập"), self.tr("Họ và tên"), self.tr("Vai trò"),
             self.tr("Trạng thái")]
        )  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in (0, 2):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        header.setSectionResizeMode(3, header.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.layout_.addWidget(self.table, 2)

        actions = QHBoxLayout()
        self.disable_button = QPushButton(self.tr("Vô hiệu hóa"), self)
        self.enable_button = QPushButton(self.tr("Bật lại"), self)
        self.reset_button = QPushButton(self.tr("Đặt lại mật khẩu"), self)
        self.role_combo = QComboBox(self)
        for role in Role:
            self.role_combo.addItem(self.tr(ROLE_LABELS[role]), role.value)
        self.role_button = QPushButton(self.tr("Đổi vai trò"), self)
        for w in (self.disable_button, self.enable_button, self.reset_button,
                  self.role_combo, self.role_button):  # fmt: skip
            actions.addWidget(w)
        actions.addStretch(1)
        self.recovery_button = QPushButton(self.tr("Cấp mã khôi phục mới"), self)
        self.recovery_button.clicked.connect(self.reissue_recovery_code)
        actions.addWidget(self.recovery_button)
        self.layout_.addLayout(actions)
        self.disable_button.clicked.connect(self.disable_selected)
        self.enable_button.clicked.connect(self.enable_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.role_button.clicked.connect(self.change_selected_role)

        add_box = QGroupBox(self.tr("Thêm tài khoản"), self)
        form = QFormLayout(add_box)
        self.new_username = QLineEdit(add_box)
        self.new_username.setObjectName("newUsername")
        self.new_username.setPlaceholderText(self.tr("ví dụ: lan.nt (chữ thường không dấu)"))
        self.new_full_name = QLineEdit(add_box)
        self.new_full_name.setObjectName("newFullName")
        self.new_role = QComboBox(add_box)
        for role in Role:
            self.new_role.addItem(self.tr(ROLE_LABELS[role]), role.value)
        self.new_password = QLineEdit(add_box)
        self.new_password.setObjectName("newPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(
            self.tr("mật khẩu tạm, ít nhất 8 ký tự; người dùng đổi khi đăng nhập lần đầu")
        )
        form.addRow(self.tr("Tên đăng nhập:"), self.new_username)
        form.addRow(self.tr("Họ và tên:"), self.new_full_name)
        form.addRow(self.tr("Vai trò:"), self.new_role)
        form.addRow(self.tr("Mật khẩu tạm:"), self.new_password)
        self.add_button = QPushButton(self.tr("Thêm tài khoản"), add_box)
        self.add_button.clicked.connect(self.add_account)
        form.addRow("", self.add_button)
        self.layout_.addWidget(add_box)

        locked_box = QGroupBox(self.tr("Tên đăng nhập đang bị tạm khóa vì nhập sai mật khẩu"), self)
        locked_layout = QHBoxLayout(locked_box)
        self.locked_table = QTableWidget(0, 3, locked_box)
        self.locked_table.setObjectName("lockedTable")
        self.locked_table.setHorizontalHeaderLabels(
            [self.tr("Tên đăng nhập"), self.tr("Số lần sai"), self.tr("Khóa đến")]
        )
        self.locked_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.locked_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.locked_table.horizontalHeader().setStretchLastSection(True)
        self.locked_table.verticalHeader().hide()
        self.locked_table.setMaximumHeight(130)
        locked_layout.addWidget(self.locked_table, 1)
        self.unlock_button = QPushButton(self.tr("Mở khóa"), locked_box)
        self.unlock_button.clicked.connect(self.unlock_selected)
        locked_layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addWidget(locked_box, 1)

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        accounts, users = self._accounts, self._users
        self.call(lambda: (accounts.accounts(), users.locked_accounts()), self._show)

    def _show(self, data: tuple[list[AccountRow], list[LockedAccount]]) -> None:
        self.rows, self.locked = data
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            cells = (row.username, row.full_name, self.tr(ROLE_LABELS[row.role]), self._state(row))
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.locked_table.setRowCount(len(self.locked))
        for i, lock in enumerate(self.locked):
            until = lock.locked_until_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE)
            locked = (lock.username, str(lock.failed_count), f"{until:%H:%M:%S %d/%m/%Y}")
            for j, text in enumerate(locked):
                self.locked_table.setItem(i, j, QTableWidgetItem(text))

    def _state(self, row: AccountRow) -> str:
        if not row.active:
            return self.tr("Đã vô hiệu hóa")
        parts = [self.tr("Đang hoạt động")]
        if row.must_change_password:
            parts.append(self.tr("phải đổi mật khẩu khi đăng nhập"))
        if row.locked_until is not None:
            parts.append(self.tr("đang bị tạm khóa"))
        return "; ".join(parts)

    def selected(self) -> AccountRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def select(self, username: str) -> None:
        for i, row in enumerate(self.rows):
            if row.username == username:
                self.table.selectRow(i)

    # ------------------------------------------------------------------ acts

    def _act(self, verb: str, fn_name: str) -> None:
        row = self.selected()
        if row is None:
            self.say(self.tr("Chọn một tài khoản trong bảng trước."), "warning")
            return
        accounts, by, name = self._accounts, self.officer, row.username
        fn = getattr(accounts, fn_name)
        self.call(lambda: fn(name, by), lambda _r: self._done(verb.format(name)), changes=_USERS)

    def _done(self, message: str) -> None:
        self.say(message)
        self.refresh()

    def disable_selected(self) -> None:
        row = self.selected()
        if row is not None and not self.confirm(
            self.tr("Vô hiệu hóa tài khoản {0}? Người này sẽ không đăng nhập được nữa.").format(
                row.username
            )
        ):
            return
        self._act(self.tr("Đã vô hiệu hóa tài khoản {0}."), "disable")

    def enable_selected(self) -> None:
        self._act(self.tr("Đã bật lại tài khoản {0}."), "enable")

    def reset_selected(self) -> None:
        row = self.selected()
        if row is None:
            self.say(self.tr("Chọn một tài khoản trong bảng trước."), "warning")
            return
        accounts, by, name = self._accounts, self.officer, row.username
        self.call(
            lambda: accounts.reset_password(name, by),
            lambda temp: self._reset_done(name, temp),
            changes=_USERS,
        )

    def _reset_done(self, username: str, temporary: str) -> None:
        self.say(
            self.tr(
                "Mật khẩu tạm của {0}: {1} — đưa cho người dùng; họ phải đặt mật khẩu mới "
                "khi đăng nhập."
            ).format(username, temporary)
        )
        self.refresh()

    def change_selected_role(self) -> None:
        row = self.selected()
        if row is None:
            self.say(self.tr("Chọn một tài khoản trong bảng trước."), "warning")
            return
        accounts, by, name = self._accounts, self.officer, row.username
        role = Role(self.role_combo.currentData())
        message = self.tr("Đã đổi vai trò của {0} thành {1}.").format(
            name, self.tr(ROLE_LABELS[role])
        )
        self.call(lambda: accounts.change_role(name, role, by), lambda _r: self._done(message),
                  changes=_USERS)  # fmt: skip

    def add_account(self) -> None:
        accounts, by = self._accounts, self.officer
        username = self.new_username.text()
        full_name = self.new_full_name.text()
        password = self.new_password.text()
        role = Role(self.new_role.currentData())

        def added(officer: Officer) -> None:
            for field in (self.new_username, self.new_full_name, self.new_password):
                field.clear()
            self._done(self.tr("Đã thêm tài khoản {0}.").format(officer.username))

        self.call(lambda: accounts.add(username, full_name, role, password, by), added,
                  changes=_USERS)  # fmt: skip

    def reissue_recovery_code(self) -> None:
        if not self.confirm(
            self.tr(
                "Cấp mã khôi phục mới? Mã cũ (tờ đã in) sẽ hết hiệu lực ngay; hãy in hoặc chép "
                "mã mới và cất nơi an toàn."
            )
        ):
            return
        accounts, by = self._accounts, self.officer

        def issued(code: str) -> None:
            self.say(
                self.tr(
                    "Mã khôi phục mới: {0} — chép lại và cất nơi an toàn; mã này chỉ hiện một lần."
                ).format(code)
            )

        self.call(lambda: accounts.reissue_recovery_code(by), issued)

    def unlock_selected(self) -> None:
        index = self.locked_table.currentRow()
        if not 0 <= index < len(self.locked):
            self.say(self.tr("Chọn một tên đăng nhập đang bị khóa trước."), "warning")
            return
        users, by, name = self._users, self.officer, self.locked[index].username
        message = self.tr("Đã mở khóa {0}.").format(name)
        self.call(lambda: users.unlock(name, by), lambda _r: self._done(message), changes=_USERS)
