"""The actions of the dossier view: which ones a dossier's state and the officer's role
allow, and the small form each asks for (reason, receiver, new date, rating).

``ACTIONS`` names each action as the command line does (``desk-app event CODE ACTION``).
What recording one does is the ``ActionRunner`` the main window gives the view (it runs
on the database thread): the lifecycle service, and for an action that prints a form the
forms service, which records the step and its printed form in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
from desk_app.dossier_forms import DossierFormsService
from desk_app.dossiers import actions_from
from desk_app.lifecycle import LifecycleService, StepResult
from ui.style import ERROR_COLOR, set_text_color

__all__ = [
    "ACTIONS",
    "DEFAULT_RATINGS",
    "RETURN",
    "ActionDialog",
    "ActionOutcome",
    "ActionRunner",
    "ActionSpec",
    "ActionValues",
    "action_label",
    "allowed_actions",
    "lifecycle_runner",
]

_CONTEXT = "dossier_actions"

#: the satisfaction scale when the commune has set none (the settings' default)
DEFAULT_RATINGS: tuple[str, ...] = ("Rất hài lòng", "Hài lòng", "Không hài lòng")


@dataclass(frozen=True)
class ActionSpec:
    #: the action's name on the command line (``desk-app event CODE ACTION``)
    key: str
    #: the button's text, source text (translated where shown)
    label: str
    #: its name in the state machine (``desk_app.dossiers.actions_from``)
    machine: str
    needs_reason: bool = False
    reason_optional: bool = False
    needs_receiver: bool = False
    needs_new_date: bool = False
    offers_rating: bool = False
    #: the form printed with it (forms 02–05), when there is one
    form: str | None = None


def _t(source: str) -> str:
    return str(QT_TRANSLATE_NOOP(_CONTEXT, source))


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("handover", _t("Bàn giao"), "handover", needs_receiver=True,
               reason_optional=True),
    ActionSpec("request-supplement", _t("Yêu cầu bổ sung"), "request_supplement",
               needs_reason=True, form="02"),
    ActionSpec("supplement-received", _t("Đã nhận bổ sung"), "supplement_received",
               reason_optional=True),
    ActionSpec("extend", _t("Gia hạn, xin lỗi"), "extend", needs_reason=True,
               needs_new_date=True, form="04"),
    ActionSpec("result-ready", _t("Có kết quả"), "result_ready"),
    ActionSpec("not-eligible", _t("Không đủ điều kiện"), "result_ready", needs_reason=True),
    ActionSpec("withdraw", _t("Công dân rút hồ sơ"), "withdraw", reason_optional=True,
               form="05"),
    ActionSpec("stop", _t("Dừng giải quyết"), "stop", needs_reason=True, form="05"),
    ActionSpec("return", _t("Trả kết quả"), "return", offers_rating=True),
    ActionSpec("annul", _t("Hủy bước vừa ghi nhầm"), "annul", needs_reason=True),
)  # fmt: skip
RETURN = next(a for a in ACTIONS if a.key == "return")


def allowed_actions(status: str, officer: Officer, *, can_annul: bool = False) -> list[ActionSpec]:
    """The actions open to ``officer`` on a dossier in ``status`` (the chair only views);
    ``can_annul``: the officer has a counted step of their own to annul."""
    if not officer.can(Permission.RECEIVE):
        return []
    machine = set(actions_from(status))
    if can_annul:
        machine.add("annul")
    return [a for a in ACTIONS if a.machine in machine]


@dataclass(frozen=True)
class ActionValues:
    reason: str = ""
    receiver: str | None = None
    new_due: dt.date | None = None
    rating: str | None = None


@dataclass(frozen=True)
class ActionOutcome:
    """What recording an action gave: the step, and the form to print with it."""

    step: StepResult
    form_pdf: bytes | None = None
    #: the form's number ("02", "04", "05") when one was printed
    form: str | None = None
    #: why the form could not be printed (the step itself is recorded)
    form_error: str | None = None


#: records ``(code, action, values)``; runs on the database thread
ActionRunner = Callable[[str, ActionSpec, ActionValues], ActionOutcome]


def action_label(spec: ActionSpec) -> str:
    return QCoreApplication.translate(_CONTEXT, spec.label)


def _details(spec: ActionSpec, values: ActionValues) -> dict[str, Any]:
    """The keywords of ``LifecycleService.perform`` for this action."""
    if spec.key == "handover":
        return {"to": values.receiver or "", "note": values.reason}
    if spec.key == "supplement-received":
        return {"note": values.reason}
    if spec.key == "extend":
        return {"new_due": values.new_due, "reason": values.reason}
    if spec.key == "return":
        return {"method": "desk", "rating": values.rating}
    if spec.key == "result-ready":
        return {}
    return {"reason": values.reason}


def lifecycle_runner(
    lifecycle: LifecycleService, officer: Officer, forms: DossierFormsService | None = None
) -> ActionRunner:
    """How the window records an action: ``LifecycleService.perform`` by the command
    line's action name; with ``forms``, an action that prints a form (02 request to
    complete, 04 apology and new date, 05 stop notice) is recorded with it by
    ``DossierFormsService.record_step``: the step and the print's audit entry in one
    transaction. The step stays recorded when its form cannot be printed: the outcome
    says why."""

    def run(code: str, spec: ActionSpec, values: ActionValues) -> ActionOutcome:
        details = _details(spec, values)
        if forms is None or spec.form is None:
            return ActionOutcome(lifecycle.perform(code, spec.key, officer, **details))
        printed = forms.record_step(code, spec.key, officer, form=spec.form, **details)
        return ActionOutcome(printed.step, printed.pdf, spec.form, printed.error)

    return run


class ActionDialog(QDialog):
    """The form of one action: only the fields it needs; OK when they are filled."""

    def __init__(
        self,
        spec: ActionSpec,
        code: str,
        today: dt.date,
        receivers: Sequence[str] = (),
        ratings: Sequence[str] = DEFAULT_RATINGS,
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
        for number, text in enumerate(ratings, 1):
            self.rating.addItem(f"{number}. {text}", text)
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
        first = (
            self.receiver if spec.needs_receiver
            else self.new_due if spec.needs_new_date
            else self.reason if spec.needs_reason or spec.reason_optional
            else self.rating
        )  # fmt: skip
        first.setFocus(Qt.FocusReason.OtherFocusReason)

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
