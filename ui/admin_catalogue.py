"""Procedure catalogue (danh mục thủ tục): load the province's published list from a
JSON or XLSX file, see what it changes against the catalogue in force, and apply it
from a chosen date. Dossiers already received keep their version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.catalogue import CatalogueService
from desk_app.catalogue_import import CatalogueImport, ImportPreview
from desk_app.clock import Clock, local_now
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations


class CatalogueSection(AdminSection):
    def __init__(
        self,
        importer: CatalogueImport,
        catalogue: CatalogueService,
        clock: Clock,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._importer = importer
        self._catalogue = catalogue
        self.preview: ImportPreview | None = None
        self.explain(
            self.tr(
                "Khi tỉnh công bố danh mục thủ tục mới: chọn tệp (JSON hoặc Excel theo mẫu cột "
                "trong tài liệu), xem những gì thay đổi, chọn ngày áp dụng rồi bấm Áp dụng. Hồ sơ "
                "đã nhận giữ nguyên thời hạn và ngày hẹn."
            )
        )
        self.versions_label = QLabel(self)
        self.versions_label.setWordWrap(True)
        self.layout_.addWidget(self.versions_label)
        row = QHBoxLayout()
        self.pick_button = QPushButton(self.tr("Chọn tệp danh mục (JSON hoặc Excel)…"), self)
        self.pick_button.clicked.connect(self.pick_file)
        self.effective = QDateEdit(self)
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("dd/MM/yyyy")
        today = local_now(clock).date()
        self.effective.setDate(QDate(today.year, today.month, today.day))
        row.addWidget(self.pick_button)
        row.addWidget(QLabel(self.tr("Áp dụng từ ngày:"), self))
        row.addWidget(self.effective)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setObjectName("catalogueDiff")
        self.diff_view.setReadOnly(True)
        self.diff_view.setPlaceholderText(
            self.tr("Chọn tệp để xem những thủ tục được thêm, bỏ hoặc thay đổi.")
        )
        self.layout_.addWidget(self.diff_view, 1)
        self.apply_button = QPushButton(self.tr("Áp dụng danh mục mới"), self)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.layout_.addWidget(self.apply_button)

    def refresh(self) -> None:
        catalogue = self._catalogue
        self.call(catalogue.versions, self._show_versions)

    def _show_versions(self, versions: list[tuple[int, str, dt.date, dt.datetime]]) -> None:
        lines = [self.tr("Các phiên bản danh mục đã nạp (mới nhất trước):")]
        lines += [
            self.tr("• {0} — áp dụng từ {1}").format(label, f"{eff:%d/%m/%Y}")
            for _id, label, eff, _loaded in versions[:5]
        ]
        self.versions_label.setText("\n".join(lines))

    def pick_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Chọn tệp danh mục thủ tục"), "",
            self.tr("Danh mục thủ tục (*.json *.xlsx)"),
        )  # fmt: skip
        if name:
            self.load_path(Path(name))

    def load_path(self, path: Path) -> None:
        """Check ``path`` and show its difference (nothing stored yet)."""
        q = self.effective.date()
        effective = dt.date(q.year(), q.month(), q.day())
        importer = self._importer
        self.preview = None
        self.apply_button.setEnabled(False)
        self.call(lambda: importer.preview(path, effective), self._show_preview)

    def _show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        d = preview.diff
        lines = [
            self.tr("Tệp {0}: {1} thủ tục, áp dụng từ {2}.").format(
                preview.source_name, preview.procedures, f"{preview.effective_from:%d/%m/%Y}"
            ),
            self.tr("Thêm {0} · Bỏ {1} · Thay đổi {2} · Giữ nguyên {3}").format(
                len(d.added), len(d.removed), len(d.changed), d.unchanged
            ),
            "",
        ]
        for code, name in d.added:
            lines.append(self.tr("+ Thêm {0} {1}").format(code, name))
        for code, name in d.removed:
            lines.append(self.tr("− Bỏ {0} {1}").format(code, name))
        for change in d.changed:
            lines.append(self.tr("~ Đổi {0} {1}").format(change.code, change.name))
            for f in change.changes:
                lines.append(
                    self.tr("    {0}: {1} → {2}").format(
                        self.tr(f.label), f.old or "—", f.new or "—"
                    )
                )
        self.diff_view.setPlainText("\n".join(lines))
        self.apply_button.setEnabled(not d.empty)
        if d.empty:
            self.say(self.tr("Tệp này giống danh mục đang áp dụng: không có gì để cập nhật."))

    def apply(self) -> None:
        preview = self.preview
        if preview is None:
            return
        if not self.confirm(
            self.tr(
                "Áp dụng danh mục mới từ ngày {0}? Hồ sơ đã nhận giữ nguyên thời hạn và ngày hẹn."
            ).format(f"{preview.effective_from:%d/%m/%Y}")
        ):
            return
        importer, by = self._importer, self.officer

        def applied(loaded: bool) -> None:
            self.apply_button.setEnabled(False)
            self.say(
                self.tr("Đã nạp danh mục mới, áp dụng từ {0}.").format(
                    f"{preview.effective_from:%d/%m/%Y}"
                )
                if loaded
                else self.tr("Danh mục này đã được nạp trước đây.")
            )
            self.refresh()

        self.call(lambda: importer.apply(preview, by), applied, changes=Changes(catalogue=True))
