"""Search while typing (tìm hồ sơ): the controller, and the screen.

Each keystroke restarts a short pause (``TYPING_PAUSE_MS``); then the query runs on the
database thread. One search is in flight at a time: what is typed meanwhile runs when it
returns, and only results for the text now in the field are shown.

The audit log gets one entry per search that was looked at — results that stayed on
screen for ``AUDIT_AFTER_MS``, or one that was opened — never one per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from desk_app.auth import Officer
from desk_app.errors import user_message
from desk_app.search import MIN_QUERY_CHARS, SearchHit, SearchService, words
from ui.operations import Changes, Operations
from ui.search_view import SearchView
from ui.tab_screen import TabScreen

__all__ = ["AUDIT_AFTER_MS", "TYPING_PAUSE_MS", "SearchController", "SearchScreen"]

TYPING_PAUSE_MS = 120
AUDIT_AFTER_MS = 1000


class SearchController(QObject):
    """Runs the searches of a ``SearchView`` and opens the dossier chosen."""

    #: a search's results are on screen (the hits)
    searched = Signal(object)
    #: a search was written to the audit log (the query)
    audited = Signal(str)

    def __init__(
        self,
        view: SearchView,
        search: SearchService,
        officer: Officer,
        ops: Operations,
        open_dossier: Callable[[str], object],
    ) -> None:
        super().__init__(view)
        self.view = view
        self._search = search
        self._officer = officer
        self._ops = ops
        self._open_dossier = open_dossier
        self._in_flight = False
        self._shown_query: str | None = None
        self._audited_query: str | None = None
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.run)
        self._audit_timer = QTimer(self)
        self._audit_timer.setSingleShot(True)
        self._audit_timer.setInterval(AUDIT_AFTER_MS)
        self._audit_timer.timeout.connect(self._record)

        view.query.textChanged.connect(self._typed)
        view.query.returnPressed.connect(self.open_selected)
        view.query.installEventFilter(self)
        view.open_button.clicked.connect(self.open_selected)
        view.results.activated.connect(self._row_opened)
        view.results.doubleClicked.connect(self._row_opened)
        ops.changed.connect(self._on_changed)

    @property
    def busy(self) -> bool:
        return self._in_flight or self._pause.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # ↓ in the field goes down into the list, so the keyboard alone picks a result.
        if (
            watched is self.view.query
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.view.model.rowCount()
        ):
            self.view.results.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False

    def _typed(self, _text: str) -> None:
        self._audit_timer.stop()
        self._pause.start()

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.dossiers and self.view.query.text().strip():
            self._pause.start()

    def run(self) -> None:
        """Search for what is in the field now (or as soon as the running search ends)."""
        if self._in_flight or self._ops.stopped:
            return  # _done runs again for the newest text; or the window closed
        query = self.view.query.text()
        if sum(len(w) for w in words(query)) < MIN_QUERY_CHARS:
            self._shown_query = query
            text = self.tr("Gõ ít nhất {0} chữ hoặc số.").format(MIN_QUERY_CHARS)
            self.view.show_hits([], text if query.strip() else "")
            return
        self._in_flight = True
        search, officer = self._search, self._officer
        self._ops.run(
            lambda: search.search(query, officer),
            lambda hits: self._done(query, hits),
            self._failed,
        )

    def _done(self, query: str, hits: list[SearchHit]) -> None:
        self._in_flight = False
        if query != self.view.query.text():
            self.run()  # typed on meanwhile: these results are for an older text
            return
        self._shown_query = query
        if hits:
            text = self.tr("{0} hồ sơ (mới nhất trước)").format(len(hits))
        else:
            text = self.tr("Không tìm thấy hồ sơ nào.")
        self.view.show_hits(hits, text)
        self.searched.emit(hits)
        if hits and query.strip() != self._audited_query:
            self._audit_timer.start()

    def _failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self.view.show_hits([], self.tr("Không tìm được: {0}").format(user_message(exc)))

    def _record(self) -> None:
        """The results stayed on screen: one audit entry for this search."""
        query = self._shown_query
        hits = self.view.model.hits
        if self._ops.stopped or query is None or not hits or query.strip() == self._audited_query:
            return
        self._audited_query = query.strip()
        search, officer, codes = self._search, self._officer, [h.code for h in hits]
        self._ops.run(
            lambda: search.record_search(officer, query, codes),
            lambda _none: self.audited.emit(query.strip()),
        )

    # -- opening a result

    def open_selected(self) -> None:
        if self._pause.isActive() or self._in_flight:
            return  # Enter before the results for the text typed: nothing to open yet
        code = self.view.selected_code()
        if code is not None:
            self._open(code)

    def _row_opened(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open(self.view.model.code_at(index.row()))

    def _open(self, code: str) -> None:
        self._audit_timer.stop()
        self._record()
        self._open_dossier(code)


class SearchScreen(SearchView, TabScreen):
    """The search tab: the view, driven by its controller."""

    def __init__(
        self,
        search: SearchService,
        officer: Officer,
        ops: Operations,
        open_dossier: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = SearchController(self, search, officer, ops, open_dossier)

    def screen_shown(self) -> None:
        self.focus_first()
