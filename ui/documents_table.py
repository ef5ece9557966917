"""The documents checklist of a dossier (thành phần hồ sơ): received?, name, kind, count,
and whether the procedure requires it.

Pre-filled from the procedure, nothing ticked: the officer ticks each paper the citizen
hands over (Space, or a click in the first column); a required paper left unticked is
missing, and then the desk issues no receipt (Form 02 or Form 03 instead). The officer
edits it with the keyboard: typing starts editing a cell, Insert adds a row (an extra
paper, ticked as received), Delete removes the current one. Only ticked rows are the
documents received, the ones Form 01 lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desk_app.intake import DocumentInput
from desk_app.vocabulary import DOCUMENT_KIND_LABELS as KIND_LABELS

RECEIVED, NAME, KIND, COUNT, NEED = range(5)
_Index = QModelIndex | QPersistentModelIndex


@dataclass
class ChecklistRow:
    """One line of the checklist as the officer left it."""

    name: str
    kind: str
    count: int
    required: bool = False
    received: bool = True


_Row = ChecklistRow


class DocumentsModel(QAbstractTableModel):
    """Rows of (name, kind, count); ``documents()`` gives them to the intake request."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._headers = (
            self.tr("Đã nhận"),
            self.tr("Tên giấy tờ"),
            self.tr("Loại"),
            self.tr("Số lượng"),
            self.tr("Yêu cầu"),
        )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return str(section + 1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if column == RECEIVED:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row.received else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                # in words too: a grey print or a colour-blind officer reads it alike
                if row.received:
                    return self.tr("Đã nhận")
                return self.tr("THIẾU") if row.required else self.tr("Không nộp")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                return row.name
            if column == KIND:
                return KIND_LABELS.get(row.kind, row.kind)
            if column == NEED:
                return self.tr("Bắt buộc") if row.required else self.tr("Nếu có")
            return str(row.count)
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME:
            return row.name  # the catalogue's names run long
        if role == Qt.ItemDataRole.EditRole:
            return {NAME: row.name, KIND: row.kind, COUNT: row.count}.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COUNT, NEED):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and row.required and not row.received:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self._rows[index.row()]
        column = index.column()
        if column == RECEIVED and role == Qt.ItemDataRole.CheckStateRole:
            row.received = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(index, self.index(index.row(), NEED))
            return True
        if role != Qt.ItemDataRole.EditRole or column in (RECEIVED, NEED):
            return False
        if column == NAME:
            row.name = " ".join(str(value).split())
        elif column == KIND:
            if value not in KIND_LABELS:
                return False
            row.kind = str(value)
        else:
            row.count = int(value)
        self.dataChanged.emit(index, index)
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == RECEIVED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == NEED:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def set_documents(self, documents: Iterable[Any]) -> None:
        """Replace the rows; takes anything with ``name``, ``kind`` and ``count`` (and
        ``required``, ``received`` when they have them: a catalogue item is not yet
        received, a plain document is)."""
        self.beginResetModel()
        self._rows = [
            _Row(
                d.name,
                d.kind,
                int(d.count),
                bool(getattr(d, "required", False)),
                bool(getattr(d, "received", not hasattr(d, "required"))),
            )
            for d in documents
        ]
        self.endResetModel()

    def rows(self) -> tuple[ChecklistRow, ...]:
        """Every line, ticked or not (a draft keeps them all)."""
        return tuple(ChecklistRow(**vars(r)) for r in self._rows)

    def documents(self) -> tuple[DocumentInput, ...]:
        """The documents received: the ticked lines, as Form 01 lists them."""
        return tuple(DocumentInput(r.name, r.kind, r.count) for r in self._rows if r.received)

    def missing(self) -> tuple[ChecklistRow, ...]:
        """The required lines left unticked."""
        return tuple(ChecklistRow(**vars(r)) for r in self._rows if r.required and not r.received)

    def toggle(self, position: int) -> None:
        if 0 <= position < len(self._rows):
            received = self._rows[position].received
            state = Qt.CheckState.Unchecked if received else Qt.CheckState.Checked
            self.setData(self.index(position, RECEIVED), state, Qt.ItemDataRole.CheckStateRole)

    def add_row(self, name: str = "", kind: str = "original", count: int = 1) -> int:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(_Row(name, kind, count))
        self.endInsertRows()
        return position

    def remove_row(self, position: int) -> None:
        if 0 <= position < len(self._rows):
            self.beginRemoveRows(QModelIndex(), position, position)
            del self._rows[position]
            self.endRemoveRows()


class KindDelegate(QStyledItemDelegate):
    """A combo of the three kinds (bản chính / bản sao / bản sao chứng thực)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        for kind, label in KIND_LABELS.items():
            combo.addItem(label, kind)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findData(index.data(Qt.ItemDataRole.EditRole))
        editor.setCurrentIndex(max(0, position))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class CountDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        spin = QSpinBox(parent)
        spin.setRange(1, 99)
        spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return spin

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QSpinBox)
        editor.setValue(int(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        assert isinstance(editor, QSpinBox)
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class DocumentsTable(QTableView):
    """The checklist view: Tab leaves it (it does not walk the cells), Insert/Delete edit it."""

    rows_edited = Signal()

    def __init__(self, model: DocumentsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsTable")
        self.setModel(model)
        self._model = model
        self._kind_delegate = KindDelegate(self)
        self._count_delegate = CountDelegate(self)
        self.setItemDelegateForColumn(KIND, self._kind_delegate)
        self.setItemDelegateForColumn(COUNT, self._count_delegate)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (RECEIVED, KIND, COUNT, NEED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(80)
        self.setWordWrap(False)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.updateGeometry)

    def sizeHint(self) -> QSize:
        # As tall as its rows (plus one free), not QAbstractScrollArea's fixed 192 px: the
        # intake form must fit a 768-pixel screen without scrolling.
        hint = super().sizeHint()
        rows = min(max(self._model.rowCount() + 1, 3), 8)
        row_height = self.verticalHeader().defaultSectionSize()
        height = self.horizontalHeader().sizeHint().height() + rows * row_height
        return QSize(hint.width(), height + 2 * self.frameWidth())

    def add_document(self) -> None:
        row = self._model.add_row()
        index = self._model.index(row, NAME)
        self.setCurrentIndex(index)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit(index)
        self.rows_edited.emit()

    def remove_current(self) -> None:
        index = self.currentIndex()
        if not index.isValid():
            return
        row = index.row()
        self._model.remove_row(row)
        remaining = self._model.rowCount()
        if remaining:
            self.setCurrentIndex(self._model.index(min(row, remaining - 1), index.column()))
        self.rows_edited.emit()

    def commit_open_editor(self) -> None:
        """Keep what is typed in a cell still being edited (Ctrl+S pressed inside it)."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        if editor is not None and self.viewport().isAncestorOf(editor):
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() == Qt.Key.Key_Insert:
                self.add_document()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.remove_current()
                return
            if event.key() == Qt.Key.Key_Space and self.currentIndex().isValid():
                self._model.toggle(self.currentIndex().row())  # tick: received or not
                return
        super().keyPressEvent(event)

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        if not self.currentIndex().isValid() and self._model.rowCount():
            self.setCurrentIndex(self._model.index(0, NAME))
