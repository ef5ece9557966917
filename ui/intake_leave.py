"""Asked before a half-filled intake form would be lost: keep, discard or cancel.

Closing the window (also Ctrl+Q), logging out and logging in as another officer all end
the session's screens. When the intake form holds something typed, the main window asks
first with ``LeaveDialog``: "Giữ lại" keeps the form as the officer's draft (stored in the
desk database by ``IntakeService.save_draft``, given back at their next login, even after
the window was closed), "Bỏ nội dung đã nhập" discards it, "Quay lại" cancels.

The dialog is window-modal and not blocking (``open``): the event loop keeps running, and
``answered`` carries the choice.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget


class LeaveChoice(Enum):
    KEEP = "keep"
    DISCARD = "discard"
    CANCEL = "cancel"


class LeaveDialog(QMessageBox):
    """What to do with the intake form being typed (``answered(LeaveChoice)``)."""

    answered = Signal(object)

    def __init__(self, what: str, applicant: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leaveDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Hồ sơ đang nhập dở"))
        who = applicant or self.tr("(chưa có tên người nộp)")
        self.setText(self.tr("Hồ sơ của {0} chưa được lưu.").format(who))
        self.setInformativeText(
            self.tr(
                "Trước khi {0}: giữ lại để lần đăng nhập sau của anh/chị nhập tiếp, "
                "hay bỏ nội dung đã nhập?"
            ).format(what)
        )
        self.keep_button: QPushButton = self.addButton(
            self.tr("&Giữ lại để nhập tiếp"), QMessageBox.ButtonRole.AcceptRole
        )
        self.keep_button.setObjectName("keepDraftButton")
        self.discard_button: QPushButton = self.addButton(
            self.tr("&Bỏ nội dung đã nhập"), QMessageBox.ButtonRole.DestructiveRole
        )
        self.discard_button.setObjectName("discardDraftButton")
        self.cancel_button: QPushButton = self.addButton(
            self.tr("&Quay lại"), QMessageBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelLeaveButton")
        self.setDefaultButton(self.keep_button)  # Enter never loses what was typed
        self.setEscapeButton(self.cancel_button)
        self._choices = {
            self.keep_button: LeaveChoice.KEEP,
            self.discard_button: LeaveChoice.DISCARD,
            self.cancel_button: LeaveChoice.CANCEL,
        }
        self._answered = False
        self.buttonClicked.connect(self._clicked)
        self.finished.connect(self._finished)

    def choose(self, choice: LeaveChoice) -> None:
        """Press the button of ``choice`` (what a click does)."""
        button = {v: k for k, v in self._choices.items()}[choice]
        button.click()

    def _clicked(self, button: QAbstractButton) -> None:
        choice = self._choices.get(button)  # type: ignore[call-overload]
        if choice is not None and not self._answered:
            self._answered = True
            self.answered.emit(choice)

    def _finished(self, _result: int) -> None:
        # Closed another way (Esc, the lock screen rejecting every dialog): nothing is lost.
        if not self._answered:
            self._answered = True
            self.answered.emit(LeaveChoice.CANCEL)
