"""The right-hand part of the intake screen: applicant, representative, documents, notes.

Widgets only, built for ``ui.intake_view.IntakeView``: each field has its caption above
it and its message line below it; ``messages`` and ``widgets`` map a request's field path
(``applicant.cccd``) to them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.vocabulary import DESK_CHANNEL_LABELS as CHANNEL_LABELS
from ui.documents_table import DocumentsModel, DocumentsTable
from ui.fields import FieldMessage, TouchTracker
from ui.style import heading_font


class IntakeForm(QWidget):
    """Sections 2 and 3 of the intake form."""

    def __init__(
        self,
        touches: TouchTracker,
        enter_moves_on: QObject,
        field_font: QFont,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self.touches = touches
        self._enter_moves_on = enter_moves_on
        self.field_font = field_font
        self.messages: dict[str, FieldMessage] = {}
        self.widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self._applicant_box())
        layout.addWidget(self._representative_box())
        layout.addWidget(self._documents_box())
        layout.addStretch(1)

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
        box = QGroupBox(title, self)
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
        box = QFrame(self)
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
        # What is received and what is missing, in words, above the table.
        self.checklist_label = QLabel(inner)
        self.checklist_label.setObjectName("checklistSummary")
        self.checklist_label.setWordWrap(True)
        self.checklist_label.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist_label.hide()
        self.documents_model = DocumentsModel(self)
        self.documents = DocumentsTable(self.documents_model, inner)
        self.documents.setToolTip(
            self.tr("Phím cách: đánh dấu đã nhận / chưa nhận · Insert: thêm · Delete: bỏ")
        )
        # the header and three rows; it grows with the window
        self.documents.setMinimumHeight(QFontMetrics(self.field_font).height() * 5)
        self.documents.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.checklist_label, 0, 0, 1, 2)
        layout.addWidget(self.documents, 1, 0, 3, 1)
        self.add_document_button = QPushButton(self.tr("&Thêm giấy tờ"), inner)
        self.add_document_button.setObjectName("addDocument")
        self.add_document_button.setToolTip(self.tr("Thêm một dòng (phím Insert trong bảng)"))
        self.remove_document_button = QPushButton(self.tr("&Bỏ giấy tờ"), inner)
        self.remove_document_button.setObjectName("removeDocument")
        self.remove_document_button.setToolTip(self.tr("Bỏ dòng đang chọn (phím Delete)"))
        layout.addWidget(self.add_document_button, 1, 1)
        layout.addWidget(self.remove_document_button, 2, 1)
        self.documents_message = FieldMessage("documentsError", inner)
        layout.addWidget(self.documents_message, 4, 0, 1, 2)
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
        layout.addLayout(notes, 5, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        layout.setRowStretch(3, 1)
        return box
