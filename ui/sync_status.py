"""The sync indicator of the main window's status bar, and the wiring of the sync thread.

``SyncStatusWidget`` only renders the ``SyncSnapshot``s the ``SyncWorker`` sends: a
coloured dot with the state, the number of events waiting to be sent, the time of the last
good round (commune time), the last error in plain Vietnamese — chosen by the error's
code, never by its wording; the engine's whole message is in the tooltip — and the
"Đồng bộ ngay" button.

``install_sync(window, ctx)`` builds the worker and the widget, puts the widget in the
window's status bar, starts the sync thread and stops it when the window closes, is
destroyed, or the application quits.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QWidget

from desk_app.clock import LOCAL_ZONE
from desk_app.sync import transport
from ui.style import ERROR_COLOR, SUCCESS_COLOR, WARNING_COLOR
from ui.sync_worker import LinkState, SyncSnapshot, SyncWorker

if TYPE_CHECKING:
    from desk_app.context import DeskContext

_CONTEXT = "SyncStatusWidget"

DOT_COLORS = {
    LinkState.ONLINE: SUCCESS_COLOR,
    LinkState.OFFLINE: ERROR_COLOR,
    LinkState.SYNCING: "#1558b0",
    LinkState.NOT_ENROLLED: "#6b6b6b",
}
# The error line asks for at most this width; it is the first to give up room when the status
# bar is narrow (cut with "…"), the whole of it in the tooltip.
ERROR_WIDTH_PX = 300
# Reachable, but the round failed (credential or data refused): not the green of a good link.
TROUBLE_COLOR = WARNING_COLOR


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def state_text(state: LinkState) -> str:
    """The state as the officer reads it."""
    labels = {
        LinkState.ONLINE: _tr("Trực tuyến"),
        LinkState.OFFLINE: _tr("Ngoại tuyến"),
        LinkState.SYNCING: _tr("Đang đồng bộ…"),
        LinkState.NOT_ENROLLED: _tr("Chưa kết nối máy chủ huyện"),
    }
    return labels[state]


def describe_error(code: str | None, message: str) -> str:
    """The line for the status bar, decided on the error's code; ``message`` (the
    engine's own words) is shown only where no fixed line says it better."""
    fixed = {
        transport.UNREACHABLE: _tr("Không kết nối được máy chủ"),
        transport.SERVER_ERROR: _tr("Máy chủ huyện đang gặp lỗi"),
        transport.TLS: _tr("Không xác minh được chứng chỉ bảo mật của máy chủ"),
        transport.UNAUTHORIZED: _tr("Máy chủ từ chối chứng thư của quầy — cần đăng ký lại"),
    }
    if code in fixed:
        return fixed[code]
    if code == transport.REJECTED:
        return message[:1].upper() + message[1:]  # the engine's words carry the server's
    return _tr("Lỗi đồng bộ: {0}").format(message)


def format_local(when_utc: dt.datetime) -> str:
    """A naive UTC time as commune wall-clock time, e.g. "14:05 21/11"."""
    local = when_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE)
    return local.strftime("%H:%M %d/%m")


class ElidedLabel(QLabel):
    """A one-line label that gives up its width before its neighbours do: it paints its
    text cut with "…" to the width it is given; ``text()`` keeps the whole of it."""

    def __init__(self, preferred_px: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferred_px = preferred_px

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), self._preferred_px), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("M…"), super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What the officer reads at the current width."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())


class SyncStatusWidget(QWidget):
    """Shows the worker's snapshots; "Đồng bộ ngay" asks the worker for a round at once."""

    def __init__(self, worker: SyncWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._worker = worker
        self._snapshot: SyncSnapshot | None = None
        self._retry_deadline: float | None = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(8)

        self.dot = QLabel(self)
        self.dot.setObjectName("syncDot")
        self.dot.setFixedSize(12, 12)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("syncState")
        self.pending_label = QLabel(self)
        self.pending_label.setObjectName("syncPending")
        self.last_success_label = QLabel(self)
        self.last_success_label.setObjectName("syncLastSuccess")
        self.error_label = ElidedLabel(ERROR_WIDTH_PX, self)
        self.error_label.setObjectName("syncError")
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.retry_label = QLabel(self)
        self.retry_label.setObjectName("syncRetry")
        self.sync_button = QPushButton(self.tr("Đồng bộ ngay"), self)
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setToolTip(
            self.tr("Gửi và nhận dữ liệu với máy chủ huyện ngay bây giờ (F5)")
        )
        # Out of the Tab chain, so Tab in a form never lands in the status bar; F5 instead.
        self.sync_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sync_button.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_button.clicked.connect(self._on_sync_now)

        dot_and_state = QHBoxLayout()
        dot_and_state.setSpacing(6)
        dot_and_state.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        dot_and_state.addWidget(self.state_label)
        layout.addLayout(dot_and_state)
        for label in (
            self.pending_label,
            self.last_success_label,
            self.error_label,
            self.retry_label,
        ):
            layout.addWidget(label)
        layout.addWidget(self.sync_button)

        # Counts the back-off down on the GUI thread; the worker itself never ticks.
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_retry)

        worker.status_changed.connect(self._on_status)
        last = worker.last_snapshot
        if last is not None:
            self._on_status(last)
        else:
            self._render_checking()

    # ------------------------------------------------------------------ rendering

    @property
    def snapshot(self) -> SyncSnapshot | None:
        """The snapshot on screen."""
        return self._snapshot

    def _render_checking(self) -> None:
        self._set_dot("#9e9e9e")
        self.state_label.setText(self.tr("Đang kiểm tra kết nối…"))
        for label in (self.pending_label, self.last_success_label):
            label.clear()
            label.hide()
        self.error_label.hide()
        self.retry_label.hide()

    def _on_status(self, snapshot: object) -> None:
        if not isinstance(snapshot, SyncSnapshot):
            return
        self._snapshot = snapshot
        trouble = snapshot.state is LinkState.ONLINE and bool(snapshot.last_error)
        self._set_dot(TROUBLE_COLOR if trouble else DOT_COLORS[snapshot.state])
        self.state_label.setText(state_text(snapshot.state))

        pending = self.tr("Chờ gửi: {0}").format(snapshot.pending)
        tip = self.tr("Số sự kiện ghi tại quầy chưa được máy chủ huyện xác nhận")
        if snapshot.held:
            pending += self.tr(" · máy chủ cần cập nhật: {0}").format(snapshot.held)
            tip += "\n" + self.tr(
                "Máy chủ huyện chưa biết loại sự kiện mới của quầy: các sự kiện này vẫn chờ "
                "và được gửi lại sau khi máy chủ được cập nhật."
            )
        if snapshot.set_aside:
            pending += self.tr(" · để riêng: {0}").format(snapshot.set_aside)
            tip += "\n" + self.tr(
                "Sự kiện nhận từ máy chủ mà quầy chưa áp dụng được (xem `desk-app sync`); "
                "đã báo cho máy chủ huyện."
            )
        self.pending_label.setText(pending)
        self.pending_label.setToolTip(tip)
        self.pending_label.show()

        if snapshot.last_success_at is None:
            since = self.tr("chưa lần nào")
        else:
            since = format_local(snapshot.last_success_at)
        self.last_success_label.setText(self.tr("Lần cuối thành công: {0}").format(since))
        self.last_success_label.setVisible(snapshot.state is not LinkState.NOT_ENROLLED)

        if snapshot.last_error:
            message = describe_error(snapshot.last_error_code, snapshot.last_error)
            self.error_label.setText(message)
            self.error_label.setToolTip(f"{message}\n\n{snapshot.last_error}")
            self.error_label.show()
        else:
            self.error_label.clear()
            self.error_label.setToolTip("")
            self.error_label.hide()

        if snapshot.state is LinkState.NOT_ENROLLED:
            self.state_label.setToolTip(
                self.tr("Quầy chưa đăng ký với máy chủ huyện: dữ liệu chỉ lưu tại quầy.")
            )
        else:
            self.state_label.setToolTip("")

        # Only a failed attempt gets a visible countdown; a good link just waits quietly.
        if snapshot.last_error and snapshot.next_retry_in_s is not None:
            self._retry_deadline = time.monotonic() + snapshot.next_retry_in_s
            self._countdown.start()
            self._show_retry()
        else:
            self._retry_deadline = None
            self._countdown.stop()
            self.retry_label.hide()

        self.sync_button.setEnabled(snapshot.state is not LinkState.SYNCING)

    def _show_retry(self) -> None:
        if self._retry_deadline is None:
            return
        left = round(self._retry_deadline - time.monotonic())
        if left > 0:
            self.retry_label.setText(self.tr("Thử lại sau {0} giây").format(left))
        else:
            self.retry_label.setText(self.tr("Đang thử lại…"))
            self._countdown.stop()
        self.retry_label.show()

    def _set_dot(self, color: str) -> None:
        self.dot.setStyleSheet(
            f"QLabel#syncDot {{ background-color: {color}; border-radius: 6px; }}"
        )

    # ------------------------------------------------------------------ actions

    def _on_sync_now(self) -> None:
        # Called directly: the worker's thread runs a blocking loop, not an event loop.
        self.sync_button.setEnabled(False)
        self._worker.sync_now()


class _SyncShutdown(QObject):
    """Stops the sync thread when its window closes for good, or the application quits."""

    def __init__(self, window: QMainWindow, worker: SyncWorker) -> None:
        super().__init__(window)
        self._window = window
        self._worker = worker
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            # Goes away with this object, so the application keeps no worker alive.
            app.aboutToQuit.connect(self._stop)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            # The window may still refuse the close; decide once it has answered.
            QTimer.singleShot(0, self, self._stop_if_closed)
        return False

    def _stop_if_closed(self) -> None:
        if not self._window.isVisible():
            self._worker.stop()

    def _stop(self) -> None:
        self._worker.stop()


def install_sync(window: QMainWindow, ctx: DeskContext) -> SyncWorker:
    """Start the desk's background sync and show its indicator in ``window``'s status bar.

    The sync thread stops when the window is closed or destroyed, or the application quits.
    Call ``worker.local_change()`` after recording local events (an intake) to send them at
    once.
    """
    worker = SyncWorker(ctx.sync)
    widget = SyncStatusWidget(worker, window.statusBar())
    window.statusBar().addPermanentWidget(widget)
    _SyncShutdown(window, worker)

    def stop_worker(*_: object) -> None:
        # This closure keeps the worker (and its QThread) alive until the thread is joined:
        # a QThread destroyed while running aborts the whole program.
        worker.stop()

    window.destroyed.connect(stop_worker)
    worker.start()
    return worker
