"""The intake screen's widgets (tiếp nhận hồ sơ): layout, field messages, the banner.

Built to be driven by the keyboard alone. Order of work, and of the Tab key: procedure
(type, Enter) → applicant → representative → documents → sets, notes → Ctrl+S.

This is the view: it knows no service. ``ui.intake_screen.IntakeController`` checks
what is typed, computes the appointment and saves; the view reports edits (``edited``),
fields left (``touches.touched``) and the officer's commands (``save_requested``,
``new_requested``, ``restore_requested``), and shows what it is told.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCursor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.documents_table import ChecklistRow
from ui.fields import EnterMovesOn, FieldMessage, TouchTracker
from ui.intake_form import IntakeForm
from ui.procedure_picker import ProcedurePicker
from ui.style import BANNER_STYLES, ERROR_COLOR, SUCCESS_COLOR, heading_font, set_text_color


@dataclass(frozen=True)
class Draft:
    """Everything typed on the form (to restore it after an accidental "Hồ sơ mới")."""

    procedure_code: str | None
    search: str
    name: str
    cccd: str
    date_of_birth: str
    phone: str
    address: str
    email: str
    has_representative: bool
    representative_name: str
    representative_cccd: str
    representative_phone: str
    channel: str
    #: every line of the checklist, ticked or not
    documents: tuple[ChecklistRow, ...]
    sets_count: int
    notes: str

    def to_json(self) -> dict[str, object]:
        """As kept in the database for its officer (``IntakeService.save_draft``)."""
        data = dict(vars(self))
        data["documents"] = [dict(vars(row)) for row in self.documents]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """A kept draft back; fields a newer or older desk did not write stay empty."""
        texts = {
            key: str(data.get(key) or "")
            for key in (
                "search", "name", "cccd", "date_of_birth", "phone", "address", "email",
                "representative_name", "representative_cccd", "representative_phone", "notes",
            )
        }  # fmt: skip
        rows = tuple(
            ChecklistRow(
                str(row.get("name", "")),
                str(row.get("kind", "original")),
                int(row.get("count", 1)),
                bool(row.get("required", False)),
                bool(row.get("received", True)),
            )
            for row in data.get("documents") or ()
            if isinstance(row, Mapping)
        )
        code = data.get("procedure_code")
        return cls(
            procedure_code=str(code) if code else None,
            has_representative=bool(data.get("has_representative")),
            channel=str(data.get("channel") or "in_person"),
            documents=rows,
            sets_count=int(data.get("sets_count") or 1),
            **texts,
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.procedure_code
            or any((self.name, self.cccd, self.date_of_birth, self.phone, self.address, self.email))
            or self.has_representative
            or self.notes.strip()
        )


class IntakeView(QWidget):
    """The widgets of the intake form; no service, no validation rule."""

    #: anything on the form changed (a field, the representative box, a document row)
    edited = Signal()
    save_requested = Signal()
    new_requested = Signal()
    restore_requested = Signal()
    guide_requested = Signal()
    correct_requested = Signal()
    refuse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeScreen")
        self.touches = TouchTracker(self)
        self._enter_moves_on = EnterMovesOn(self)
        self._build()
        self._connect()
        self._set_tab_order()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        # One point above the application font, set explicitly (an inherited font would
        # take the bold of the section titles): the officer reads these all day.
        self.field_font = QFont(self.font())
        if self.field_font.pointSizeF() > 0:
            self.field_font.setPointSizeF(self.field_font.pointSizeF() + 1)
        self.field_font.setBold(False)
        # left: the procedure
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(self._heading(self.tr("1. Thủ tục hành chính"), left))
        self.picker = ProcedurePicker(left)
        self.picker.setFont(self.field_font)
        self.search = self.picker.search
        left_layout.addWidget(self.picker, 1)
        self.procedure_message = FieldMessage("procedureError", left)
        left_layout.addWidget(self.procedure_message)

        # right: the form, scrollable so that nothing is ever cut off on a small screen
        form = IntakeForm(self.touches, self._enter_moves_on, self.field_font, self)
        self.form = form
        # The fields by name, as the controller and the tests address them.
        self.name, self.cccd, self.dob = form.name, form.cccd, form.dob
        self.address, self.phone, self.email = form.address, form.phone, form.email
        self.channel, self.sets_count = form.channel, form.sets_count
        self.has_representative = form.has_representative
        self.representative_fields = form.representative_fields
        self.rep_name, self.rep_cccd, self.rep_phone = form.rep_name, form.rep_cccd, form.rep_phone
        self.documents_model, self.documents = form.documents_model, form.documents
        self.checklist_label = form.checklist_label
        self.add_document_button = form.add_document_button
        self.remove_document_button = form.remove_document_button
        self.notes = form.notes
        self.messages, self.widgets = form.messages, form.widgets

        scroll = QScrollArea(self)
        scroll.setObjectName("intakeScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([360, 900])

        self.banner = QLabel(self)
        self.banner.setObjectName("intakeBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.restore_button = QPushButton(self.tr("&Khôi phục hồ sơ vừa xóa"), self)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.hide()
        # After a save: a typo seen on the printed receipt is corrected at once.
        self.correct_button = QPushButton(self.tr("Sửa thông tin hồ sơ &vừa lưu…"), self)
        self.correct_button.setObjectName("correctButton")
        self.correct_button.hide()
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.restore_button)
        banner_row.addWidget(self.correct_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(banner_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._action_bar())

    def _heading(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setFont(heading_font(self.font(), 2))
        return label

    def _action_bar(self) -> QWidget:
        bar = QFrame(self)
        bar.setObjectName("intakeActions")
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 4, 12, 4)
        column = QVBoxLayout()
        column.setSpacing(0)
        self.chosen_label = QLabel(bar)
        self.chosen_label.setObjectName("chosenProcedure")
        self.chosen_label.setFont(self.field_font)
        column.addWidget(self.chosen_label)
        self.due_label = QLabel(bar)
        self.due_label.setObjectName("dueLabel")
        self.due_label.setFont(heading_font(self.font(), 3))
        self.due_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.due_label)
        self.status_label = QLabel(bar)
        self.status_label.setObjectName("intakeStatus")
        column.addWidget(self.status_label)
        layout.addLayout(column, 1)
        # Offered instead of the receipt while a required paper is missing.
        self.guide_button = QPushButton(self.tr("Hướng dẫn &bổ sung (Mẫu 02)"), bar)
        self.guide_button.setObjectName("guideButton")
        self.guide_button.setToolTip(
            self.tr("Thiếu giấy tờ: in phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; không tiếp nhận")
        )
        self.guide_button.hide()
        layout.addWidget(self.guide_button)
        self.refuse_button = QPushButton(self.tr("&Từ chối tiếp nhận (Mẫu 03)"), bar)
        self.refuse_button.setObjectName("refuseButton")
        self.refuse_button.setToolTip(self.tr("In phiếu từ chối tiếp nhận, ghi rõ lý do"))
        self.refuse_button.hide()
        layout.addWidget(self.refuse_button)
        self.new_button = QPushButton(self.tr("Hồ sơ mới"), bar)
        self.new_button.setObjectName("newDossierButton")
        self.new_button.setToolTip(self.tr("Xóa biểu mẫu cho công dân tiếp theo (Ctrl+N)"))
        layout.addWidget(self.new_button)
        self.save_button = QPushButton(self.tr("Lưu và in giấy hẹn"), bar)
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip(self.tr("Lưu hồ sơ và mở giấy tiếp nhận để in (Ctrl+S)"))
        self.save_button.setFont(heading_font(self.font(), 1))
        self.save_button.setMinimumHeight(40)
        self.save_button.setAutoDefault(False)
        layout.addWidget(self.save_button)
        hint = QLabel(self.tr("Ctrl+S lưu · Ctrl+N hồ sơ mới"), bar)
        set_text_color(hint)
        layout.addWidget(hint)
        return bar

    def _connect(self) -> None:
        # Every edit is one signal: the controller does not need to know the widgets.
        for edit in self._lines().values():
            edit.textChanged.connect(self._emit_edited)
        self.notes.textChanged.connect(self._emit_edited)
        self.channel.currentIndexChanged.connect(self._emit_edited)
        self.sets_count.valueChanged.connect(self._emit_edited)
        self.has_representative.toggled.connect(self._representative_toggled)
        self.touches.watch(self.search)
        self.widgets["procedure_code"] = self.search
        self.messages["procedure_code"] = self.procedure_message
        for signal in (
            self.documents_model.dataChanged,
            self.documents_model.rowsInserted,
            self.documents_model.rowsRemoved,
            self.documents_model.modelReset,
        ):
            signal.connect(self._emit_edited)
        self.add_document_button.clicked.connect(self.documents.add_document)
        self.remove_document_button.clicked.connect(self.documents.remove_current)
        self.save_button.clicked.connect(self.save_requested)
        self.guide_button.clicked.connect(self.guide_requested)
        self.refuse_button.clicked.connect(self.refuse_requested)
        self.new_button.clicked.connect(self.new_requested)
        self.restore_button.clicked.connect(self.restore_requested)
        self.correct_button.clicked.connect(self.correct_requested)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(context)
        self.save_shortcut.activated.connect(self.save_requested)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        self.new_shortcut.setContext(context)
        self.new_shortcut.activated.connect(self.new_requested)

    def _emit_edited(self, *_args: object) -> None:
        self.edited.emit()

    def _representative_toggled(self, checked: bool) -> None:
        self.representative_fields.setVisible(checked)
        if checked:
            self.rep_name.setFocus(Qt.FocusReason.TabFocusReason)
        self.edited.emit()

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.search,
            self.name,
            self.cccd,
            self.dob,
            self.address,
            self.phone,
            self.email,
            self.channel,
            self.sets_count,
            self.has_representative,
            self.rep_name,
            self.rep_cccd,
            self.rep_phone,
            self.documents,
            self.add_document_button,
            self.remove_document_button,
            self.notes,
            self.save_button,
            self.guide_button,
            self.refuse_button,
            self.new_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # ------------------------------------------------------------------ showing

    def show_procedure(self, chosen: str, documents: Iterable[Any]) -> None:
        """The line under the form naming the procedure, and its checklist."""
        self.chosen_label.setText(chosen)
        self.documents_model.set_documents(documents)

    def show_checklist(self, summary: str, complete: bool) -> None:
        """The line above the checklist; the Form 02/03 buttons while something is missing."""
        self.checklist_label.setText(summary)
        self.checklist_label.setVisible(bool(summary))
        set_text_color(self.checklist_label, SUCCESS_COLOR if complete else ERROR_COLOR)
        missing = bool(summary) and not complete
        self.guide_button.setVisible(missing)
        self.refuse_button.setVisible(missing)

    def show_messages(self, errors: Mapping[str, str], warnings: Mapping[str, str]) -> None:
        """Each message under its field, for the fields already left (or after Ctrl+S)."""
        for path, message_label in self.messages.items():
            shown = self.touches.is_touched(self.widgets[path])
            if path in errors and shown:
                message_label.show_error(errors[path])
            elif path in warnings and shown:
                message_label.show_warning(warnings[path])
            else:
                message_label.clear_message()

    def field_message(self, path: str) -> FieldMessage:
        """The message line of ``path`` (``applicant.cccd``…), for tests and screen readers."""
        return self.messages[path]

    def focus_first_error(self) -> bool:
        """Put the keyboard in the first field showing an error; False when none does."""
        for path, message in self.messages.items():
            if message.level == "error":
                self.widgets[path].setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def set_saving(self, saving: bool, can_save: bool) -> None:
        # The form is frozen while saving: an edit now would be wiped when the save succeeds.
        self.form.setEnabled(not saving)
        self.picker.setEnabled(not saving)
        self.new_button.setEnabled(not saving)
        self.guide_button.setEnabled(not saving)
        self.refuse_button.setEnabled(not saving)
        self.save_button.setEnabled(not saving and can_save)
        self.status_label.setText(self.tr("Đang lưu hồ sơ…") if saving else "")
        if saving:
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()

    def show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(BANNER_STYLES[kind])
        self.banner.show()
        self.restore_button.hide()
        self.correct_button.hide()

    def hide_banner(self) -> None:
        self.banner.hide()
        self.restore_button.hide()
        self.correct_button.hide()

    def focus_first(self) -> None:
        """Where a fresh form starts: the procedure search."""
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ drafts

    def _lines(self) -> dict[str, QLineEdit]:
        """The one-line fields by the name ``Draft`` gives them."""
        return {
            "name": self.name, "cccd": self.cccd, "date_of_birth": self.dob,
            "phone": self.phone, "address": self.address, "email": self.email,
            "representative_name": self.rep_name, "representative_cccd": self.rep_cccd,
            "representative_phone": self.rep_phone,
        }  # fmt: skip

    def draft(self) -> Draft:
        """Everything typed, as plain values (the procedure is the controller's)."""
        return Draft(
            procedure_code=None,
            search=self.search.text(),
            **{key: edit.text() for key, edit in self._lines().items()},
            has_representative=self.has_representative.isChecked(),
            channel=str(self.channel.currentData()),
            documents=self.documents_model.rows(),
            sets_count=self.sets_count.value(),
            notes=self.notes.toPlainText(),
        )

    def fill(self, draft: Draft) -> None:
        """Put ``draft`` back in the fields."""
        for key, edit in self._lines().items():
            edit.setText(getattr(draft, key))
        self.has_representative.setChecked(draft.has_representative)
        self.channel.setCurrentIndex(max(0, self.channel.findData(draft.channel)))
        self.documents_model.set_documents(draft.documents)
        self.sets_count.setValue(draft.sets_count)
        self.notes.setPlainText(draft.notes)

    def clear_fields(self) -> None:
        """An empty form for the next citizen; nothing counts as left yet."""
        self.hide_banner()
        for edit in self._lines().values():
            edit.clear()
        self.has_representative.setChecked(False)
        self.channel.setCurrentIndex(0)
        self.sets_count.setValue(1)
        self.notes.clear()
        self.picker.clear()
        self.touches.reset()
