"""Lookup and reprint (tra cứu, in lại giấy hẹn): the controller, and the screen.

A barcode scanner "types" the dossier code and Enter into the code field; the dossier's
main facts appear and "In lại giấy hẹn" opens the receipt exactly as issued. Below,
today's dossiers, refreshed whenever an operation reports that dossiers changed (one
received here, or pulled from another desk).

The stored receipt is read on the print thread (``Operations.run_print``), so a reprint
for the citizen at the counter does not wait behind a long job on the database thread.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, Clock, local_now
from desk_app.errors import user_message
from desk_app.forms.vn_format import format_vn_datetime
from desk_app.intake import DossierNotFoundError, DossierView, IntakeService
from desk_app.lifecycle import TimelineEntry
from desk_app.vocabulary import CHANNEL_LABELS, STATUS_LABELS
from ui.lookup_view import LookupView, TodayModel, short_time
from ui.operations import Changes, Operations
from ui.tab_screen import TabScreen

__all__ = ["LookupController", "LookupScreen", "TodayModel"]


def _event_text(entry: TimelineEntry) -> str:
    if entry.kind == "dossier.received":
        return "Tiếp nhận hồ sơ"
    if entry.kind == "dossier.status_changed":
        target = str(entry.payload.get("to", ""))
        return "Chuyển sang: " + STATUS_LABELS.get(target, target)
    return entry.kind


class LookupController(QObject):
    """Finds a dossier by code (typed or scanned) and prints its receipt again."""

    looked_up = Signal(object)

    def __init__(
        self,
        view: LookupView,
        intake: IntakeService,
        officer: Officer,
        clock: Clock,
        ops: Operations,
        show_receipt: Callable[[bytes, str], object],
        timeline: Callable[[str], list[TimelineEntry]] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self._intake = intake
        self._officer = officer
        self._clock = clock
        self._ops = ops
        self._show_receipt = show_receipt
        self._timeline = timeline
        self._busy = False
        self.dossier: DossierView | None = None

        view.code.returnPressed.connect(self.lookup)
        view.find_button.clicked.connect(self.lookup)
        view.reprint_button.clicked.connect(self.reprint)
        view.refresh_button.clicked.connect(self.refresh_today)
        view.today.activated.connect(self._row_activated)
        view.today.doubleClicked.connect(self._row_activated)
        ops.changed.connect(self._on_changed)

    @property
    def busy(self) -> bool:
        return self._busy

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.dossiers:
            self.refresh_today()

    # -- lookup

    def lookup(self) -> None:
        code = self.view.code.text().strip()
        if not code or self._busy:
            return
        intake, officer = self._intake, self._officer
        self._set_busy(True, self.tr("Đang tìm hồ sơ {0}…").format(code))
        self._ops.run(lambda: intake.get(code, officer), self._found, self._not_found)

    def _found(self, dossier: DossierView) -> None:
        self._set_busy(False)
        self.dossier = dossier
        view = self.view
        view.message.hide()
        facts = view.fact_labels
        facts["code"].setText(dossier.code)
        facts["status"].setText(STATUS_LABELS.get(dossier.status, dossier.status))
        facts["procedure"].setText(f"{dossier.procedure_name} ({dossier.procedure_code})")
        facts["applicant"].setText(dossier.applicant_name)
        facts["cccd"].setText(dossier.cccd_masked)
        facts["channel"].setText(CHANNEL_LABELS.get(dossier.channel, dossier.channel))
        facts["received"].setText(format_vn_datetime(dossier.received_at))
        facts["due"].setText(
            format_vn_datetime(dossier.due_at)
            if dossier.due_at
            else self.tr("Không có ngày hẹn trả cụ thể")
        )
        facts["officer"].setText(dossier.received_by_name)
        facts["timeline"].setText(self.tr("…"))
        if self._timeline is not None:
            timeline, code = self._timeline, dossier.code
            self._ops.run(lambda: timeline(code), self._show_timeline, self._timeline_failed)
        view.details.show()
        # the next scan replaces the code instead of appending to it
        view.code.selectAll()
        view.code.setFocus(Qt.FocusReason.OtherFocusReason)
        self.looked_up.emit(dossier)

    def _show_timeline(self, entries: list[TimelineEntry]) -> None:
        """Each recorded step in the order the desks agree on; a transition that lost a
        conflict (another desk acted first) is shown struck out, with the reason."""
        lines = []
        for e in entries:
            when = short_time(e.occurred_at_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE))
            what = _event_text(e)
            desk = e.origin.split("#")[-1]
            line = html.escape(f"{when} · {what} · {e.actor} (quầy {desk})")
            if not e.applied:
                line = "<s>" + line + "</s> " + self.tr("— không áp dụng: quầy khác đã xử lý trước")
            lines.append(line)
        label = self.view.fact_labels["timeline"]
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText("<br>".join(lines))

    def _timeline_failed(self, exc: BaseException) -> None:
        self.view.fact_labels["timeline"].setText(
            self.tr("Không đọc được diễn biến: {0}").format(user_message(exc))
        )

    def _not_found(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.dossier = None
        view = self.view
        view.details.hide()
        if isinstance(exc, DossierNotFoundError):
            text = self.tr("Không tìm thấy hồ sơ mã “{0}”.").format(view.code.text().strip())
        else:
            text = self.tr("Không tra cứu được: {0}").format(user_message(exc))
        view.show_message(text, "error")
        view.code.selectAll()
        view.code.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- reprint

    def reprint(self) -> None:
        dossier = self.dossier
        if dossier is None or self._busy:
            return
        intake, officer, code = self._intake, self._officer, dossier.code
        self._set_busy(True, self.tr("Đang mở giấy hẹn…"))
        # A quick read of the stored PDF, on the print thread: never behind a long job.
        self._ops.run_print(
            lambda: intake.receipt(code, officer),
            lambda pdf: self._receipt_ready(code, pdf),
            self._receipt_failed,
        )

    def _receipt_ready(self, code: str, pdf: bytes) -> None:
        self._set_busy(False)
        self.view.message.hide()
        self._show_receipt(pdf, code)

    def _receipt_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.view.show_message(
            self.tr("Không mở được giấy hẹn: {0}").format(user_message(exc)), "error"
        )

    # -- today's list

    def refresh_today(self) -> None:
        intake, officer = self._intake, self._officer
        today = local_now(self._clock).date()
        self._ops.run(
            lambda: intake.list_received(officer, today, today),
            self.view.show_today,
            lambda exc: self.view.show_message(
                self.tr("Không tải được danh sách: {0}").format(user_message(exc)), "error"
            ),
        )

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.view.code.setText(self.view.today_model.code_at(index.row()))
            self.lookup()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.view.set_busy(busy, text)


class LookupScreen(LookupView, TabScreen):
    """The lookup tab: the view, driven by its controller."""

    def __init__(
        self,
        intake: IntakeService,
        officer: Officer,
        clock: Clock,
        ops: Operations,
        show_receipt: Callable[[bytes, str], object],
        parent: QWidget | None = None,
        timeline: Callable[[str], list[TimelineEntry]] | None = None,
    ) -> None:
        super().__init__(officer.can(Permission.PRINT), parent)
        self.controller = LookupController(
            self, intake, officer, clock, ops, show_receipt, timeline
        )

    # What the main window and the tests ask of the screen as a whole.

    @property
    def dossier(self) -> DossierView | None:
        return self.controller.dossier

    @property
    def busy(self) -> bool:
        return self.controller.busy

    def lookup(self) -> None:
        self.controller.lookup()

    def reprint(self) -> None:
        self.controller.reprint()

    def refresh_today(self) -> None:
        self.controller.refresh_today()

    def screen_shown(self) -> None:
        """The tab came to the front: today's list afresh, the code field ready for a scan."""
        self.refresh_today()
        self.focus_first()
