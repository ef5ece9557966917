"""The chair's backlog screen: the controller, and the screen.

Everything that reads the database runs on the database thread (``Operations.run``);
the screen refreshes itself whenever an operation reports changed dossiers — one
recorded here, or pulled from another desk by a sync — a moment later, so a burst of
changes costs one refresh. A click on a tile shows its list; a double click (or Enter)
on a row opens the dossier through ``open_dossier``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QWidget

from desk_app.auth import Officer
from desk_app.backlog import TILE_LABELS, Backlog, BacklogFilter, BacklogService
from desk_app.clock import Clock, local_now
from desk_app.errors import user_message
from desk_app.profile import ProfileService
from desk_app.report import UNIT_NAME, ReportService, SeriesPoint
from ui.backlog_view import BacklogView
from ui.charts import Series
from ui.operations import Changes, Operations
from ui.tab_screen import TabScreen

REFRESH_DELAY_MS = 250


@dataclass(frozen=True)
class ChartData:
    daily: list[SeriesPoint]
    weekly: list[SeriesPoint]


class BacklogController(QObject):
    """Loads the backlog and the charts, and keeps the view in step with the data."""

    #: ``(done, total)`` dossiers of the report history's catch-up (the charts and the
    #: report need it first): emitted on the database thread, shown on this one
    history_progress = Signal(int, int)

    def __init__(
        self,
        view: BacklogView,
        backlog: BacklogService,
        reports: ReportService,
        profiles: ProfileService,
        officer: Officer,
        clock: Clock,
        ops: Operations,
        show_pdf: Callable[[bytes, str], object],
        open_dossier: Callable[[str], object] | None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self._backlog = backlog
        self._reports = reports
        self._profiles = profiles
        self._officer = officer
        self._clock = clock
        self._ops = ops
        self._show_pdf = show_pdf
        self._open_dossier = open_dossier
        self.current: Backlog | None = None
        self.tile: str = "overdue"
        self.loads = 0  # finished backlog loads, for tests and the status line
        self._in_flight = False
        self._again = False
        self._filters_loaded = False
        #: the chair picked a due-soon window of their own; until then the commune's
        #: setting (``warning_days``) is used, and followed when it changes
        self._own_window = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        today = local_now(clock).date()
        view.set_report_range(today.replace(day=1), today)
        view.set_received_range(today.replace(day=1), today)
        view.tile_clicked.connect(self.show_tile)
        view.refresh_button.clicked.connect(self.refresh)
        view.sheet_button.clicked.connect(self.print_sheet)
        view.report_pdf.clicked.connect(lambda: self.export_report("pdf"))
        view.report_xlsx.clicked.connect(lambda: self.export_report("xlsx"))
        view.table.activated.connect(self._row_activated)
        view.table.doubleClicked.connect(self._row_activated)
        view.window_days.valueChanged.connect(self._window_picked)
        view.use_dates.toggled.connect(self._schedule)
        view.date_from.dateChanged.connect(self._schedule)
        view.date_to.dateChanged.connect(self._schedule)
        for combo in (view.status, view.procedure, view.field):
            combo.currentIndexChanged.connect(self._schedule)
        view.desk.valueChanged.connect(self._schedule)
        ops.changed.connect(self._on_changed)
        self.history_progress.connect(view.show_history_progress)

    # -- loading

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.dossiers or changes.calendar or changes.catalogue or changes.settings:
            self._schedule()

    def _window_picked(self, _days: int) -> None:
        self._own_window = True
        self._schedule()

    def _schedule(self) -> None:
        self._timer.start()

    def filters(self) -> BacklogFilter:
        v = self.view
        dates = v.use_dates.isChecked()
        status = v.status.currentData()
        return BacklogFilter(
            received_from=v.date_from.date().toPython() if dates else None,  # type: ignore[arg-type]
            received_to=v.date_to.date().toPython() if dates else None,  # type: ignore[arg-type]
            statuses=(status,) if status else (),
            procedure_code=v.procedure.currentData() or None,
            field=v.field.currentData() or None,
            desk=v.desk.value() or None,
        )

    def refresh(self) -> None:
        """Load the backlog (and the charts after it) on the database thread."""
        if self._ops.stopped:
            return  # the window closed while a refresh was scheduled
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        self.view.set_busy(True)
        service, officer = self._backlog, self._officer
        first = self.current is None
        # the commune's window (read with the backlog) until the chair picks one
        filters = self.filters()
        window = self.view.window_days.value() if self._own_window else None
        self._ops.run(
            lambda: service.backlog(officer, filters, warning_days=window, record_view=first),
            self._loaded,
            self._failed,
        )
        if not self._filters_loaded:
            self._filters_loaded = True
            self._ops.run(lambda: (service.fields(), service.procedures()), self._fill_filters)
        reports, today = self._reports, local_now(self._clock).date()
        progress = self.history_progress.emit

        def charts() -> ChartData:
            # the first time on a large database this takes minutes: show how far it is
            reports.refresh_history(progress)
            return ChartData(
                reports.series(today - dt.timedelta(days=29), today, officer, "day"),
                reports.series(today - dt.timedelta(weeks=12), today, officer, "week"),
            )

        self._ops.run(charts, self._charts, lambda exc: None)

    def _loaded(self, backlog: Backlog) -> None:
        self._in_flight = False
        self.view.set_busy(False)
        self.view.message.hide()
        self.current = backlog
        self.loads += 1
        v = self.view
        v.window_days.blockSignals(True)
        v.window_days.setValue(backlog.warning_days)
        v.window_days.blockSignals(False)
        for key, tile in v.tiles.items():
            tile.set_count(backlog.counts[key])
        v.breakdowns["holder"].set_counts(backlog.by_holder)
        v.breakdowns["procedure"].set_counts(backlog.by_procedure)
        v.breakdowns["field"].set_counts(backlog.by_field)
        v.age_chart.set_data(
            [label for label, _ in backlog.by_age],
            [
                Series(
                    self.tr("Hồ sơ"), tuple(float(n) for _, n in backlog.by_age), QColor(90, 90, 90)
                )
            ],
        )
        when = backlog.last_sync_at
        v.sync_label.setText(
            self.tr("Mọi quầy, đến lần đồng bộ {0} · {1} hồ sơ đang giải quyết").format(
                when.strftime("%H:%M %d/%m/%Y"), backlog.open_total
            )
            if when
            else self.tr("Chưa đồng bộ: chỉ hồ sơ trên máy này · {0} hồ sơ đang giải quyết").format(
                backlog.open_total
            )
        )
        self.show_tile(self.tile)
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self._again = False
        self.view.set_busy(False)
        self.view.show_message(
            self.tr("Không tải được danh sách: {0}").format(user_message(exc)), "error"
        )

    def _fill_filters(self, data: tuple[list[str], list[tuple[str, str]]]) -> None:
        fields, procedures = data
        v = self.view
        for combo in (v.field, v.procedure):
            combo.blockSignals(True)
        v.field.clear()
        v.field.addItem(self.tr("Mọi lĩnh vực"), "")
        for name in fields:
            v.field.addItem(name, name)
        v.procedure.clear()
        v.procedure.addItem(self.tr("Mọi thủ tục"), "")
        for code, name in procedures:
            v.procedure.addItem(f"{name} ({code})", code)
        for combo in (v.field, v.procedure):
            combo.blockSignals(False)

    def _charts(self, data: ChartData) -> None:
        v = self.view
        v.flow_chart.set_data(
            [p.start.strftime("%d/%m") for p in data.daily],
            [
                Series(
                    self.tr("Tiếp nhận"),
                    tuple(float(p.received) for p in data.daily),
                    QColor(70, 70, 70),
                ),
                Series(
                    self.tr("Đã giải quyết"),
                    tuple(float(p.resolved) for p in data.daily),
                    QColor(150, 150, 150),
                    Qt.BrushStyle.BDiagPattern,
                ),
            ],
        )
        v.rate_chart.set_data(
            [p.start.strftime("%d/%m") for p in data.weekly],
            [
                Series(
                    self.tr("Trước và đúng hạn"),
                    tuple(p.on_time_rate for p in data.weekly),
                    QColor(0, 0, 0),
                )
            ],
        )

    # -- lists

    def show_tile(self, key: str) -> None:
        self.tile = key
        v = self.view
        for k, tile in v.tiles.items():
            tile.setChecked(k == key)
        items = self.current.lists[key] if self.current else []
        v.model.set_rows(items)
        v.list_title.setText(f"{TILE_LABELS[key]} ({len(items)})")
        v.tabs.setCurrentIndex(0)

    def _row_activated(self, index: QModelIndex) -> None:
        if not index.isValid() or self._open_dossier is None:
            return
        proxy = self.view.table.model()
        source = proxy.mapToSource(index)  # type: ignore[attr-defined]
        self._open_dossier(self.view.model.item_at(source.row()).code)

    # -- printing and export

    def print_sheet(self) -> None:
        service, reports, profiles, officer = (
            self._backlog,
            self._reports,
            self._profiles,
            self._officer,
        )
        filters, window = self.filters(), self.view.window_days.value()

        def build() -> bytes:
            from desk_app.report_pdf import render_backlog_sheet

            profile = profiles.require()
            backlog = service.backlog(officer, filters, warning_days=window)
            pdf = render_backlog_sheet(backlog, profile.parent_body, UNIT_NAME, profile.place_name)
            reports.record_output(officer, "print", "backlog_sheet", backlog.today.isoformat())
            return pdf

        self.view.set_busy(True)
        self._ops.run(build, self._sheet_ready, self._output_failed)

    def _sheet_ready(self, pdf: bytes) -> None:
        self.view.set_busy(False)
        self._show_pdf(pdf, self.tr("Danh sách giao ban"))

    def export_report(self, kind: Literal["pdf", "xlsx"]) -> None:
        v = self.view
        start = v.report_from.date().toPython()
        end = v.report_to.date().toPython()
        by = v.report_by.currentData()
        suggested = f"bao-cao-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"
        filter_text = "PDF (*.pdf)" if kind == "pdf" else "Excel (*.xlsx)"
        path, _ = QFileDialog.getSaveFileName(v, self.tr("Lưu báo cáo"), suggested, filter_text)
        if path:
            self.write_report(Path(path), start, end, by, kind)  # type: ignore[arg-type]

    def write_report(
        self, path: Path, start: dt.date, end: dt.date, by: Literal["field", "procedure"], kind: str
    ) -> None:
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(path.name + f".{kind}")
        reports, officer = self._reports, self._officer
        progress = self.history_progress.emit

        def build() -> Path:
            from desk_app.files import check_output_path, write_output

            check_output_path(path)
            report = reports.period(
                start, end, officer, by, audit_action="export", progress=progress
            )
            if kind == "pdf":
                from desk_app.report_pdf import render_report_pdf

                data = render_report_pdf(report)
            else:
                from desk_app.report_xlsx import write_xlsx

                data = write_xlsx(report)
            write_output(path, data)
            return path

        self.view.set_busy(True)
        self.view.show_message(self.tr("Đang lập báo cáo…"), "info")
        self._ops.run(build, self._report_written, self._output_failed)

    def _report_written(self, path: Path) -> None:
        self.view.set_busy(False)
        self.view.show_message(self.tr("Đã lưu báo cáo: {0}").format(path), "info")

    def _output_failed(self, exc: BaseException) -> None:
        self.view.set_busy(False)
        message = user_message(exc)
        self.view.show_message(self.tr("Không lập được: {0}").format(message), "error")


class BacklogScreen(BacklogView, TabScreen):
    """The backlog tab: the view, driven by its controller."""

    def __init__(
        self,
        backlog: BacklogService,
        reports: ReportService,
        profiles: ProfileService,
        officer: Officer,
        clock: Clock,
        ops: Operations,
        show_pdf: Callable[[bytes, str], object],
        open_dossier: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(TILE_LABELS, parent)
        self.controller = BacklogController(
            self, backlog, reports, profiles, officer, clock, ops, show_pdf, open_dossier
        )

    def refresh(self) -> None:
        self.controller.refresh()

    def screen_shown(self) -> None:
        self.controller.refresh()
