"""The daily backup, run by the window itself while it is open.

A commune has no technician to schedule ``desk-app backup daily``: the window checks a
minute after it opens and then every hour, and when the last good backup is a day old it
writes one to the administrator's folder, verified, keeping the newest N
(``desk_app.backup.run_scheduled_backup``, which never raises). The backup runs on its own
thread: the officer's saves and prints never wait behind it. Its outcome goes to the
status bar when there is something to say (a backup written, or why it could not be).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal

if TYPE_CHECKING:
    from desk_app.backup import ScheduledOutcome
    from desk_app.context import DeskContext

FIRST_CHECK_MS = 60_000
EVERY_MS = 60 * 60_000


class _Run(QThread):
    done = Signal(object)

    def __init__(self, ctx: DeskContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx

    def run(self) -> None:
        from desk_app.backup import ScheduledOutcome, run_scheduled_backup

        try:
            outcome = run_scheduled_backup(self._ctx)
        except Exception as exc:  # it never raises; a bug must still not kill the window
            from desk_app.errors import user_message

            outcome = ScheduledOutcome(False, reason=user_message(exc))
        self.done.emit(outcome)


class DailyBackup(QObject):
    """Checks now and then whether the daily backup is due, and runs it."""

    #: every outcome, written or not (tests and the backup section listen)
    finished = Signal(object)
    #: a sentence for the status bar: a backup written, or why none could be
    message = Signal(str)

    def __init__(
        self,
        ctx: DeskContext,
        parent: QObject | None = None,
        *,
        first_ms: int = FIRST_CHECK_MS,
        every_ms: int = EVERY_MS,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._every_ms = every_ms
        self._run: _Run | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._timer.start(first_ms)

    def check(self) -> None:
        """Run the backup if it is due (on its own thread); then check again later."""
        if self._run is not None:
            return  # one at a time
        run = _Run(self._ctx, self)
        run.done.connect(self._done)
        self._run = run
        run.start()

    def _done(self, outcome: ScheduledOutcome) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.wait()
            run.deleteLater()
        if outcome.ran and outcome.file is not None:
            self.message.emit(self.tr("Đã sao lưu tự động: {0}").format(outcome.file.name))
        elif outcome.reason and not outcome.reason.startswith(("đã sao lưu", "chưa chọn")):
            self.message.emit(self.tr("Chưa sao lưu tự động được: {0}").format(outcome.reason))
        self.finished.emit(outcome)
        self._timer.start(self._every_ms)

    def stop(self) -> None:
        """Stop checking; a backup in progress is let finish (its file is whole or absent)."""
        self._timer.stop()
        run = self._run
        if run is not None:
            run.wait()
