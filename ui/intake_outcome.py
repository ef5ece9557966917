"""Intake that receives nothing: guided to complete (Form 02) or refused (Form 03).

Offered by the intake screen while a required paper is unticked (no receipt can be
issued). ``GuideDialog`` lists each missing paper with the reason the citizen is told
(editable) and a note (what to do next, whom to contact); ``RefuseDialog`` asks for the
specific reason, which is required. The controller then records the visit with
``IntakeOutcomeService`` (``intake.guided`` / ``intake.refused`` events: no dossier code,
no clock) and prints the form with ``outcome_form_pdf``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.errors import DeskError
from desk_app.intake import short_name
from desk_app.vocabulary import DOCUMENT_KIND_LABELS
from event_schema import MissingItem
from ui.documents_table import ChecklistRow
from ui.form_printing import outcome_pdf

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.context import DeskContext
    from desk_app.intake_outcomes import OutcomeView

DEFAULT_REASON = "Chưa có trong hồ sơ nộp"


def outcome_form_pdf(ctx: DeskContext, outcome: OutcomeView, officer: Officer) -> bytes | None:
    """Form 02 (guided) or Form 03 (refused) of a recorded intake outcome, as PDF, printed
    by ``officer`` through the forms service (the visit's id names it; audited). ``None``
    when it cannot be printed: the visit is recorded all the same, and the screen says
    the form was not printed (it can be printed later with ``desk-app form``)."""
    try:
        return outcome_pdf(ctx.forms, outcome, officer)
    except DeskError:
        return None


def _buttons(dialog: QDialog, layout: QVBoxLayout, ok_text: str) -> QPushButton:
    """The dialog's two buttons at the bottom of ``layout``; returns the one that records."""
    buttons = QDialogButtonBox(dialog)
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(dialog.tr("&Quay lại"), QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return ok


class GuideDialog(QDialog):
    """What the citizen must add, and why (Form 02)."""

    def __init__(
        self, applicant: str, missing: Sequence[ChecklistRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle(self.tr("Hướng dẫn bổ sung hồ sơ (Mẫu 02)"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Hồ sơ của {0} chưa đủ: không tiếp nhận, không tính hạn. Phiếu yêu cầu bổ "
                "sung, hoàn thiện hồ sơ ghi các giấy tờ dưới đây và lý do."
            ).format(applicant),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.reasons: list[tuple[ChecklistRow, QLineEdit]] = []
        for row in missing:
            edit = QLineEdit(DEFAULT_REASON, self)
            edit.setMaxLength(300)
            kind = DOCUMENT_KIND_LABELS.get(row.kind, row.kind).lower()
            caption = QLabel(f"{short_name(row.name, 70)} ({kind}, {row.count})", self)
            caption.setToolTip(row.name)
            caption.setWordWrap(True)
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.reasons.append((row, edit))
        layout.addLayout(form)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("guideNote")
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText(
            self.tr("Ghi chú cho công dân: nộp lại ở đâu, liên hệ ai (không bắt buộc)")
        )
        self.note.setFixedHeight(64)
        layout.addWidget(self.note)
        self.ok_button = _buttons(self, layout, self.tr("&Ghi nhận và in Mẫu 02"))
        if self.reasons:
            self.reasons[0][1].setFocus()

    def items(self) -> tuple[MissingItem, ...]:
        return tuple(
            MissingItem(row.name, " ".join(edit.text().split())) for row, edit in self.reasons
        )

    def note_text(self) -> str:
        return self.note.toPlainText().strip()


class RefuseDialog(QDialog):
    """The specific reason for refusing the dossier (Form 03); required."""

    def __init__(self, applicant: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refuseDialog")
        self.setWindowTitle(self.tr("Từ chối tiếp nhận hồ sơ (Mẫu 03)"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Từ chối tiếp nhận hồ sơ của {0}. Ghi rõ lý do (in trên phiếu):").format(
                applicant
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("refuseReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(90)
        layout.addWidget(self.reason)
        self.ok_button = _buttons(self, layout, self.tr("&Ghi nhận và in Mẫu 03"))
        self.ok_button.setEnabled(False)  # no refusal without its reason
        self.reason.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason_text())))
        self.reason.setFocus()

    def reason_text(self) -> str:
        return " ".join(self.reason.toPlainText().split())
