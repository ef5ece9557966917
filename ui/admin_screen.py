"""The administration tab (Quản trị), for the administrator only: one section per
concern, each a page of its own — accounts, the commune profile, the calendar, the
procedure catalogue, the district server, backups, the officers and units that
receive hand-overs, the rules dossiers are handled by, and the forms this desk
corrected."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desk_app.auth import Officer
from desk_app.context import DeskContext
from desk_app.dossier_forms import corrected_templates
from desk_app.outbox_report import set_aside_events
from ui.admin_accounts import AccountsSection
from ui.admin_backup import BackupSection
from ui.admin_calendar import CalendarSection
from ui.admin_catalogue import CatalogueSection
from ui.admin_common import AdminSection
from ui.admin_directory import DirectorySection
from ui.admin_profile import ProfileSection
from ui.admin_server import ServerSection
from ui.admin_settings import SettingsSection
from ui.admin_templates import TemplatesSection
from ui.operations import Changes, Operations
from ui.tab_screen import TabScreen


class AdminScreen(QWidget, TabScreen):
    def __init__(
        self, ctx: DeskContext, officer: Officer, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminScreen")
        self.accounts = AccountsSection(ctx.accounts, ctx.users, ops, officer, self)
        self.profile = ProfileSection(ctx.profiles, ctx.clock, ops, officer, self)
        self.calendar = CalendarSection(ctx.calendar_admin, ctx.clock, ops, officer, self)
        self.catalogue = CatalogueSection(
            ctx.catalogue_import, ctx.catalogue, ctx.clock, ops, officer, self
        )
        self.server = ServerSection(ctx.sync, partial(set_aside_events, ctx.db), ops, officer, self)
        self.backup = BackupSection(ctx, ops, officer, self)
        self.directory = DirectorySection(ctx.directory, ops, officer, self)
        self.settings = SettingsSection(ctx.settings, ops, officer, self)
        self.templates = TemplatesSection(
            partial(corrected_templates, ctx.data_dir), ops, officer, self
        )
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("adminSections")
        for section, title in (
            (self.accounts, self.tr("Tài khoản")),
            (self.profile, self.tr("Thông tin đơn vị")),
            (self.calendar, self.tr("Lịch làm việc")),
            (self.catalogue, self.tr("Danh mục thủ tục")),
            (self.server, self.tr("Máy chủ huyện")),
            (self.backup, self.tr("Sao lưu")),
            (self.directory, self.tr("Nơi nhận hồ sơ chuyển")),
            (self.settings, self.tr("Quy định xử lý hồ sơ")),
            (self.templates, self.tr("Mẫu in")),
        ):
            self.tabs.addTab(section, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self._current().refresh())
        ops.changed.connect(self._on_changed)

    def sections(self) -> list[AdminSection]:
        return [self.accounts, self.profile, self.calendar, self.catalogue, self.server,
                self.backup, self.directory, self.settings, self.templates]  # fmt: skip

    def _current(self) -> AdminSection:
        widget = self.tabs.currentWidget()
        assert isinstance(widget, AdminSection)
        return widget

    def screen_shown(self) -> None:
        self._current().refresh()

    def _on_changed(self, changes: Changes, initiator: object) -> None:
        # Another screen's or another desk's change: show it if it is on the front page.
        if initiator is not self._current() and changes:
            self._current().refresh()
