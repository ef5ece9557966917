"""The return desk (trả kết quả): the results waiting for their citizens, and the return.

The list shows every dossier whose result is ready, the longest waiting first, CCCD
masked; it refreshes whenever dossiers change (here or pulled from another desk).
Returning records the time by itself — nobody types a date — and offers the citizen's
satisfaction rating: one key per level of the scale, Enter to return without one
(a rating is never required), Esc to go back without returning.

A scanned receipt opens the dossier view anywhere (``ui.scanner``); its "Trả kết quả"
action does the same as this screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.clock import Clock, local_now
from desk_app.errors import user_message
from desk_app.search import SearchHit, SearchService
from ui.dossier_view_actions import DEFAULT_RATINGS, RETURN, ActionRunner, ActionValues
from ui.operations import Changes, Operations
from ui.search_view import ResultsModel
from ui.style import BANNER_STYLES, heading_font, set_text_color
from ui.tab_screen import TabScreen

__all__ = ["RatingDialog", "ReturnDesk"]

_Index = QModelIndex | QPersistentModelIndex


class AwaitingModel(ResultsModel):
    """Results waiting for collection: the search list's columns but "matched"."""

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return max(0, super().columnCount(parent) - 1)


class RatingDialog(QDialog):
    """Returning one dossier: the citizen's rating in one key, or Enter to skip it."""

    def __init__(
        self,
        hit: SearchHit,
        ratings: Sequence[str] = DEFAULT_RATINGS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ratingDialog")
        self.setWindowTitle(self.tr("Trả kết quả hồ sơ {0}").format(hit.code))
        self.rating: str | None = None
        self._keys: dict[int, str] = {}
        layout = QVBoxLayout(self)
        who = QLabel(
            self.tr("Trả kết quả hồ sơ {0} cho {1}.\nThời điểm trả được ghi tự động.").format(
                hit.code, hit.applicant_name
            ),
            self,
        )
        who.setFont(heading_font(who.font(), 1, bold=False))
        layout.addWidget(who)
        layout.addWidget(QLabel(self.tr("Công dân đánh giá mức hài lòng (không bắt buộc):"), self))
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for number, key in enumerate(ratings, 1):
            button = QPushButton(f"{number}  {key}", self)
            button.setObjectName(f"rating_{number}")
            button.setMinimumHeight(40)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, k=key: self._choose(k))
            row.addWidget(button)
            self.buttons[key] = button
            if number <= 9:
                self._keys[int(Qt.Key.Key_0) + number] = key
        layout.addLayout(row)
        self.skip = QPushButton(self.tr("Trả, không đánh giá (Enter)"), self)
        self.skip.setObjectName("ratingSkip")
        self.skip.setDefault(True)
        self.skip.clicked.connect(lambda: self._choose(None))
        cancel = QPushButton(self.tr("Chưa trả (Esc)"), self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(cancel)
        bottom.addStretch(1)
        bottom.addWidget(self.skip)
        layout.addLayout(bottom)
        hint = QLabel(self.tr("Bấm phím số để chọn mức; Enter để trả mà không đánh giá."), self)
        set_text_color(hint)
        layout.addWidget(hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = self._keys.get(event.key())
        if key is not None and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            self._choose(key)
            return
        super().keyPressEvent(event)

    def _choose(self, rating: str | None) -> None:
        self.rating = rating
        self.accept()


class ReturnDesk(QWidget, TabScreen):
    """The tab: results waiting for collection, and the return with its rating."""

    #: a return was recorded (code, rating or None)
    returned = Signal(str, object)

    def __init__(
        self,
        search: SearchService,
        officer: Officer,
        ops: Operations,
        run_action: ActionRunner,
        clock: Clock,
        rating_scale: Callable[[], Sequence[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("returnDesk")
        self._clock = clock
        self._search = search
        self._officer = officer
        self._ops = ops
        self._run_action = run_action
        self._rating_scale = rating_scale
        self._ratings: tuple[str, ...] = DEFAULT_RATINGS
        self.rating_dialog: RatingDialog | None = None
        self.loaded = False

        self.title = QLabel(self.tr("Kết quả chờ trả"), self)
        self.title.setFont(heading_font(self.font(), 3))
        self.refresh_button = QPushButton(self.tr("Làm &mới"), self)
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.refresh_button)
        self.message = QLabel(self)
        self.message.setObjectName("returnMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.model = AwaitingModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("awaitingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _i: self.return_selected())
        self.table.doubleClicked.connect(lambda _i: self.return_selected())
        self.return_button = QPushButton(self.tr("&Trả kết quả (Enter)"), self)
        self.return_button.setObjectName("returnButton")
        self.return_button.setMinimumHeight(36)
        self.return_button.clicked.connect(self.return_selected)
        bottom = QHBoxLayout()
        hint = QLabel(self.tr("Hoặc quét mã vạch trên giấy hẹn của công dân để mở hồ sơ."), self)
        set_text_color(hint)
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.return_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        ops.changed.connect(self._on_changed)

    # -- the list

    def screen_shown(self) -> None:
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.dossiers:
            self.refresh()

    def refresh(self) -> None:
        search, officer, scale = self._search, self._officer, self._rating_scale
        self._ops.run(
            lambda: (search.awaiting_collection(officer), tuple(scale())),
            self._show,
            lambda exc: self._say(
                self.tr("Không tải được danh sách: {0}").format(user_message(exc)), "error"
            ),
        )

    def _show(self, loaded: tuple[list[SearchHit], tuple[str, ...]]) -> None:
        hits, self._ratings = loaded[0], loaded[1] or DEFAULT_RATINGS
        selected = self._selected()
        self.model.set_rows(hits)
        self.title.setText(self.tr("Kết quả chờ trả ({0})").format(len(hits)))
        self.return_button.setEnabled(bool(hits))
        codes = [h.code for h in hits]
        row = codes.index(selected.code) if selected and selected.code in codes else 0
        if hits:
            self.table.selectRow(row)
        self.loaded = True

    def _selected(self) -> SearchHit | None:
        rows = self.table.selectionModel().selectedRows()
        hits = self.model.hits
        return hits[rows[0].row()] if rows and rows[0].row() < len(hits) else None

    # -- the return

    def return_selected(self) -> None:
        hit = self._selected()
        if hit is None:
            return
        dialog = RatingDialog(hit, self._ratings, self)
        dialog.accepted.connect(lambda: self._record(hit, dialog.rating))
        dialog.finished.connect(dialog.deleteLater)
        self.rating_dialog = dialog
        dialog.open()

    def _record(self, hit: SearchHit, rating: str | None) -> None:
        runner, code = self._run_action, hit.code
        values = ActionValues(rating=rating)
        self._ops.run(
            lambda: runner(code, RETURN, values),
            lambda _r: self._done(hit, rating),
            lambda exc: self._say(user_message(exc), "error"),
            changes=Changes(dossiers=True, outbox=True),
        )

    def _done(self, hit: SearchHit, rating: str | None) -> None:
        when = local_now(self._clock).strftime("%H:%M")
        label = rating or self.tr("không đánh giá")
        self._say(
            self.tr("Đã trả kết quả hồ sơ {0} cho {1} lúc {2} ({3}).").format(
                hit.code, hit.applicant_name, when, label
            ),
            "info",
        )
        self.returned.emit(hit.code, rating)

    def _say(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()
