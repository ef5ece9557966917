"""Correcting a received dossier's applicant fields (sửa thông tin người nộp), then
printing Form 01 again.

``CorrectionForm`` is the view-model (no Qt): the values as received, what the officer
changed, and what is still wrong (a reason is required; at least one field must change).
``CorrectionDialog`` shows it; ``CorrectionFlow`` loads the dossier on the database
thread, records ``LifecycleService.correct`` (the old values stay in the timeline as
``dossier.corrected``) and ``IntakeService.reissue_receipt``, and opens the new receipt.
It opens for the dossier just saved on the intake screen ("Sửa hồ sơ vừa lưu"), and for any
code through ``CorrectionFlow.open``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.errors import user_message
from ui.fields import format_vn_date_short, parse_vn_date
from ui.operations import Changes
from ui.style import ERROR_COLOR, set_text_color

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.intake import DossierView, IntakeService
    from desk_app.lifecycle import LifecycleService
    from ui.operations import Operations

#: the applicant's fields an officer may correct here, with their captions
FIELDS: tuple[tuple[str, str], ...] = (
    ("applicant_name", "Họ và tên"),
    ("applicant_cccd", "Số CCCD"),
    ("applicant_dob", "Ngày sinh (ngày/tháng/năm)"),
    ("applicant_phone", "Điện thoại"),
    ("applicant_address", "Địa chỉ"),
    ("applicant_email", "Email"),
)


def _shown(view: DossierView, name: str) -> str:
    value = getattr(view, name)
    if isinstance(value, dt.date):
        return format_vn_date_short(value)
    return str(value or "")


@dataclass(frozen=True)
class CorrectionForm:
    """The values as received (as the form shows them) and the rules of a correction."""

    code: str
    original: Mapping[str, str]

    @classmethod
    def of(cls, view: DossierView) -> CorrectionForm:
        return cls(view.code, {name: _shown(view, name) for name, _ in FIELDS})

    def changes(self, edited: Mapping[str, str]) -> dict[str, str | None]:
        """Field → new value (as ``LifecycleService.correct`` takes it), changed ones only."""
        out: dict[str, str | None] = {}
        for name, _caption in FIELDS:
            new = " ".join(edited.get(name, "").split())
            if new == " ".join(self.original.get(name, "").split()):
                continue
            if name == "applicant_dob" and new:
                day = parse_vn_date(new)  # ValueError: see ``problems``
                new = day.isoformat() if day else ""
            out[name] = new or None
        return out

    def problems(self, edited: Mapping[str, str], reason: str) -> list[str]:
        """What keeps the correction from being saved, in Vietnamese (empty: ready)."""
        found: list[str] = []
        try:
            changed = self.changes(edited)
        except ValueError:
            return ["Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005."]
        if not changed:
            found.append("Chưa sửa trường nào.")
        if not reason.strip():
            found.append("Ghi lý do sửa (lưu trong lịch sử hồ sơ).")
        return found


class CorrectionDialog(QDialog):
    """The applicant's fields of one dossier, editable, with the reason."""

    def __init__(self, form: CorrectionForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        self.form = form
        self.setWindowTitle(self.tr("Sửa thông tin người nộp — {0}").format(form.code))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Sửa chỗ gõ nhầm khi tiếp nhận. Giá trị cũ vẫn giữ trong lịch sử hồ sơ; "
                "giấy tiếp nhận được in lại theo giá trị mới."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for name, caption in FIELDS:
            edit = QLineEdit(form.original.get(name, ""), self)
            edit.setObjectName(name)
            edit.textChanged.connect(self._check)
            grid.addRow(self.tr(caption), edit)
            self.edits[name] = edit
        self.reason = QLineEdit(self)
        self.reason.setObjectName("correctionReason")
        self.reason.setPlaceholderText(self.tr("bắt buộc, ví dụ: gõ nhầm dấu tên"))
        self.reason.textChanged.connect(self._check)
        grid.addRow(self.tr("Lý do sửa *"), self.reason)
        layout.addLayout(grid)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("correctionProblems")
        self.problem_label.setWordWrap(True)
        set_text_color(self.problem_label, ERROR_COLOR)
        layout.addWidget(self.problem_label)
        buttons = QDialogButtonBox(self)
        self.save_button: QPushButton = buttons.addButton(
            self.tr("&Lưu và in lại giấy tiếp nhận"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(self.tr("&Quay lại"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._check()

    def edited(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def reason_text(self) -> str:
        return " ".join(self.reason.text().split())

    def _check(self) -> None:
        problems = self.form.problems(self.edited(), self.reason_text())
        self.problem_label.setText(" ".join(problems))
        self.save_button.setEnabled(not problems)

    def show_error(self, message: str) -> None:
        """The service refused (e.g. a CCCD of 11 digits): said here, nothing lost."""
        self.problem_label.setText(message)
        self.setEnabled(True)

    def accept(self) -> None:
        # Recorded by ``CorrectionFlow``: the dialog stays until the database said yes.
        if not self.save_button.isEnabled():
            return
        self.setEnabled(False)
        self.submitted()

    def submitted(self) -> None:
        """Replaced by the flow that opened the dialog."""

    def done_saving(self) -> None:
        super().accept()


class CorrectionFlow(QObject):
    """Opens the correction of a dossier and carries it out off the GUI thread."""

    def __init__(
        self,
        intake: IntakeService,
        lifecycle: LifecycleService,
        officer: Officer,
        ops: Operations,
        show_receipt: Callable[[bytes, str], object],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._intake, self._lifecycle = intake, lifecycle
        self._officer, self._ops, self._show_receipt = officer, ops, show_receipt
        self._parent = parent
        #: the dialog while it is open
        self.dialog: CorrectionDialog | None = None

    def open(self, code: str, on_error: Callable[[BaseException], None]) -> None:
        """Load dossier ``code`` (database thread), then show its correction dialog."""
        intake, officer = self._intake, self._officer
        self._ops.run(lambda: intake.get(code, officer), self._loaded, on_error)

    def _loaded(self, view: DossierView) -> None:
        dialog = CorrectionDialog(CorrectionForm.of(view), self._parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.submitted = lambda: self._submit(dialog)  # type: ignore[method-assign]
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: CorrectionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _submit(self, dialog: CorrectionDialog) -> None:
        code, changes = dialog.form.code, dialog.form.changes(dialog.edited())
        reason, officer = dialog.reason_text(), self._officer
        intake, lifecycle = self._intake, self._lifecycle

        def work() -> bytes:
            lifecycle.correct(code, officer, changes=changes, reason=reason)
            return intake.reissue_receipt(code, officer)

        def done(pdf: bytes) -> None:
            dialog.done_saving()
            self._show_receipt(pdf, code)

        self._ops.run(
            work,
            done,
            lambda exc: dialog.show_error(user_message(exc)),
            changes=Changes(dossiers=True, outbox=True),
            initiator=self,
        )
