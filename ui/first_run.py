"""First-run wizard: the commune profile and the first administrator account.

Shown by the main window when the desk has no profile or no user. Each field says what
is wrong right beside it (once the officer has left it) and "Tiếp tục"/"Hoàn tất" stay
disabled until the page is valid. Saving (Argon2 hashing ≈ 170 ms) runs on the database
thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QCursor, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desk_app.auth import MIN_PASSWORD, Officer, Role, account_problems
from desk_app.calendar import DEFAULT_OFFICE_HOURS, DEFAULT_SAME_DAY_CUTOFF, OfficeHours
from desk_app.clock import utc_naive
from desk_app.context import DeskContext
from desk_app.dossier_code import DEFAULT_PATTERN, CodePattern, CodePatternError
from desk_app.errors import user_message
from desk_app.profile import Profile
from ui.fields import FieldMessage, TouchTracker
from ui.operations import Changes, Operations
from ui.style import BANNER_STYLES, set_text_color


def _max_desk(pattern: str) -> int:
    code_pattern = CodePattern(pattern)
    best = 1
    for desk in range(1, 100):
        try:
            code_pattern.check_desk(desk)
        except CodePatternError:
            break
        best = desk
    return best


def _sentence(clause: str) -> str:
    """``mật khẩu cần…`` (as an error message words it) → ``Mật khẩu cần….`` for a form."""
    return clause[:1].upper() + clause[1:] + "."


def _office_hours_text(hours: OfficeHours) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.periods)


class _FormPage(QWizardPage):
    """A wizard page of labelled fields, each with its message line under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.touches = TouchTracker(self)
        self.touches.touched.connect(lambda _w: self.refresh())
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setVerticalSpacing(4)
        self.form.setHorizontalSpacing(16)
        self.banner = QLabel(self)
        self.banner.setObjectName("wizardBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.banner)
        self._messages: dict[QWidget, FieldMessage] = {}

    def focus_first(self) -> None:
        """The first field that is wrong or empty gets the keyboard."""
        errors = self.errors()
        fields = list(self._messages)
        target = next((w for w in fields if w in errors), fields[0] if fields else None)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_field(self, label: str, widget: QWidget, name: str, hint: str = "") -> None:
        message = FieldMessage(name + "Error", self)
        box = QWidget(self)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 6)
        column.setSpacing(2)
        if isinstance(widget, QLineEdit):
            column.addWidget(widget)
        else:  # a spin or time box stays small, at the left
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        if hint:
            hint_label = QLabel(hint, box)
            hint_label.setObjectName(name + "Hint")
            set_text_color(hint_label)
            hint_label.setWordWrap(True)
            column.addWidget(hint_label)
        column.addWidget(message)
        widget.setObjectName(name)
        self.form.addRow(label, box)
        self._messages[widget] = message
        self.touches.watch(widget)
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda _t: self.refresh())
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(lambda _v: self.refresh())
        elif isinstance(widget, QTimeEdit):
            widget.timeChanged.connect(lambda _t: self.refresh())

    def message_for(self, widget: QWidget) -> FieldMessage:
        return self._messages[widget]

    def errors(self) -> dict[QWidget, str]:
        raise NotImplementedError

    def refresh(self) -> None:
        errors = self.errors()
        for widget, message in self._messages.items():
            text = errors.get(widget)
            if text and self.touches.is_touched(widget):
                message.show_error(text)
            else:
                message.clear_message()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.errors()

    def show_banner(self, text: str, kind: str = "error") -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(BANNER_STYLES[kind])
        self.banner.show()


class ProfilePage(_FormPage):
    def __init__(self, existing: Profile | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Thông tin đơn vị"))
        self.setSubTitle(
            self.tr(
                "Các thông tin này in trên giấy tiếp nhận và tạo mã hồ sơ. Mã đơn vị và số "
                "quầy không đổi được sau khi đã tiếp nhận hồ sơ."
            )
        )
        self._pattern = existing.dossier_code_pattern if existing else DEFAULT_PATTERN
        self.commune = QLineEdit(self)
        self.commune.setPlaceholderText(self.tr("ví dụ: Xã Tân Phú"))
        self.add_field(self.tr("Tên &xã, phường:"), self.commune, "communeName")
        self.province = QLineEdit(self)
        self.province.setPlaceholderText(self.tr("ví dụ: Đồng Nai"))
        self.add_field(self.tr("&Tỉnh, thành phố:"), self.province, "province")
        self.agency = QLineEdit(self)
        self.agency.setPlaceholderText("000.20.33.H12")
        self.add_field(
            self.tr("&Mã đơn vị (QCVN 102):"),
            self.agency,
            "agencyCode",
            self.tr("Dạng 000.00.00.H00, theo mã định danh do tỉnh cấp."),
        )
        self.desk = QSpinBox(self)
        self.desk.setRange(1, _max_desk(self._pattern))
        self.add_field(self.tr("Số &quầy:"), self.desk, "deskNumber")
        self.hours = QLineEdit(self)
        self.add_field(
            self.tr("&Giờ làm việc:"),
            self.hours,
            "officeHours",
            self.tr("Các buổi cách nhau bởi dấu phẩy, ví dụ 07:30-11:30, 13:00-17:00."),
        )
        self.cutoff = QTimeEdit(self)
        self.cutoff.setDisplayFormat("HH:mm")
        self.add_field(
            self.tr("Giờ &chốt hồ sơ trong ngày:"),
            self.cutoff,
            "sameDayCutoff",
            self.tr("Hồ sơ giải quyết trong ngày nhận sau giờ này thì hẹn ngày làm việc sau."),
        )
        self.result_place = QLineEdit(self)
        self.result_place.setPlaceholderText(self.tr("ví dụ: Bộ phận Một cửa, UBND xã Tân Phú"))
        self.add_field(self.tr("Nơi &trả kết quả:"), self.result_place, "resultPlace")
        self.idle = QSpinBox(self)
        self.idle.setRange(1, 240)
        self.idle.setSuffix(self.tr(" phút"))
        self.add_field(self.tr("&Khóa màn hình sau:"), self.idle, "idleLockMinutes")

        profile = existing
        self.commune.setText(profile.commune_name if profile else "")
        self.province.setText(profile.province if profile else "")
        self.agency.setText(profile.agency_code if profile else "")
        self.desk.setValue(profile.desk_number if profile else 1)
        self.hours.setText(
            _office_hours_text(profile.office_hours if profile else DEFAULT_OFFICE_HOURS)
        )
        cutoff = profile.same_day_cutoff if profile else DEFAULT_SAME_DAY_CUTOFF
        self.cutoff.setTime(QTime(cutoff.hour, cutoff.minute))
        self.result_place.setText(profile.result_place if profile else "")
        self.idle.setValue(profile.idle_lock_minutes if profile else 10)

    def _office_hours(self) -> OfficeHours | None:
        try:
            return OfficeHours.parse(self.hours.text())
        except ValueError:
            return None

    def errors(self) -> dict[QWidget, str]:
        """The core's own checks of the profile (``Profile.problems``), by widget; only
        reading the office hours' text is this form's."""
        hours = self._office_hours()
        fields: dict[str, QWidget] = {
            "commune_name": self.commune, "province": self.province,
            "agency_code": self.agency, "desk_number": self.desk,
            "same_day_cutoff": self.cutoff, "idle_lock_minutes": self.idle,
        }  # fmt: skip
        problems = self._profile(hours or DEFAULT_OFFICE_HOURS).problems()
        if hours is None:
            problems.pop("same_day_cutoff", None)  # judged against hours not typed yet
        errors = {fields[name]: message for name, message in problems.items()}
        if hours is None:
            errors[self.hours] = self.tr(
                "Giờ làm việc dạng 07:30-11:30, 13:00-17:00 (giờ bắt đầu trước giờ kết thúc)."
            )
        return errors

    def _cutoff(self) -> dt.time:
        t = self.cutoff.time()
        return dt.time(t.hour(), t.minute())

    def profile(self) -> Profile:
        hours = self._office_hours()
        assert hours is not None
        return self._profile(hours)

    def _profile(self, hours: OfficeHours) -> Profile:
        return Profile(
            commune_name=" ".join(self.commune.text().split()),
            province=" ".join(self.province.text().split()),
            agency_code=self.agency.text().strip().upper(),
            desk_number=self.desk.value(),
            office_hours=hours,
            same_day_cutoff=self._cutoff(),
            dossier_code_pattern=self._pattern,
            idle_lock_minutes=self.idle.value(),
            result_place=" ".join(self.result_place.text().split()),
        )


class AdminPage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Tài khoản quản trị"))
        self.setSubTitle(
            self.tr(
                "Tài khoản đầu tiên là quản trị: tạo tài khoản cho các công chức khác và "
                "sửa thông tin đơn vị. Người quản trị cũng tiếp nhận hồ sơ được."
            )
        )
        self.username = QLineEdit(self)
        self.username.setPlaceholderText(self.tr("ví dụ: quantri"))
        self.add_field(
            self.tr("&Tên đăng nhập:"),
            self.username,
            "adminUsername",
            self.tr("3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang."),
        )
        self.full_name = QLineEdit(self)
        self.full_name.setPlaceholderText(self.tr("ví dụ: Nguyễn Văn An"))
        self.add_field(self.tr("&Họ và tên:"), self.full_name, "adminFullName")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(
            self.tr("&Mật khẩu:"),
            self.password,
            "adminPassword",
            self.tr("Ít nhất {0} ký tự.").format(MIN_PASSWORD),
        )
        self.password2 = QLineEdit(self)
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(self.tr("&Nhập lại mật khẩu:"), self.password2, "adminPassword2")

    def errors(self) -> dict[QWidget, str]:
        """The core's own checks of a new account (``account_problems``), by widget; the
        second password is this form's."""
        fields: dict[str, QWidget] = {
            "username": self.username, "full_name": self.full_name, "password": self.password,
        }  # fmt: skip
        password = self.password.text()
        problems = account_problems(self.username.text(), self.full_name.text(), password)
        errors = {fields[name]: _sentence(message) for name, message in problems.items()}
        if self.password2.text() != password or not self.password2.text():
            errors[self.password2] = self.tr("Hai lần nhập mật khẩu không khớp.")
        return errors


@dataclass(frozen=True)
class SetupResult:
    """What the wizard saved: the new administrator (None when users existed already)."""

    officer: Officer | None
    username: str
    #: the profile saved (None when the desk had one already)
    profile: Profile | None = None
    #: the one-time recovery code issued with the first administrator, shown once
    recovery_code: str | None = None


class FirstRunWizard(QWizard):
    """Embedded in the main window (not a separate dialog); emits ``completed``."""

    completed = Signal(object)

    def __init__(
        self,
        ctx: DeskContext,
        ops: Operations,
        *,
        existing: Profile | None = None,
        needs_profile: bool,
        needs_admin: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setObjectName("firstRunWizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Tiếp tục >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Quay lại"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Hoàn tất"))
        self.setWindowTitle(self.tr("Thiết lập lần đầu"))
        font = QFont(self.font())  # set explicitly, one point up: read once, typed carefully
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() + 1)
        self.setFont(font)
        self._ctx = ctx
        self._ops = ops
        self._saving = False
        self.profile_page: ProfilePage | None = None
        self.admin_page: AdminPage | None = None
        if needs_profile:
            self.profile_page = ProfilePage(existing, self)
            self.addPage(self.profile_page)
        if needs_admin:
            self.admin_page = AdminPage(self)
            self.addPage(self.admin_page)
        pages = [p for p in (self.profile_page, self.admin_page) if p is not None]
        for number, page in enumerate(pages, 1):
            page.setTitle(
                self.tr("Thiết lập lần đầu — bước {0}/{1}: {2}").format(
                    number, len(pages), page.title()
                )
            )

        self.currentIdChanged.connect(lambda _id: self.focus_current_page())

    @property
    def saving(self) -> bool:
        return self._saving

    def focus_current_page(self) -> None:
        page = self.currentPage()
        if isinstance(page, _FormPage):
            page.focus_first()

    def accept(self) -> None:
        """Finish: save on the database thread (never closes itself: it is embedded)."""
        if self._saving:
            return
        ctx = self._ctx
        profile = self.profile_page.profile() if self.profile_page else None
        admin = self.admin_page
        account = (
            (
                admin.username.text().strip().lower(),
                " ".join(admin.full_name.text().split()),
                admin.password.text(),
            )
            if admin
            else None
        )

        def save() -> SetupResult:
            if profile is not None:
                ctx.profiles.save(profile, utc_naive(ctx.clock))
            if account is None:
                return SetupResult(None, "", profile)
            username, full_name, password = account
            officer = ctx.users.add(username, full_name, Role.ADMIN, password, by=username)
            code = ctx.accounts.issue_recovery_code(username)
            return SetupResult(officer, username, profile, code)

        self._set_saving(True)
        changes = Changes(profile=profile is not None, users=account is not None)
        self._ops.run(save, self._saved, self._failed, changes=changes, initiator=self)

    def reject(self) -> None:
        """Esc does nothing: embedded in the window, a dialog's reject would hide the wizard
        and leave an empty window (and the desk cannot work without its set-up anyway)."""

    def _page(self) -> _FormPage:
        page = self.currentPage()
        assert isinstance(page, _FormPage)
        return page

    def _saved(self, result: SetupResult) -> None:
        self._set_saving(False)
        self.completed.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        self._page().show_banner(self.tr("Chưa lưu được: {0}").format(user_message(exc)))

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        page = self._page()
        page.setEnabled(not saving)
        self.button(QWizard.WizardButton.FinishButton).setEnabled(not saving)
        self.button(QWizard.WizardButton.BackButton).setEnabled(not saving)
        if saving:
            page.show_banner(self.tr("Đang lưu…"), "info")
            self.setCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            page.banner.hide()
            self.unsetCursor()
