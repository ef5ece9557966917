"""Idle lock: after some minutes without keyboard or mouse input the desk locks itself.

``IdleLock`` is an application-wide event filter. Every key press, click, wheel turn or
mouse move restarts its timer; when the timer runs out it emits ``timed_out`` and the
main window shows ``LockScreen`` in place of the working screens (the citizen data on
them is hidden, not discarded). The same officer unlocks with their password. Nothing
on the lock screen logs the officer out without that password: "Đăng xuất" checks it
too, and the main window then asks about a half-filled form as any logout does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.auth import ROLE_LABELS, AccountLockedError, Officer, UserService
from desk_app.errors import user_message
from ui.operations import Operations
from ui.style import ERROR_COLOR, heading_font, set_text_color

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


class IdleLock(QObject):
    """Emits ``timed_out`` after ``timeout_ms`` without user input, while started."""

    timed_out = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self._expire)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))
        if self._timer.isActive():
            self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Watch for input from now on (after login or unlock)."""
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (on lock, logout, or when the window closes)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False

    def _expire(self) -> None:
        self.stop()
        self.timed_out.emit()


class LockScreen(QWidget):
    """Shown while the desk is locked: the officer's name, a password field, nothing else.

    ``unlocked`` is emitted when the same officer's password is right; ``switch_user``
    when the officer, password checked, chose to log out so that someone else can log in.
    """

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, users: UserService, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self._users = users
        self._ops = ops
        self._officer: Officer | None = None
        self._checking = False
        self._logging_out = False

        box = QFrame(self)
        box.setObjectName("lockBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        title = QLabel(self.tr("Màn hình đã khóa"), box)
        title.setFont(heading_font(title.font(), 4))
        inner.addWidget(title)
        self.who_label = QLabel(box)
        self.who_label.setWordWrap(True)
        inner.addWidget(self.who_label)
        form = QFormLayout()
        self.password = QLineEdit(box)
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(lambda: self.submit())
        form.addRow(self.tr("&Mật khẩu:"), self.password)
        inner.addLayout(form)
        self.error_label = QLabel(box)
        self.error_label.setObjectName("lockError")
        set_text_color(self.error_label, ERROR_COLOR)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        inner.addWidget(self.error_label)
        self.status_label = QLabel(box)
        inner.addWidget(self.status_label)
        buttons = QHBoxLayout()
        self.switch_button = QPushButton(self.tr("Đăng &xuất (cần mật khẩu)"), box)
        self.switch_button.setObjectName("lockLogoutButton")
        self.switch_button.setToolTip(
            self.tr("Để người khác đăng nhập: nhập mật khẩu của cán bộ đang làm việc")
        )
        self.switch_button.clicked.connect(self._switch)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        self.unlock_button = QPushButton(self.tr("&Mở khóa"), box)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(lambda: self.submit())
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.switch_button)

    def lock(self, officer: Officer) -> None:
        self._officer = officer
        self.who_label.setText(
            self.tr("Đang làm việc: {0} ({1}). Nhập mật khẩu để tiếp tục.").format(
                officer.full_name, ROLE_LABELS[officer.role]
            )
        )
        self.password.clear()
        self.error_label.hide()
        self.status_label.clear()
        self._set_checking(False)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self, *, logging_out: bool = False) -> None:
        officer = self._officer
        password = self.password.text()
        if officer is None or self._checking:
            return
        if not password:
            if logging_out:
                self._show_error(self.tr("Nhập mật khẩu của cán bộ đang làm việc để đăng xuất."))
            else:
                self._show_error(self.tr("Nhập mật khẩu."))
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._logging_out = logging_out
        self._set_checking(True)
        users = self._users
        self._ops.run(lambda: users.verify_password(officer, password), self._checked, self._failed)

    def _checked(self, ok: bool) -> None:
        self._set_checking(False)
        self.password.clear()
        if ok:
            self.error_label.hide()
            if self._logging_out:
                self.switch_user.emit()
            else:
                self.unlocked.emit()
        else:
            self._show_error(self.tr("Mật khẩu không đúng."))
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, exc: BaseException) -> None:
        self._set_checking(False)
        if isinstance(exc, AccountLockedError):
            self.password.clear()
            self._show_error(exc.message)  # the core's Vietnamese line, with the wait
            return
        self._show_error(self.tr("Không kiểm tra được mật khẩu: {0}").format(user_message(exc)))

    def _switch(self) -> None:
        self.submit(logging_out=True)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_checking(self, checking: bool) -> None:
        self._checking = checking
        self.password.setEnabled(not checking)
        self.unlock_button.setEnabled(not checking)
        self.switch_button.setEnabled(not checking)
        self.status_label.setText(self.tr("Đang kiểm tra mật khẩu…") if checking else "")
        if checking:
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()
