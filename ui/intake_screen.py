"""The intake screen (tiếp nhận hồ sơ), built to be driven by the keyboard alone.

Order of work, and of the Tab key: procedure (type, Enter) → applicant → representative
→ documents → sets, notes → Ctrl+S. After every edit the request is checked with
``IntakeService.check`` (pure and fast) and each fault is shown in red under its field —
but only for fields the officer has already left, or after a save attempt — and "Lưu và
in giấy hẹn" stays disabled until the dossier is valid. Saving runs on the database
thread; on success the receipt preview opens and the form is cleared for the next
citizen; on failure nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QFont, QFontMetrics, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.catalogue import ProcedureInfo
from desk_app.documents.vn_format import format_vn_datetime
from desk_app.intake import (
    ApplicantInput,
    DocumentInput,
    IntakeRequest,
    IntakeResult,
    IntakeService,
    IntakeValidationError,
    RepresentativeInput,
    Validation,
)
from desk_app.text import normalize_name
from desk_app.vocabulary import DESK_CHANNEL_LABELS as CHANNEL_LABELS
from desk_app.vocabulary import duration_text
from ui.documents_table import DocumentsModel, DocumentsTable
from ui.fields import FieldMessage, TouchTracker, format_vn_date_short, parse_vn_date
from ui.operations import Operations
from ui.procedure_picker import ProcedurePicker
from ui.style import BANNER_STYLES, heading_font, set_text_color

_DOCUMENT_PATH = re.compile(r"^documents\[(\d+)\]\.(\w+)$")
DUE_REFRESH_MS = 60_000


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
    documents: tuple[DocumentInput, ...]
    sets_count: int
    notes: str

    @property
    def is_empty(self) -> bool:
        return not (
            self.procedure_code
            or any((self.name, self.cccd, self.date_of_birth, self.phone, self.address, self.email))
            or self.has_representative
            or self.notes.strip()
        )


class _EnterMovesOn(QObject):
    """Return in a one-line field moves to the next field, as Tab does."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and isinstance(watched, QWidget)
        ):
            watched.focusNextChild()
            return True
        return False


class IntakeScreen(QWidget):
    """Receives one dossier after another for ``officer``."""

    #: a dossier was stored (``DossierView``)
    dossier_received = Signal(object)

    def __init__(
        self,
        intake: IntakeService,
        officer: Officer,
        ops: Operations,
        show_receipt: Callable[[bytes, str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intakeScreen")
        self._intake = intake
        self._officer = officer
        self._ops = ops
        self._show_receipt = show_receipt
        self._saving = False
        self._loaded = False
        self._due_ticket = 0
        self._procedures: list[ProcedureInfo] = []
        self._validation = Validation(())
        self._ui_errors: dict[str, str] = {}
        self._undo_draft: Draft | None = None
        self.procedure: ProcedureInfo | None = None
        self.due_at: dt.datetime | None = None

        self.touches = TouchTracker(self)
        self.touches.touched.connect(self._field_left)
        self._enter_moves_on = _EnterMovesOn(self)
        self._build()
        self._connect()
        self._set_tab_order()

        self.due_timer = QTimer(self)
        self.due_timer.setObjectName("dueTimer")
        # The clock may cross the same-day cut-off (15:00) while the citizen is served.
        self.due_timer.setInterval(DUE_REFRESH_MS)
        self.due_timer.timeout.connect(self._tick)
        self.due_timer.start()

        self._set_procedure(None)
        self.load_procedures()

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
        self.form = QWidget(self)
        self.form.setObjectName("intakeForm")
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(8, 0, 8, 0)
        form_layout.setSpacing(6)

        form_layout.addWidget(self._applicant_box())
        form_layout.addWidget(self._representative_box())
        form_layout.addWidget(self._documents_box())
        form_layout.addStretch(1)

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
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.restore_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(banner_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._action_bar())

    def _heading(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setFont(heading_font(self.font(), 2))
        return label

    def _field(
        self,
        grid: QGridLayout,
        row: int,
        column: int,
        label: str,
        widget: QWidget,
        name: str,
        span: int = 1,
    ) -> FieldMessage:
        """``label`` above ``widget`` above its message, in ``grid`` at (row, column)."""
        caption = QLabel(label, widget.parentWidget())
        caption.setBuddy(widget)
        widget.setObjectName(name)
        message = FieldMessage(name + "Error", widget.parentWidget())
        grid.addWidget(caption, row * 3, column, 1, span)
        grid.addWidget(widget, row * 3 + 1, column, 1, span)
        grid.addWidget(message, row * 3 + 2, column, 1, span)
        self.touches.watch(widget)
        return message

    def _line(self, parent: QWidget, placeholder: str = "", max_length: int = 0) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setPlaceholderText(placeholder)
        if max_length:
            edit.setMaxLength(max_length)
        edit.installEventFilter(self._enter_moves_on)
        return edit

    def _section(self, title: str) -> tuple[QGroupBox, QWidget]:
        """A titled box; its fields use the normal font (the title is larger)."""
        box = QGroupBox(title, self.form)
        box.setFont(heading_font(self.font(), 2))
        inner = QWidget(box)
        inner.setFont(self.field_font)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 2, 8, 4)
        layout.addWidget(inner)
        return box, inner

    @staticmethod
    def _grid(inner: QWidget | None = None) -> QGridLayout:
        grid = QGridLayout(inner) if inner is not None else QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        for column, stretch in enumerate((3, 2, 2)):
            grid.setColumnStretch(column, stretch)
        return grid

    def _applicant_box(self) -> QGroupBox:
        box, inner = self._section(self.tr("2. Người nộp hồ sơ"))
        grid = self._grid(inner)
        self.name = self._line(inner, self.tr("ví dụ: Nguyễn Thị Ánh Tuyết"), 100)
        self.cccd = self._line(inner, self.tr("12 chữ số"), 20)
        self.dob = self._line(inner, self.tr("ngày/tháng/năm"), 10)
        self.dob.setToolTip(self.tr("Ví dụ 04/03/2005 hoặc 04032005; để trống nếu không có"))
        self.address = self._line(inner, self.tr("Số nhà, ấp/thôn, xã, tỉnh"), 300)
        self.phone = self._line(inner, self.tr("ví dụ: 0912 345 678"), 20)
        self.email = self._line(inner, self.tr("không bắt buộc"), 120)
        self.channel = QComboBox(inner)
        for key, label in CHANNEL_LABELS.items():
            self.channel.addItem(label, key)
        self.sets_count = QSpinBox(inner)
        self.sets_count.setRange(1, 20)
        self.sets_count.setSuffix(self.tr(" bộ"))
        self.sets_count.setMaximumWidth(140)
        self.messages: dict[str, FieldMessage] = {}
        self.widgets: dict[str, QWidget] = {}
        specs: list[tuple[str, int, int, str, QWidget, str, int]] = [
            ("applicant.name", 0, 0, self.tr("&Họ và tên *"), self.name, "applicantName", 1),
            ("applicant.cccd", 0, 1, self.tr("Số &CCCD *"), self.cccd, "applicantCccd", 1),
            ("applicant.date_of_birth", 0, 2, self.tr("Ngày &sinh"), self.dob, "applicantDob", 1),
            ("applicant.address", 1, 0, self.tr("Đị&a chỉ *"), self.address, "applicantAddress", 2),
            ("applicant.phone", 1, 2, self.tr("Điện th&oại"), self.phone, "applicantPhone", 1),
            ("applicant.email", 2, 0, self.tr("&Email"), self.email, "applicantEmail", 1),
            ("channel", 2, 1, self.tr("Hình thức &nộp"), self.channel, "channel", 1),
            ("sets_count", 2, 2, self.tr("Số &bộ hồ sơ"), self.sets_count, "setsCount", 1),
        ]
        for path, row, column, label, widget, name, span in specs:
            self.messages[path] = self._field(grid, row, column, label, widget, name, span)
            self.widgets[path] = widget
        return box

    def _representative_box(self) -> QWidget:
        box = QFrame(self.form)
        box.setObjectName("representativeBox")
        box.setFont(self.field_font)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 0, 10, 0)
        layout.setSpacing(2)
        self.has_representative = QCheckBox(
            self.tr("Có &người được ủy quyền nộp thay (kèm giấy ủy quyền)"), box
        )
        self.has_representative.setObjectName("hasRepresentative")
        layout.addWidget(self.has_representative)
        # Hidden until checked: most citizens come in person, the form stays short.
        self.representative_fields = QWidget(box)
        self.representative_fields.setObjectName("representativeFields")
        grid = self._grid(self.representative_fields)
        self.rep_name = self._line(box, self.tr("Họ và tên người được ủy quyền"), 100)
        self.rep_cccd = self._line(box, self.tr("12 chữ số (không bắt buộc)"), 20)
        self.rep_phone = self._line(box, self.tr("không bắt buộc"), 20)
        specs: list[tuple[str, int, str, QLineEdit, str]] = [
            ("representative.name", 0, self.tr("Họ tên người nộp thay *"), self.rep_name,
             "representativeName"),
            ("representative.cccd", 1, self.tr("Số CCCD người nộp thay"), self.rep_cccd,
             "representativeCccd"),
            ("representative.phone", 2, self.tr("Điện thoại người nộp thay"), self.rep_phone,
             "representativePhone"),
        ]  # fmt: skip
        for path, column, label, widget, name in specs:
            widget.setParent(self.representative_fields)
            self.messages[path] = self._field(grid, 0, column, label, widget, name)
            self.widgets[path] = widget
        layout.addWidget(self.representative_fields)
        self.representative_fields.hide()
        return box

    def _documents_box(self) -> QGroupBox:
        box, inner = self._section(self.tr("3. Thành phần hồ sơ"))
        layout = QGridLayout(inner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        self.documents_model = DocumentsModel(self)
        self.documents = DocumentsTable(self.documents_model, inner)
        # the header and three rows; it grows with the window
        self.documents.setMinimumHeight(QFontMetrics(self.field_font).height() * 5)
        self.documents.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.documents, 0, 0, 3, 1)
        self.add_document_button = QPushButton(self.tr("&Thêm giấy tờ"), inner)
        self.add_document_button.setObjectName("addDocument")
        self.add_document_button.setToolTip(self.tr("Thêm một dòng (phím Insert trong bảng)"))
        self.remove_document_button = QPushButton(self.tr("&Bỏ giấy tờ"), inner)
        self.remove_document_button.setObjectName("removeDocument")
        self.remove_document_button.setToolTip(self.tr("Bỏ dòng đang chọn (phím Delete)"))
        layout.addWidget(self.add_document_button, 0, 1)
        layout.addWidget(self.remove_document_button, 1, 1)
        self.documents_message = FieldMessage("documentsError", inner)
        layout.addWidget(self.documents_message, 3, 0, 1, 2)
        self.messages["documents"] = self.documents_message
        self.widgets["documents"] = self.documents
        self.touches.watch(self.documents)

        self.notes = QPlainTextEdit(inner)
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(
            self.tr("Nội dung yêu cầu in trên giấy hẹn, nếu khác với tên thủ tục (không bắt buộc)")
        )
        self.notes.setFixedHeight(QFontMetrics(self.field_font).lineSpacing() * 2 + 14)
        notes = QGridLayout()
        notes.setVerticalSpacing(2)
        self.messages["notes"] = self._field(notes, 0, 0, self.tr("&Ghi chú"), self.notes, "notes")
        self.widgets["notes"] = self.notes
        layout.addLayout(notes, 4, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        layout.setRowStretch(2, 1)
        return box

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
        self.picker.picked.connect(self._picked)
        for edit in (
            self.name,
            self.cccd,
            self.dob,
            self.phone,
            self.address,
            self.email,
            self.rep_name,
            self.rep_cccd,
            self.rep_phone,
        ):
            edit.textChanged.connect(self._edited)
        self.notes.textChanged.connect(self._edited)
        self.channel.currentIndexChanged.connect(self._edited)
        self.sets_count.valueChanged.connect(self._edited)
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
            signal.connect(self._edited)
        self.add_document_button.clicked.connect(self.documents.add_document)
        self.remove_document_button.clicked.connect(self.documents.remove_current)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new_dossier)
        self.restore_button.clicked.connect(self.restore_cleared)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(context)
        self.save_shortcut.activated.connect(self.save)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        self.new_shortcut.setContext(context)
        self.new_shortcut.activated.connect(self.new_dossier)

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
            self.new_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # ------------------------------------------------------------------ procedures, due date

    def load_procedures(self) -> None:
        intake = self._intake
        self._ops.run(intake.procedures, self._procedures_loaded, self._load_failed)

    def _procedures_loaded(self, procedures: list[ProcedureInfo]) -> None:
        self._loaded = True
        self._procedures = procedures
        self.picker.set_procedures(procedures)
        if (
            self.procedure is not None
            and self.picker.procedure_by_code(self.procedure.code) is None
        ):
            self._set_procedure(None)
        self.revalidate()

    def _load_failed(self, exc: BaseException) -> None:
        self.show_banner(self.tr("Không tải được danh mục thủ tục: {0}").format(exc), "error")

    @property
    def procedures_loaded(self) -> bool:
        return self._loaded

    def _picked(self, procedure: ProcedureInfo) -> None:
        self._set_procedure(procedure)
        self.name.setFocus(Qt.FocusReason.TabFocusReason)

    def _set_procedure(self, procedure: ProcedureInfo | None) -> None:
        self.procedure = procedure
        self.picker.set_current(procedure)
        if procedure is None:
            self.chosen_label.setText(self.tr("Chưa chọn thủ tục — gõ tên thủ tục ở ô bên trái"))
            self.documents_model.set_documents(())
        else:
            self.chosen_label.setText(
                self.tr("{0} ({1}) · Thời hạn: {2}").format(
                    procedure.name, procedure.code, duration_text(procedure.duration)
                )
            )
            self.documents_model.set_documents(procedure.documents)
        self.refresh_due()
        self.revalidate()

    def refresh_due(self) -> None:
        """Recompute the appointment shown (on the database thread: the calendar is built
        from the holidays package and the administrator's overrides)."""
        self._due_ticket += 1
        ticket = self._due_ticket
        procedure = self.procedure
        if procedure is None:
            self.due_at = None
            self.due_label.setText(self.tr("Hẹn trả: chọn thủ tục để tính ngày hẹn"))
            return
        intake = self._intake
        self._ops.run(
            lambda: intake.preview_due(procedure),
            lambda due: self._due_ready(ticket, due),
            lambda exc: self._due_failed(ticket, exc),
        )

    def _due_ready(self, ticket: int, due: dt.datetime | None) -> None:
        if ticket != self._due_ticket:
            return  # the procedure changed meanwhile
        self.due_at = due
        if due is None:
            self.due_label.setText(self.tr("Hẹn trả: Không có ngày hẹn trả cụ thể"))
        else:
            self.due_label.setText(self.tr("Hẹn trả: {0}").format(format_vn_datetime(due)))

    def _due_failed(self, ticket: int, exc: BaseException) -> None:
        if ticket == self._due_ticket:
            self.due_label.setText(self.tr("Hẹn trả: không tính được ({0})").format(exc))

    def _tick(self) -> None:
        self.refresh_due()
        # the catalogue in force may change at midnight (a new version takes effect)
        intake = self._intake
        self._ops.run(intake.procedures, self._procedures_checked)

    def _procedures_checked(self, procedures: list[ProcedureInfo]) -> None:
        if [p.id for p in procedures] != [p.id for p in self._procedures]:
            self._procedures_loaded(procedures)

    # ------------------------------------------------------------------ the request

    def _representative_toggled(self, checked: bool) -> None:
        self._set_representative_enabled(checked)
        if checked:
            self.rep_name.setFocus(Qt.FocusReason.TabFocusReason)
        self._edited()

    def _set_representative_enabled(self, enabled: bool) -> None:
        self.representative_fields.setVisible(enabled)

    def _date_of_birth(self) -> tuple[dt.date | None, str | None]:
        try:
            return parse_vn_date(self.dob.text()), None
        except ValueError:
            return None, self.tr("Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005.")

    def request(self) -> IntakeRequest:
        """What the form holds now, as the intake service takes it."""
        dob, _error = self._date_of_birth()
        representative = None
        if self.has_representative.isChecked():
            representative = RepresentativeInput(
                self.rep_name.text(), self.rep_cccd.text(), self.rep_phone.text()
            )
        return IntakeRequest(
            procedure_code=self.procedure.code if self.procedure else "",
            applicant=ApplicantInput(
                name=self.name.text(),
                cccd=self.cccd.text(),
                date_of_birth=dob,
                phone=self.phone.text(),
                address=self.address.text(),
                email=self.email.text().strip() or None,
            ),
            representative=representative,
            channel=str(self.channel.currentData()),
            documents=self.documents_model.documents(),
            sets_count=self.sets_count.value(),
            notes=self.notes.toPlainText(),
        )

    @property
    def validation(self) -> Validation:
        return self._validation

    @property
    def valid(self) -> bool:
        return self._validation.ok and not self._ui_errors and self.procedure is not None

    def _edited(self, *_args: object) -> None:
        self.revalidate()

    def _field_left(self, widget: QWidget) -> None:
        if widget in (self.name, self.rep_name) and isinstance(widget, QLineEdit):
            # "nguyễn thị ánh tuyết" → "Nguyễn Thị Ánh Tuyết", as it will be stored
            text = widget.text()
            tidy = normalize_name(text)
            if tidy != text:
                widget.setText(tidy)
        elif widget is self.dob:
            day, error = self._date_of_birth()
            if day is not None and error is None:
                self.dob.setText(format_vn_date_short(day))
        self.revalidate()

    def revalidate(self) -> Validation:
        """Check the form and show each message under its field (touched fields only)."""
        validation = self._intake.check(self.request())
        self._validation = validation
        ui_errors: dict[str, str] = {}
        _dob, dob_error = self._date_of_birth()
        if dob_error:
            ui_errors["applicant.date_of_birth"] = dob_error
        self._ui_errors = ui_errors
        errors: dict[str, str] = {}
        for error in validation.errors:
            path, message = self._place(error.field, error.message)
            errors.setdefault(path, message)
        errors.update(ui_errors)
        warnings: dict[str, str] = {}
        for warning in validation.warnings:
            warnings.setdefault(self._place(warning.field, warning.message)[0], warning.message)
        for path, message_label in self.messages.items():
            widget = self.widgets[path]
            shown = self.touches.is_touched(widget)
            if path in errors and shown:
                message_label.show_error(errors[path])
            elif path in warnings and shown:
                message_label.show_warning(warnings[path])
            else:
                message_label.clear_message()
        self.save_button.setEnabled(self.valid and not self._saving)
        return validation

    def _place(self, field: str, message: str) -> tuple[str, str]:
        """Where a service message goes: ``documents[2].name`` → the documents table."""
        match = _DOCUMENT_PATH.match(field)
        if match:
            return "documents", self.tr("Dòng {0}: {1}").format(int(match.group(1)) + 1, message)
        if field in self.messages:
            return field, message
        return "procedure_code", message

    def field_message(self, path: str) -> FieldMessage:
        """The message line of ``path`` (``applicant.cccd``…), for tests and screen readers."""
        return self.messages[path]

    # ------------------------------------------------------------------ saving

    @property
    def saving(self) -> bool:
        return self._saving

    def save(self) -> None:
        """Ctrl+S: store the dossier (on the database thread), then open the receipt."""
        if self._saving:
            return
        self.documents.commit_open_editor()
        self.touches.touch_all()
        self.revalidate()
        if not self.valid:
            self._focus_first_error()
            self.show_banner(self.tr("Hồ sơ chưa đủ: sửa các ô có chữ đỏ rồi lưu lại."), "error")
            return
        request = self.request()
        officer = self._officer
        intake = self._intake
        self._set_saving(True)
        self._ops.run(lambda: intake.receive(request, officer), self._saved, self._save_failed)

    def _saved(self, result: IntakeResult) -> None:
        self._set_saving(False)
        dossier = result.dossier
        self._clear()
        due = (
            format_vn_datetime(dossier.due_at)
            if dossier.due_at
            else self.tr("không có ngày hẹn trả cụ thể")
        )
        self.show_banner(
            self.tr("Đã lưu hồ sơ {0} của {1} — hẹn trả {2}.").format(
                dossier.code, dossier.applicant_name, due
            ),
            "info",
        )
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.dossier_received.emit(dossier)
        self._show_receipt(result.receipt_pdf, dossier.code)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, IntakeValidationError):
            self.revalidate()
            details = "; ".join(e.message for e in exc.errors)
            self.show_banner(self.tr("Chưa lưu: {0}").format(details), "error")
            self._focus_first_error()
        else:
            self.show_banner(
                self.tr(
                    "Chưa lưu được hồ sơ: {0}. Dữ liệu đã nhập vẫn còn — thử lại bằng Ctrl+S."
                ).format(exc),
                "error",
            )
            self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        # The form is frozen while saving: an edit now would be wiped when the save succeeds.
        self.form.setEnabled(not saving)
        self.picker.setEnabled(not saving)
        self.new_button.setEnabled(not saving)
        self.save_button.setEnabled(not saving and self.valid)
        self.status_label.setText(self.tr("Đang lưu hồ sơ…") if saving else "")
        if saving:
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            self.unsetCursor()

    def _focus_first_error(self) -> None:
        for path, message in self.messages.items():
            if message.level == "error":
                self.widgets[path].setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if self.procedure is None:
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ new dossier

    def draft(self) -> Draft:
        return Draft(
            procedure_code=self.procedure.code if self.procedure else None,
            search=self.search.text(),
            name=self.name.text(),
            cccd=self.cccd.text(),
            date_of_birth=self.dob.text(),
            phone=self.phone.text(),
            address=self.address.text(),
            email=self.email.text(),
            has_representative=self.has_representative.isChecked(),
            representative_name=self.rep_name.text(),
            representative_cccd=self.rep_cccd.text(),
            representative_phone=self.rep_phone.text(),
            channel=str(self.channel.currentData()),
            documents=self.documents_model.documents(),
            sets_count=self.sets_count.value(),
            notes=self.notes.toPlainText(),
        )

    def new_dossier(self) -> None:
        """Ctrl+N: an empty form; what was there can be restored with one click."""
        if self._saving:
            return
        draft = self.draft()
        self._clear()
        if not draft.is_empty:
            self._undo_draft = draft
            self.show_banner(self.tr("Đã xóa biểu mẫu cho hồ sơ mới."), "warning")
            self.restore_button.show()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def restore_cleared(self) -> None:
        if self._undo_draft is not None:
            self.restore(self._undo_draft)
            self._undo_draft = None
        self.hide_banner()

    def restore(self, draft: Draft) -> None:
        self.picker.search.setText(draft.search)
        procedure = (
            self.picker.procedure_by_code(draft.procedure_code) if draft.procedure_code else None
        )
        self._set_procedure(procedure)
        self.name.setText(draft.name)
        self.cccd.setText(draft.cccd)
        self.dob.setText(draft.date_of_birth)
        self.phone.setText(draft.phone)
        self.address.setText(draft.address)
        self.email.setText(draft.email)
        self.has_representative.setChecked(draft.has_representative)
        self.rep_name.setText(draft.representative_name)
        self.rep_cccd.setText(draft.representative_cccd)
        self.rep_phone.setText(draft.representative_phone)
        self.channel.setCurrentIndex(max(0, self.channel.findData(draft.channel)))
        self.documents_model.set_documents(draft.documents)
        self.sets_count.setValue(draft.sets_count)
        self.notes.setPlainText(draft.notes)
        self.revalidate()

    def _clear(self) -> None:
        self.hide_banner()
        for edit in (
            self.name,
            self.cccd,
            self.dob,
            self.phone,
            self.address,
            self.email,
            self.rep_name,
            self.rep_cccd,
            self.rep_phone,
        ):
            edit.clear()
        self.has_representative.setChecked(False)
        self.channel.setCurrentIndex(0)
        self.sets_count.setValue(1)
        self.notes.clear()
        self.picker.clear()
        self.touches.reset()
        self._set_procedure(None)

    # ------------------------------------------------------------------ banner

    def show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(BANNER_STYLES[kind])
        self.banner.show()
        self.restore_button.hide()

    def hide_banner(self) -> None:
        self.banner.hide()
        self.restore_button.hide()

    def focus_first(self) -> None:
        """Where a fresh form starts: the procedure search."""
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
