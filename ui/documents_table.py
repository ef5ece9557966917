"""The documents checklist of a dossier (thành phần hồ sơ): name, kind, count.

Pre-filled from the procedure; the officer edits it with the keyboard: typing starts
editing a cell, Insert adds a row, Delete removes the current one.
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
from PySide6.QtGui import QKeyEvent
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

NAME, KIND, COUNT = range(3)
_Index = QModelIndex | QPersistentModelIndex


@dataclass
class _Row:
    name: str
    kind: str
    count: int


class DocumentsModel(QAbstractTableModel):
    """Rows of (name, kind, count); ``documents()`` gives them to the intake request."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._headers = (self.tr("Tên giấy tờ"), self.tr("Loại"), self.tr("Số lượng"))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

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
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                return row.name
            if column == KIND:
                return KIND_LABELS.get(row.kind, row.kind)
            return str(row.count)
        if role == Qt.ItemDataRole.EditRole:
            return (row.name, row.kind, row.count)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COUNT:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self._rows[index.row()]
        column = index.column()
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
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def set_documents(self, documents: Iterable[Any]) -> None:
        """Replace the rows; takes anything with ``name``, ``kind`` and ``count``."""
        self.beginResetModel()
        self._rows = [_Row(d.name, d.kind, int(d.count)) for d in documents]
        self.endResetModel()

    def documents(self) -> tuple[DocumentInput, ...]:
        return tuple(DocumentInput(r.name, r.kind, r.count) for r in self._rows)

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
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COUNT, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(90)
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
        super().keyPressEvent(event)

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        if not self.currentIndex().isValid() and self._model.rowCount():
            self.setCurrentIndex(self._model.index(0, NAME))
