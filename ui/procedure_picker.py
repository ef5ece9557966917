"""Picking the procedure (thủ tục): a search line over a list filtered on each keystroke.

"khai sinh", "chung thuc", "dat dai" or a code such as "1.001193" all work: the search
ignores diacritics and đ (``desk_app.catalogue.search_procedures``). Up/Down move in the
list without leaving the search line; Enter picks.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.catalogue import ProcedureInfo, search_procedures
from desk_app.vocabulary import duration_text

_CODE_ROLE = Qt.ItemDataRole.UserRole
_NAVIGATION_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


# Official conditions and fees run to several hundred characters: the panel under the
# list shows their start (the whole text in its tooltip) so that the list keeps its rows.
_DETAIL_CHARS = 120


def _brief(text: str, limit: int = _DETAIL_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.(") + " …"


class ProcedurePicker(QWidget):
    """Emits ``picked(ProcedureInfo)`` when the officer chooses a procedure."""

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("procedurePicker")
        self._procedures: list[ProcedureInfo] = []
        self._shown: list[ProcedureInfo] = []
        self.current: ProcedureInfo | None = None

        self.search = QLineEdit(self)
        self.search.setObjectName("procedureSearch")
        self.search.setPlaceholderText(self.tr("Gõ tên hoặc mã thủ tục, ví dụ: khai sinh"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.pick_current)
        self.search.installEventFilter(self)

        self.list = QListWidget(self)
        self.list.setObjectName("procedureList")
        # Reached with Up/Down from the search line; Tab goes on to the applicant.
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(1)
        self.list.itemClicked.connect(lambda _item: self.pick_current())
        self.list.itemActivated.connect(lambda _item: self.pick_current())

        self.list.currentRowChanged.connect(self._show_details)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("procedureCount")
        self.details = QLabel(self)
        self.details.setObjectName("procedureDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.count_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.details)

    # -- data

    def set_procedures(self, procedures: list[ProcedureInfo]) -> None:
        self._procedures = procedures
        self._filter(self.search.text())

    @property
    def shown(self) -> list[ProcedureInfo]:
        """The procedures the list shows now, best match first."""
        return list(self._shown)

    def procedure_by_code(self, code: str) -> ProcedureInfo | None:
        return next((p for p in self._procedures if p.code == code), None)

    def _filter(self, query: str) -> None:
        self._shown = search_procedures(self._procedures, query)
        self.list.clear()
        for procedure in self._shown:
            mark = "✔ " if self.current and procedure.code == self.current.code else ""
            item = QListWidgetItem(
                f"{mark}{procedure.name}\n"
                f"    {procedure.code} · {procedure.field} · {duration_text(procedure.duration)}"
            )
            item.setData(_CODE_ROLE, procedure.code)
            item.setToolTip(procedure.fee_text or procedure.name)
            self.list.addItem(item)
        # An empty search selects nothing: Enter must never pick a procedure by accident.
        if self._shown and query.strip():
            self.list.setCurrentRow(0)
        else:
            self._show_details(-1)
        if not self._procedures:
            self.count_label.setText(self.tr("Đang tải danh mục thủ tục…"))
        elif not query.strip():
            self.count_label.setText(self.tr("{0} thủ tục").format(len(self._shown)))
        elif self._shown:
            self.count_label.setText(
                self.tr("{0} thủ tục khớp — Enter để chọn, ↑↓ để di chuyển").format(
                    len(self._shown)
                )
            )
        else:
            self.count_label.setText(self.tr("Không có thủ tục nào khớp “{0}”.").format(query))

    def _show_details(self, row: int) -> None:
        if not 0 <= row < len(self._shown):
            self.details.setText(
                self.tr("Gõ vài chữ của tên thủ tục (không cần dấu) hoặc mã thủ tục.")
            )
            self.details.setToolTip("")
            return
        p = self._shown[row]
        lines = [
            f"<b>{escape(p.name)}</b>",
            self.tr("Mã {0} · Lĩnh vực {1}").format(escape(p.code), escape(p.field)),
            self.tr("Thời hạn: {0}").format(escape(duration_text(p.duration)))
            + (f" ({escape(_brief(p.duration_note))})" if p.duration_note else ""),
        ]
        if p.fee_text:
            lines.append(self.tr("Lệ phí: {0}").format(escape(_brief(p.fee_text))))
        self.details.setText("<br>".join(lines))
        full = [t for t in (p.duration_note, p.fee_text) if len(t) > _DETAIL_CHARS]
        self.details.setToolTip("\n\n".join(full))

    # -- choosing

    def pick_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._shown):
            self.set_current(self._shown[row])
            self.picked.emit(self._shown[row])

    def set_current(self, procedure: ProcedureInfo | None) -> None:
        """Mark ``procedure`` as chosen (without emitting ``picked``)."""
        self.current = procedure
        self._filter(self.search.text())
        if procedure is not None:
            for row, shown in enumerate(self._shown):
                if shown.code == procedure.code:
                    self.list.setCurrentRow(row)
                    break

    def clear(self) -> None:
        self.current = None
        self.search.clear()
        self._filter("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _NAVIGATION_KEYS
        ):
            self._move(event.key())
            return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        count = self.list.count()
        if not count:
            return
        row = self.list.currentRow()
        if row < 0:
            self.list.setCurrentRow(0)
            return
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -5}.get(Qt.Key(key), 5)
        self.list.setCurrentRow(max(0, min(count - 1, row + step)))
        self.list.scrollToItem(self.list.currentItem())
