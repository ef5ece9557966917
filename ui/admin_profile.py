"""Commune profile (thông tin đơn vị): names, office hours, same-day cut-off, result
place, the receipt's words. The agency code and desk number are shown read-only, with
the reason, once they are in an issued dossier code or the desk's credential."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desk_app.auth import Officer
from desk_app.calendar import OfficeHours, parse_hhmm
from desk_app.clock import Clock, utc_naive
from desk_app.errors import DeskError
from desk_app.profile import Profile, ProfileService
from ui.admin_common import AdminSection
from ui.operations import Changes, Operations
from ui.style import WARNING_COLOR, set_text_color


class ProfileSection(AdminSection):
    def __init__(
        self,
        profiles: ProfileService,
        clock: Clock,
        ops: Operations,
        officer: Officer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ops, officer, parent)
        self._profiles = profiles
        self._clock = clock
        self.profile: Profile | None = None
        self.explain(
            self.tr(
                "Thông tin in trên giấy hẹn và dùng để tính ngày hẹn trả. Khi lưu, các quầy khác "
                "của xã cũng nhận thay đổi (trừ mã đơn vị và số quầy)."
            )
        )
        form = QFormLayout()
        self.commune_name = QLineEdit(self)
        self.province = QLineEdit(self)
        self.agency_code = QLineEdit(self)
        self.desk_number = QSpinBox(self)
        self.desk_number.setRange(1, 99)
        self.identity_note = QLabel(self)
        self.identity_note.setWordWrap(True)
        set_text_color(self.identity_note, WARNING_COLOR)
        self.office_hours = QLineEdit(self)
        self.office_hours.setPlaceholderText("07:30-11:30,13:00-17:00")
        self.cutoff = QLineEdit(self)
        self.cutoff.setPlaceholderText("15:00")
        self.result_place = QLineEdit(self)
        self.receipt_unit = QLineEdit(self)
        self.receipt_unit.setPlaceholderText(self.tr("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"))
        self.receipt_notes = QPlainTextEdit(self)
        self.receipt_notes.setPlaceholderText(
            self.tr("Mỗi dòng một lưu ý; để trống thì in lưu ý mặc định của mẫu.")
        )
        self.receipt_notes.setMaximumHeight(90)
        self.idle_lock = QSpinBox(self)
        self.idle_lock.setRange(1, 240)
        self.idle_lock.setSuffix(self.tr(" phút"))
        form.addRow(self.tr("Tên xã, phường:"), self.commune_name)
        form.addRow(self.tr("Tỉnh, thành phố:"), self.province)
        form.addRow(self.tr("Mã đơn vị:"), self.agency_code)
        form.addRow(self.tr("Số quầy:"), self.desk_number)
        form.addRow("", self.identity_note)
        form.addRow(self.tr("Giờ làm việc:"), self.office_hours)
        form.addRow(self.tr("Giờ chốt trả trong ngày:"), self.cutoff)
        form.addRow(self.tr("Nơi trả kết quả:"), self.result_place)
        form.addRow(self.tr("Tên bộ phận trên giấy hẹn:"), self.receipt_unit)
        form.addRow(self.tr("Lưu ý trên giấy hẹn:"), self.receipt_notes)
        form.addRow(self.tr("Khóa màn hình sau:"), self.idle_lock)
        self.layout_.addLayout(form)
        self.save_button = QPushButton(self.tr("Lưu thông tin đơn vị"), self)
        self.save_button.clicked.connect(self.save)
        self.layout_.addWidget(self.save_button)
        self.layout_.addStretch(1)

    def refresh(self) -> None:
        profiles = self._profiles
        self.call(lambda: (profiles.get(), profiles.identity_fixed_reason()), self._show)

    def _show(self, data: tuple[Profile | None, str | None]) -> None:
        profile, reason = data
        self.profile = profile
        if profile is None:
            return
        self.commune_name.setText(profile.commune_name)
        self.province.setText(profile.province)
        self.agency_code.setText(profile.agency_code)
        self.desk_number.setValue(profile.desk_number)
        self.office_hours.setText(",".join(f"{a}-{b}" for a, b in profile.office_hours.to_json()))
        self.cutoff.setText(f"{profile.same_day_cutoff:%H:%M}")
        self.result_place.setText(profile.result_place)
        self.receipt_unit.setText(profile.receipt_unit_name)
        self.receipt_notes.setPlainText("\n".join(profile.receipt_notes))
        self.idle_lock.setValue(profile.idle_lock_minutes)
        fixed = reason is not None
        self.agency_code.setReadOnly(fixed)
        self.desk_number.setReadOnly(fixed)
        self.agency_code.setEnabled(not fixed)
        self.desk_number.setEnabled(not fixed)
        self.identity_note.setText(
            self.tr("Không sửa được mã đơn vị và số quầy: {0}.").format(reason) if fixed else ""
        )
        self.identity_note.setVisible(fixed)

    def edited(self) -> Profile:
        """The profile as the form now says; ``DeskError`` for hours that do not parse."""
        assert self.profile is not None
        notes = tuple(
            line.strip() for line in self.receipt_notes.toPlainText().splitlines() if line.strip()
        )
        return dataclasses.replace(
            self.profile,
            commune_name=self.commune_name.text().strip(),
            province=self.province.text().strip(),
            agency_code=self.agency_code.text().strip(),
            desk_number=self.desk_number.value(),
            office_hours=OfficeHours.parse(self.office_hours.text()),
            same_day_cutoff=parse_hhmm(self.cutoff.text()),
            result_place=self.result_place.text().strip(),
            receipt_unit_name=self.receipt_unit.text().strip(),
            receipt_notes=notes,
            idle_lock_minutes=self.idle_lock.value(),
        )

    def save(self) -> None:
        if self.profile is None:
            return
        try:
            profile = self.edited()
        except DeskError as exc:
            self.say(self.tr("Không lưu được: {0}").format(exc.message), "error")
            return
        problems = profile.problems()
        if problems:
            self.say(" ".join(problems.values()), "error")
            return
        profiles, now, actor = self._profiles, utc_naive(self._clock), self.officer.username

        def saved(_event: bool) -> None:
            self.say(self.tr("Đã lưu thông tin đơn vị."))
            self.refresh()

        self.call(
            lambda: profiles.save(profile, now, actor=actor),
            saved,
            changes=Changes(profile=True, calendar=True, outbox=True),
        )
