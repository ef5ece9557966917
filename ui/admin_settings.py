"""Dossier-handling rules (quy định xử lý hồ sơ): the commune's lifecycle settings —
what a received supplement does to the appointment, how many extensions a dossier may
get, the satisfaction scale offered at the return, and how many working days ahead a
dossier counts as due soon. Saved through ``CommuneSettingsService.change`` (checked
whole, audited, one synced event per changed setting)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.commune_settings import (
    MAX_EXTENSIONS_LIMIT,
    PAUSE_RULES,
    CommuneSettingsService,
    LifecycleSettings,
)
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations

#: the due-soon window's bounds, as ``parse_setting`` checks them
WARNING_DAYS_LIMIT = 30


class SettingsSection(AdminSection):
    def __init__(
        self,
        settings: CommuneSettingsService,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._settings = settings
        self.current: LifecycleSettings | None = None
        self.explain(
            self.tr(
                "Các quy định này áp dụng chung cho mọi quầy của xã: khi lưu, các quầy khác nhận "
                "thay đổi qua đồng bộ. Ngày hẹn đã ghi trên hồ sơ không thay đổi theo quy định mới."
            )
        )
        form = QFormLayout()
        self.pause_rule = QComboBox(self)
        self.pause_rule.setObjectName("pauseRule")
        labels = {
            "restart": self.tr("Tính lại thời hạn từ ngày nhận đủ hồ sơ bổ sung"),
            "shift": self.tr("Lùi ngày hẹn thêm số ngày làm việc chờ bổ sung"),
        }
        for rule in PAUSE_RULES:
            self.pause_rule.addItem(labels[rule], rule)
        self.max_extensions = QSpinBox(self)
        self.max_extensions.setObjectName("maxExtensions")
        self.max_extensions.setRange(0, MAX_EXTENSIONS_LIMIT)
        self.max_extensions.setSuffix(self.tr(" lần"))
        self.warning_days = QSpinBox(self)
        self.warning_days.setObjectName("warningDays")
        self.warning_days.setRange(0, WARNING_DAYS_LIMIT)
        self.warning_days.setSuffix(self.tr(" ngày làm việc"))
        self.rating_scale = QPlainTextEdit(self)
        self.rating_scale.setObjectName("ratingScale")
        self.rating_scale.setPlaceholderText(self.tr("Mỗi dòng một mức, từ 2 đến 7 mức"))
        self.rating_scale.setMaximumHeight(120)
        form.addRow(self.tr("Khi nhận hồ sơ bổ sung:"), self.pause_rule)
        form.addRow(self.tr("Số lần gia hạn tối đa:"), self.max_extensions)
        form.addRow(self.tr("Cảnh báo sắp đến hạn trước:"), self.warning_days)
        form.addRow(self.tr("Thang đánh giá mức hài lòng:"), self.rating_scale)
        self.layout_.addLayout(form)
        self.save_button = QPushButton(self.tr("Lưu quy định"), self)
        self.save_button.clicked.connect(self.save)
        self.layout_.addWidget(self.save_button)
        self.layout_.addStretch(1)

    def refresh(self) -> None:
        self.call(self._settings.get, self._show)

    def _show(self, settings: LifecycleSettings) -> None:
        self.current = settings
        self.pause_rule.setCurrentIndex(max(0, self.pause_rule.findData(settings.pause_rule)))
        self.max_extensions.setValue(settings.max_extensions)
        self.warning_days.setValue(settings.warning_days)
        self.rating_scale.setPlainText("\n".join(settings.rating_scale))

    def edited(self) -> dict[str, str]:
        """The four settings as the form now says, as text ``parse_setting`` reads."""
        levels = (line.strip() for line in self.rating_scale.toPlainText().splitlines())
        return {
            "pause_rule": str(self.pause_rule.currentData()),
            "max_extensions": str(self.max_extensions.value()),
            "warning_days": str(self.warning_days.value()),
            "rating_scale": "|".join(level for level in levels if level),
        }

    def save(self) -> None:
        if self.current is None:
            return
        if any("|" in line for line in self.rating_scale.toPlainText().splitlines()):
            self.say(
                self.tr("Không lưu được: mỗi mức đánh giá một dòng, không dùng dấu |."), "error"
            )
            return
        values, service, officer = self.edited(), self._settings, self.officer

        def saved(settings: LifecycleSettings) -> None:
            self._show(settings)
            self.say(self.tr("Đã lưu quy định xử lý hồ sơ."))

        self.call(
            lambda: service.change(values, officer),
            saved,
            changes=Changes(settings=True, outbox=True),
        )
