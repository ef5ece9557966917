"""The actions of the dossier view: which ones a dossier's state and the officer's role
allow, and the small form each asks for (reason, receiver, new date, rating).

``ACTIONS`` names each action as the command line does (``desk-app event CODE ACTION``).
What recording one does is the ``ActionRunner`` the main window gives the view (it runs
on the database thread): the lifecycle service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.auth import Officer, Permission
from desk_app.lifecycle import LifecycleService
from ui.style import ERROR_COLOR, set_text_color

__all__ = [
    "ACTIONS",
    "DEFAULT_RATINGS",
    "ActionDialog",
    "ActionRunner",
    "ActionSpec",
    "ActionValues",
    "action_label",
    "allowed_actions",
    "lifecycle_runner",
]

_CONTEXT = "dossier_actions"
_OPEN = frozenset({"received", "in_progress", "extended"})
_RUNNING = _OPEN | {"waiting_supplement"}

#: the satisfaction scale offered at the return (key, label); never required
DEFAULT_RATINGS: tuple[tuple[str, str], ...] = (
    ("very_satisfied", "Rất hài lòng"),
    ("satisfied", "Hài lòng"),
    ("unsatisfied", "Không hài lòng"),
)


@dataclass(frozen=True)
class ActionSpec:
    key: str
    #: the button's text, source text (translated where shown)
    label: str
    from_statuses: frozenset[str]
    to_status: str
    needs_reason: bool = False
    needs_receiver: bool = False
    needs_new_date: bool = False
    offers_rating: bool = False
    #: the form printed with it (forms 02–05), when there is one
    form: str | None = None


def _t(source: str) -> str:
    return str(QT_TRANSLATE_NOOP(_CONTEXT, source))


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("handover", _t("Chuyển xử lý"), _OPEN, "in_progress", needs_receiver=True),
    ActionSpec("request-supplement", _t("Yêu cầu bổ sung"), _OPEN, "waiting_supplement",
               needs_reason=True, form="02"),
    ActionSpec("supplement-received", _t("Đã nhận bổ sung"), frozenset({"waiting_supplement"}),
               "in_progress"),
    ActionSpec("extend", _t("Gia hạn, xin lỗi"), frozenset({"received", "in_progress"}),
               "extended", needs_reason=True, needs_new_date=True, form="04"),
    ActionSpec("result-ready", _t("Có kết quả"), _OPEN, "result_ready"),
    ActionSpec("not-eligible", _t("Không đủ điều kiện"), _OPEN, "result_ready",
               needs_reason=True),
    ActionSpec("withdraw", _t("Công dân rút hồ sơ"), _RUNNING, "withdrawn", needs_reason=True,
               form="05"),
    ActionSpec("stop", _t("Dừng giải quyết"), _RUNNING, "stopped", needs_reason=True, form="05"),
    ActionSpec("return", _t("Trả kết quả"), frozenset({"result_ready"}), "returned",
               offers_rating=True),
)  # fmt: skip


def allowed_actions(status: str, officer: Officer) -> list[ActionSpec]:
    """The actions open to ``officer`` on a dossier in ``status`` (the chair only views)."""
    if not officer.can(Permission.RECEIVE):
        return []
    return [a for a in ACTIONS if status in a.from_statuses]


@dataclass(frozen=True)
class ActionValues:
    reason: str = ""
    receiver: str | None = None
    new_due: dt.date | None = None
    rating: str | None = None


#: records ``(code, action, values)``; runs on the database thread
ActionRunner = Callable[[str, ActionSpec, ActionValues], object]


def action_label(spec: ActionSpec) -> str:
    return QCoreApplication.translate(_CONTEXT, spec.label)


def lifecycle_runner(lifecycle: LifecycleService, officer: Officer) -> ActionRunner:
    """How the view records an action.

    HOOK(lifecycle): until the lifecycle helper's service is merged here, an action is
    the status change it makes (``LifecycleService.change_status``, the reason as its
    note): the receiver, the new date and the rating are asked for but not yet recorded,
    and no form (02–05) is printed.
    """

    def run(code: str, spec: ActionSpec, values: ActionValues) -> object:
        note = values.reason
        if values.receiver:
            note = f"{values.receiver}: {note}" if note else values.receiver
        return lifecycle.change_status(code, spec.to_status, officer, note)

    return run


class ActionDialog(QDialog):
    """The form of one action: only the fields it needs; OK when they are filled."""

    def __init__(
        self,
        spec: ActionSpec,
        code: str,
        today: dt.date,
        receivers: Sequence[str] = (),
        ratings: Sequence[tuple[str, str]] = DEFAULT_RATINGS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("actionDialog")
        label = action_label(spec)
        self.setWindowTitle(self.tr("{0} — hồ sơ {1}").format(label, code))
        form = QFormLayout()
        self.reason = QLineEdit(self)
        self.reason.setObjectName("actionReason")
        self.receiver = QComboBox(self)
        self.receiver.setObjectName("actionReceiver")
        self.receiver.addItems(list(receivers))
        self.new_due = QDateEdit(self)
        self.new_due.setObjectName("actionNewDue")
        self.new_due.setCalendarPopup(True)
        self.new_due.setDisplayFormat("dd/MM/yyyy")
        self.new_due.setDate(QDate(today.year, today.month, today.day).addDays(1))
        self.rating = QComboBox(self)
        self.rating.setObjectName("actionRating")
        self.rating.addItem(self.tr("Bỏ qua (không đánh giá)"), None)
        for key, text in ratings:
            self.rating.addItem(text, key)
        if spec.needs_receiver:
            form.addRow(self.tr("Chuyển cho:"), self.receiver)
        if spec.needs_new_date:
            form.addRow(self.tr("Ngày hẹn mới:"), self.new_due)
        if spec.needs_reason or spec.needs_receiver:
            form.addRow(
                self.tr("Lý do:") if spec.needs_reason else self.tr("Ghi chú:"), self.reason
            )
        if spec.offers_rating:
            form.addRow(self.tr("Mức hài lòng:"), self.rating)
        self.error = QLabel(self)
        self.error.setObjectName("actionError")
        set_text_color(self.error, ERROR_COLOR)
        self.error.hide()
        if spec.form:
            note = QLabel(self.tr("Phiếu số {0} sẽ được in kèm.").format(spec.form), self)
            set_text_color(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Ghi"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if spec.form:
            layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.reason if spec.needs_reason else self.rating).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def values(self) -> ActionValues:
        d = self.new_due.date()
        return ActionValues(
            reason=" ".join(self.reason.text().split()),
            receiver=self.receiver.currentText() or None if self.spec.needs_receiver else None,
            new_due=dt.date(d.year(), d.month(), d.day()) if self.spec.needs_new_date else None,
            rating=self.rating.currentData() if self.spec.offers_rating else None,
        )

    def _accept(self) -> None:
        values = self.values()
        if self.spec.needs_reason and not values.reason:
            self._fail(self.tr("Nhập lý do."))
        elif self.spec.needs_receiver and not values.receiver:
            self._fail(self.tr("Chọn người hoặc bộ phận nhận hồ sơ."))
        else:
            self.accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
