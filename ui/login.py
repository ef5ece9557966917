"""The login screen: username, password, Enter. The password check runs off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCursor, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.accounts import AccountAdmin
from desk_app.auth import AccountLockedError, AuthError, Officer, UserService
from desk_app.errors import user_message
from ui.operations import Operations
from ui.style import ERROR_COLOR, heading_font, set_text_color


class LoginScreen(QWidget):
    """Asks for the officer's credentials; emits ``logged_in(Officer)`` when they are right."""

    logged_in = Signal(object)

    def __init__(
        self,
        users: UserService,
        ops: Operations,
        unit_text: str = "",
        parent: QWidget | None = None,
        accounts: AccountAdmin | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginScreen")
        self._users = users
        self._ops = ops
        self._accounts = accounts
        self._busy = False
        # Between a login with a password someone else set and the new password: the
        # officer and the password just typed (needed to set the new one), nothing else.
        self._pending: tuple[Officer, str] | None = None

        box = QFrame(self)
        box.setObjectName("loginBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMinimumWidth(440)
        box.setMaximumWidth(560)
        field_font = QFont(self.font())  # explicit: readable at arm's length
        if field_font.pointSizeF() > 0:
            field_font.setPointSizeF(field_font.pointSizeF() + 1)
        box.setFont(field_font)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(36, 30, 36, 30)
        inner.setSpacing(12)
        title = QLabel(self.tr("Đăng nhập"), box)
        title.setFont(heading_font(title.font(), 6))
        inner.addWidget(title)
        self.unit_label = QLabel(unit_text, box)
        self.unit_label.setWordWrap(True)
        inner.addWidget(self.unit_label)
        inner.addSpacing(6)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)
        self.username = QLineEdit(box)
        self.username.setObjectName("loginUsername")
        self.username.setPlaceholderText(self.tr("ví dụ: nguyenvana"))
        self.username.returnPressed.connect(self._next_or_submit)
        form.addRow(self.tr("&Tên đăng nhập:"), self.username)
        self.password = QLineEdit(box)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)
        form.addRow(self.tr("&Mật khẩu:"), self.password)
        inner.addLayout(form)

        # Shown after a login with a password an administrator set (a new account, a
        # reset): the officer chooses their own before the session starts.
        self.change_box = QFrame(box)
        self.change_box.setObjectName("changePasswordBox")
        change = QFormLayout(self.change_box)
        change.setContentsMargins(0, 0, 0, 0)
        self.change_note = QLabel(
            self.tr("Mật khẩu này do quản trị viên đặt. Hãy đặt mật khẩu mới của riêng bạn."),
            self.change_box,
        )
        self.change_note.setWordWrap(True)
        change.addRow(self.change_note)
        self.new_password = QLineEdit(self.change_box)
        self.new_password.setObjectName("loginNewPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(self.tr("ít nhất 8 ký tự"))
        self.repeat_password = QLineEdit(self.change_box)
        self.repeat_password.setObjectName("loginRepeatPassword")
        self.repeat_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_password.returnPressed.connect(self.submit_new_password)
        change.addRow(self.tr("Mật khẩu mới:"), self.new_password)
        change.addRow(self.tr("Nhập lại:"), self.repeat_password)
        self.change_button = QPushButton(self.tr("Đặt mật khẩu mới"), self.change_box)
        self.change_button.setObjectName("loginChangeButton")
        self.change_button.clicked.connect(self.submit_new_password)
        change.addRow("", self.change_button)
        self.change_box.hide()
        inner.addWidget(self.change_box)

        # Beside the form, not in a pop-up: the officer reads it and types again at once.
        self.error_label = QLabel(box)
        self.error_label.setObjectName("loginError")
        set_text_color(self.error_label, ERROR_COLOR)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        inner.addWidget(self.error_label)

        row = QHBoxLayout()
        self.status_label = QLabel(box)
        row.addWidget(self.status_label, 1)
        self.submit_button = QPushButton(self.tr("Đăng &nhập"), box)
        self.submit_button.setObjectName("loginButton")
        self.submit_button.setDefault(True)
        self.submit_button.setMinimumSize(140, 36)
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button)
        inner.addLayout(row)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(box)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.submit_button)

    @property
    def busy(self) -> bool:
        return self._busy

    def reset(self, username: str = "") -> None:
        """Ready for the next login: ``username`` kept (or empty), password cleared."""
        self.username.setText(username)
        self.password.clear()
        self.error_label.hide()
        self._pending = None
        self.change_box.hide()
        self.new_password.clear()
        self.repeat_password.clear()
        self._set_busy(False)
        self.focus_first()

    def focus_first(self) -> None:
        target = self.password if self.username.text() else self.username
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _next_or_submit(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus(Qt.FocusReason.TabFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self._show_error(self.tr("Nhập tên đăng nhập."))
            self.username.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not password:
            self._show_error(self.tr("Nhập mật khẩu."))
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._set_busy(True)
        users, accounts = self._users, self._accounts

        def check() -> tuple[Officer, bool]:
            officer = users.authenticate(username, password)
            return officer, bool(accounts and accounts.must_change_password(officer.username))

        self._ops.run(check, lambda r: self._done(r, password), self._failed)

    def _done(self, result: tuple[Officer, bool], password: str) -> None:
        officer, must_change = result
        self._set_busy(False)
        self.password.clear()
        self.error_label.hide()
        if must_change:
            self._pending = (officer, password)
            self.change_box.show()
            self.password.setEnabled(False)
            self.username.setEnabled(False)
            self.submit_button.setEnabled(False)
            self.new_password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.logged_in.emit(officer)

    def submit_new_password(self) -> None:
        if self._pending is None or self._accounts is None or self._busy:
            return
        new, repeat = self.new_password.text(), self.repeat_password.text()
        if new != repeat:
            self._show_error(self.tr("Hai lần nhập mật khẩu mới không khớp."))
            return
        officer, current = self._pending
        accounts = self._accounts
        self._busy = True
        self.change_button.setEnabled(False)

        def changed(_r: None) -> None:
            self._busy = False
            self.change_button.setEnabled(True)
            self.reset(officer.username)
            self.logged_in.emit(officer)

        def refused(exc: BaseException) -> None:
            self._busy = False
            self.change_button.setEnabled(True)
            self._show_error(user_message(exc))

        self._ops.run(
            lambda: accounts.change_own_password(officer.username, current, new), changed, refused
        )

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        if isinstance(exc, AccountLockedError):
            self._show_error(exc.message)  # the core's Vietnamese line, with the wait
        elif isinstance(exc, AuthError):
            self._show_error(self.tr("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            self._show_error(self.tr("Không đăng nhập được: {0}").format(user_message(exc)))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.submit_button.setEnabled(not busy)
        self.status_label.setText(self.tr("Đang kiểm tra…") if busy else "")
        if busy:
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()
