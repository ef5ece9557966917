"""The desk's main window: set-up or login first, then the working tabs for the role.

It appears before the database is open (see ``ui.app``) with a busy indicator, and is
given the services with ``attach``. Its pages, one at a time:

* loading — while the database opens;
* first-run wizard — when the desk has no commune profile or no account yet;
* login — then the tabs the officer's role allows (the table ``ui.screens.SCREENS``);
* lock — after ``idle_lock_minutes`` without input (the tabs are hidden, not discarded).

Nothing typed is lost: logging out, logging in as someone else (from the lock screen,
with the officer's password) and closing the window (also Ctrl+Q) first ask about a
half-filled intake form (``ui.intake_leave.LeaveDialog``: keep / discard / cancel). A kept
form is stored as the officer's draft in the desk database and given back at their next
login. A window closed while locked keeps the form without asking (nobody there may
answer for the officer).

The screens' modules import the core services (and SQLAlchemy with them), so they are
imported when the services arrive, not when the empty window is first shown.

Nothing here reads the database on the GUI thread: the desk's state (profile, whether
accounts exist) is read on the database thread, and screens refresh themselves from
``Operations.changed``; the window only sends new local events to the sync thread and
re-reads the profile when an operation reports it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.operations import Changes, Operations

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.context import DeskContext
    from desk_app.profile import Profile
    from ui.daily_backup import DailyBackup
    from ui.dossier_view import DossierDialog
    from ui.first_run import FirstRunWizard, SetupResult
    from ui.idle_lock import IdleLock, LockScreen
    from ui.intake_leave import LeaveChoice, LeaveDialog
    from ui.intake_screen import IntakeScreen
    from ui.login import LoginScreen
    from ui.lookup import LookupScreen
    from ui.receipt_preview import FileGateway, PrintGateway, ReceiptPreview
    from ui.scanner import ScanFilter
    from ui.sync_worker import SyncWorker

DEFAULT_IDLE_LOCK_MINUTES = 10


@dataclass(frozen=True)
class DeskState:
    """What the window needs to know about the desk before anyone logs in."""

    profile: Profile | None
    has_users: bool


class MainWindow(QMainWindow):
    #: the services are attached (emitted before anyone logs in)
    ready = Signal()
    #: an officer logged in (``Officer``)
    logged_in = Signal(object)
    logged_out = Signal()
    locked_changed = Signal(bool)
    #: a receipt preview was opened (``ReceiptPreview``)
    receipt_shown = Signal(object)
    #: a dossier's view was opened (``DossierDialog``)
    dossier_opened = Signal(object)

    def __init__(
        self,
        *,
        ops: Operations | None = None,
        print_gateway: PrintGateway | None = None,
        file_gateway: FileGateway | None = None,
        idle_timeout_ms: int | None = None,
        background_sync: bool = True,
    ) -> None:
        super().__init__()
        self._background_sync = background_sync
        self.sync_worker: SyncWorker | None = None
        self.context: DeskContext | None = None
        self.officer: Officer | None = None
        self.ops = ops or Operations(self)
        self._print_gateway = print_gateway
        self._file_gateway = file_gateway
        self._idle_timeout_ms = idle_timeout_ms
        self.wizard: FirstRunWizard | None = None
        self.wizard_page: QWidget | None = None
        self.recovery_page: QWidget | None = None
        self.login_screen: LoginScreen | None = None
        self.lock_screen: LockScreen | None = None
        self.idle_lock: IdleLock | None = None
        self.tabs: QTabWidget | None = None
        #: the session's screens by their key in ``ui.screens.SCREENS``
        self.screens: dict[str, QWidget] = {}
        self.profile: Profile | None = None
        self.preview: ReceiptPreview | None = None
        self.dossier_view: DossierDialog | None = None
        #: tells a barcode scanner's burst from typing (installed once attached)
        self.scanner: ScanFilter | None = None
        self.locked = False
        self._hidden_preview = False
        self._focus_before_lock: QWidget | None = None
        self.upgrade_notice: QMessageBox | None = None
        self.daily_backup: DailyBackup | None = None
        #: the question asked before a half-filled intake form would be lost
        self.leave_dialog: LeaveDialog | None = None
        self._close_confirmed = False

        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Bộ phận Một cửa"))
        self._fit_to_screen()

        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        self.loading_page = self._loading_page()
        self.pages.addWidget(self.loading_page)
        self._build_actions()
        self.officer_label = QLabel(self)
        self.officer_label.setObjectName("officerLabel")
        self.statusBar().addPermanentWidget(self.officer_label)
        self.logout_button = QToolButton(self)
        self.logout_button.setDefaultAction(self.logout_action)
        self.logout_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+L instead
        self.statusBar().addPermanentWidget(self.logout_button)
        self.logout_button.hide()
        self.statusBar().showMessage(self.tr("Đang mở cơ sở dữ liệu…"))
        self.ops.changed.connect(self._on_changed)

    @property
    def intake_screen(self) -> IntakeScreen | None:
        from ui.intake_screen import IntakeScreen

        screen = self.screens.get("intake")
        return screen if isinstance(screen, IntakeScreen) else None

    @property
    def lookup_screen(self) -> LookupScreen | None:
        from ui.lookup import LookupScreen

        screen = self.screens.get("lookup")
        return screen if isinstance(screen, LookupScreen) else None

    def _fit_to_screen(self) -> None:
        # Reception PCs often have 1366×768 screens: never open taller than the screen.
        width, height = 1280, 800
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width, height = min(width, available.width()), min(height, available.height())
        self.resize(width, height)

    def _loading_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.loading_label = QLabel(self.tr("Đang mở cơ sở dữ liệu…"), page)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        layout.addWidget(self.loading_label)
        self.loading_bar = QProgressBar(page)
        self.loading_bar.setRange(0, 0)  # busy: opening has no measurable steps
        self.loading_bar.setMaximumWidth(360)
        layout.addWidget(self.loading_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _build_actions(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Phiên làm việc"))
        self.lock_action = QAction(self.tr("&Khóa màn hình"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.logout_action = QAction(self.tr("Đăng &xuất"), self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.logout_action.setToolTip(self.tr("Đăng xuất (Ctrl+Shift+L)"))
        self.logout_action.triggered.connect(self.logout)
        self.quit_action = QAction(self.tr("&Thoát"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        for action in (self.lock_action, self.logout_action):
            action.setEnabled(False)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        # A main-window action with a shortcut only fires while the window has focus.
        for action in (self.lock_action, self.logout_action, self.quit_action):
            self.addAction(action)
        from ui.help import HelpMenu

        self.help_menu = HelpMenu(self, self.ops)

    # ------------------------------------------------------------------ attach

    def attach(self, ctx: DeskContext) -> None:
        """Receive the opened services; read the desk's state on the database thread, then
        show the set-up wizard or the login screen (and emit ``ready``)."""
        from ui.idle_lock import IdleLock, LockScreen
        from ui.login import LoginScreen

        self.context = ctx
        timeout = self._idle_timeout_ms
        if timeout is None:
            timeout = DEFAULT_IDLE_LOCK_MINUTES * 60_000
        self.idle_lock = IdleLock(timeout, self)
        self.idle_lock.timed_out.connect(self.lock)
        self.login_screen = LoginScreen(ctx.users, self.ops, "", self, accounts=ctx.accounts)
        self.login_screen.logged_in.connect(self.start_session)
        self.pages.addWidget(self.login_screen)
        self.lock_screen = LockScreen(ctx.users, self.ops, self)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switch_user.connect(self._switch_officer)
        self.pages.addWidget(self.lock_screen)
        from ui.scanner import ScanFilter

        self.scanner = ScanFilter(self)
        self.scanner.scanned.connect(self.open_dossier)
        self.scanner.install()

        if self._background_sync:
            from ui.sync_status import install_sync

            # Sync runs for the desk, whoever is logged in: the outbox is the desk's, and
            # the status bar shows only counts, never another officer's records.
            self.sync_worker = install_sync(self, ctx)
            self.sync_worker.pulled.connect(self._sync_pulled)
            from ui.daily_backup import DailyBackup

            # The daily backup, like sync, is the desk's: it runs whoever is logged in.
            self.daily_backup = DailyBackup(ctx, self)
            self.daily_backup.message.connect(
                lambda text: self.statusBar().showMessage(text, 30_000)
            )
        profiles, users = ctx.profiles, ctx.users
        self.ops.run(
            lambda: DeskState(profiles.get(), users.has_users()),
            self._desk_state_read,
            lambda exc: self.show_open_error(str(exc)),
        )

    def _desk_state_read(self, state: DeskState) -> None:
        self._tell_upgrade()
        self._set_profile(state.profile)
        if state.profile is None or not state.has_users:
            self._show_wizard(needs_profile=state.profile is None, needs_admin=not state.has_users)
        else:
            self.show_login()
        self.ready.emit()

    def _tell_upgrade(self) -> None:
        """Once, after this start upgraded the database: what changed, where the copy is."""
        report = self.context.upgrade if self.context is not None else None
        if report is None:
            return
        self.help_menu.schema_in_use = report.to_revision
        if not report.upgraded:
            return
        box = QMessageBox(self)
        box.setObjectName("upgradeNotice")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Đã nâng cấp"))
        box.setText(
            self.tr("Phần mềm đã nâng cấp cơ sở dữ liệu của quầy; mọi hồ sơ được giữ nguyên.")
        )
        box.setInformativeText(report.summary())
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        self.upgrade_notice = box

    def _set_profile(self, profile: Profile | None) -> None:
        self.profile = profile
        if self.scanner is not None:
            from desk_app.search import code_regex

            self.scanner.set_pattern(
                code_regex(profile.dossier_code_pattern, profile.agency_code) if profile else None
            )
        if profile is not None and self._idle_timeout_ms is None and self.idle_lock is not None:
            self.idle_lock.set_timeout(profile.idle_lock_minutes * 60_000)
        self._show_profile_status()
        if self.login_screen is not None:
            self.login_screen.unit_label.setText(self._unit_text())

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        worker = self.sync_worker
        if changes.outbox and worker is not None:
            # Called directly: the worker's thread runs a loop, not an event loop.
            worker.local_change()
        if changes.profile and self.context is not None:
            profiles = self.context.profiles
            self.ops.run(profiles.get, self._set_profile)

    @Slot(int)
    def _sync_pulled(self, _count: int) -> None:
        # Other desks' events were applied here: the dossier lists are out of date.
        self.ops.report(Changes(dossiers=True), self.sync_worker)

    def _unit_text(self) -> str:
        profile = self.profile
        if profile is None:
            return ""
        return self.tr("{0} — {1} — Quầy {2}").format(
            profile.parent_body, profile.province, profile.desk_number
        )

    def _show_profile_status(self) -> None:
        profile = self.profile
        if profile is None:
            self.setWindowTitle(self.tr("Bộ phận Một cửa — chưa thiết lập đơn vị"))
            self.statusBar().showMessage(
                self.tr("Chưa thiết lập thông tin đơn vị: điền trình hướng dẫn để bắt đầu.")
            )
            return
        self.setWindowTitle(
            self.tr("Bộ phận Một cửa — {0} — Quầy {1}").format(
                profile.parent_body, profile.desk_number
            )
        )
        # Short: the sync status shares the status bar.
        self.statusBar().showMessage(
            self.tr("{0} · {1}").format(profile.commune_name, profile.agency_code)
        )

    def _show_wizard(self, *, needs_profile: bool, needs_admin: bool) -> None:
        from ui.first_run import FirstRunWizard

        assert self.context is not None
        self.wizard = FirstRunWizard(
            self.context,
            self.ops,
            existing=self.profile,
            needs_profile=needs_profile,
            needs_admin=needs_admin,
            parent=self,
        )
        self.wizard.completed.connect(self._setup_done)
        # Centred at a readable width: a form stretched over a wide screen is hard to scan.
        self.wizard_page = QWidget(self)
        row = QHBoxLayout(self.wizard_page)
        row.addStretch(1)
        row.addWidget(self.wizard, 6)
        row.addStretch(1)
        self.wizard.setMaximumWidth(980)
        self.pages.addWidget(self.wizard_page)
        self.pages.setCurrentWidget(self.wizard_page)
        self.wizard.focus_current_page()

    def _setup_done(self, result: SetupResult) -> None:
        assert self.context is not None and self.idle_lock is not None
        page = self.wizard_page
        self.wizard = None
        self.wizard_page = None
        if page is not None:
            self.pages.removeWidget(page)
            page.deleteLater()
        if result.profile is not None:
            self._set_profile(result.profile)
        if result.recovery_code is not None and result.officer is not None:
            self._show_recovery_code(result)
            return
        self._after_setup(result)

    def _after_setup(self, result: SetupResult) -> None:
        if result.officer is not None:
            self.start_session(result.officer)
        else:
            self.show_login(result.username)

    def _show_recovery_code(self, result: SetupResult) -> None:
        """The first administrator's recovery code, once, before the first session."""
        from desk_app.clock import utc_naive
        from ui.admin_recovery import RecoveryCodePage
        from ui.receipt_preview import QtPrintGateway

        assert self.context is not None and result.recovery_code is not None
        unit = self.profile.parent_body if self.profile is not None else ""
        page = RecoveryCodePage(
            result.recovery_code, unit, result.username, utc_naive(self.context.clock),
            self.ops, self._print_gateway or QtPrintGateway(), self,
        )  # fmt: skip
        self.recovery_page = page

        def kept() -> None:
            self.pages.removeWidget(page)
            page.deleteLater()
            self.recovery_page = None
            self._after_setup(result)

        page.done.connect(kept)
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    # ------------------------------------------------------------------ session

    def show_login(self, username: str = "") -> None:
        assert self.login_screen is not None
        self.pages.setCurrentWidget(self.login_screen)
        self.login_screen.reset(username)

    def start_session(self, officer: Officer) -> None:
        """Build the tabs ``officer``'s role allows and start watching for idleness."""
        from desk_app.auth import ROLE_LABELS
        from ui.screens import SessionServices, screens_for

        ctx = self.context
        assert ctx is not None and self.idle_lock is not None
        self._discard_session_widgets()
        self.officer = officer
        tabs = QTabWidget(self)
        tabs.setObjectName("mainTabs")
        tabs.setDocumentMode(True)
        services = SessionServices(ctx, officer, self.ops, self.show_receipt, self.open_dossier)
        for screen in screens_for(officer):
            widget = screen.build(services, tabs)
            self.screens[screen.key] = widget
            tabs.addTab(widget, screen.translated_title())
        for index in range(min(tabs.count(), 9)):
            shortcut = QAction(self)
            shortcut.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            shortcut.triggered.connect(lambda _c=False, i=index: tabs.setCurrentIndex(i))
            tabs.addAction(shortcut)
            tabs.setTabToolTip(index, f"Ctrl+{index + 1}")
        tabs.currentChanged.connect(self._tab_changed)
        self.tabs = tabs
        self.pages.addWidget(tabs)
        self.pages.setCurrentWidget(tabs)
        self.officer_label.setText(
            self.tr("Cán bộ: {0} — {1}").format(officer.full_name, ROLE_LABELS[officer.role])
        )
        self.logout_button.show()
        self.lock_action.setEnabled(True)
        self.logout_action.setEnabled(True)
        self.locked = False
        self.idle_lock.start()
        self._scanning(True)
        self._tab_changed(tabs.currentIndex())
        self._give_back_draft(officer)
        self.logged_in.emit(officer)

    def _give_back_draft(self, officer: Officer) -> None:
        """The form the officer kept at their last logout or close, back on the screen."""
        screen = self.intake_screen
        if screen is None or self.context is None:
            return
        intake = self.context.intake

        def kept(payload: dict[str, Any] | None) -> None:
            if payload is not None and isValid(screen) and self.officer is officer:
                screen.restore_kept(payload)

        self.ops.run(lambda: intake.take_draft(officer), kept)

    def tab_titles(self) -> list[str]:
        tabs = self.tabs
        return [tabs.tabText(i) for i in range(tabs.count())] if tabs else []

    def _tab_changed(self, index: int) -> None:
        tabs = self.tabs
        if tabs is None or index < 0:
            return
        from ui.tab_screen import TabScreen

        widget = tabs.widget(index)
        if widget is not None and isinstance(widget, TabScreen):
            widget.screen_shown()

    def logout(self) -> None:
        """End the session (asking first about a half-filled intake form)."""
        if self.officer is None or self.context is None:
            return
        self.leave_then(self.tr("đăng xuất"), self._end_session)

    def _switch_officer(self) -> None:
        # The lock screen has checked the officer's password: back to the form, then ask.
        self.unlock()
        self.logout()

    # ------------------------------------------------------------------ unsaved intake

    def _unsaved_intake(self) -> IntakeScreen | None:
        screen = self.intake_screen
        if screen is None or not isValid(screen) or not screen.has_unsaved():
            return None
        return screen

    def leave_then(self, what: str, proceed: Callable[[], None]) -> None:
        """``proceed()`` at once, or after asking what to do with the intake form."""
        from ui.intake_leave import LeaveDialog

        screen = self._unsaved_intake()
        if screen is None:
            proceed()
            return
        if self.leave_dialog is not None:
            self.leave_dialog.raise_()
            return  # one question at a time
        dialog = LeaveDialog(what, screen.name.text().strip(), self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.leave_dialog = dialog
        dialog.answered.connect(lambda choice: self._left(dialog, screen, choice, proceed))
        dialog.open()

    def _left(
        self,
        dialog: LeaveDialog,
        screen: IntakeScreen,
        choice: LeaveChoice,
        proceed: Callable[[], None],
    ) -> None:
        from ui.intake_leave import LeaveChoice

        if self.leave_dialog is dialog:
            self.leave_dialog = None
        dialog.deleteLater()
        if choice is LeaveChoice.KEEP:
            self._keep_draft(screen, proceed)
        elif choice is LeaveChoice.DISCARD:
            proceed()
        elif isValid(screen):
            screen.screen_shown()  # cancelled: back to the form

    def _keep_draft(self, screen: IntakeScreen, proceed: Callable[[], None]) -> None:
        """Store the form as the officer's draft (database thread), then ``proceed()``;
        if it cannot be stored, say so and stay: the form is still there."""
        officer, ctx = self.officer, self.context
        if officer is None or ctx is None or not isValid(screen):
            return
        intake, payload = ctx.intake, screen.kept_draft()

        def failed(exc: BaseException) -> None:
            self._close_confirmed = False
            if isValid(screen):
                screen.show_banner(
                    self.tr("Chưa giữ được bản nháp ({0}); biểu mẫu vẫn còn nguyên.").format(exc),
                    "error",
                )

        self.ops.run(lambda: intake.save_draft(officer, payload), lambda _r: proceed(), failed)

    def _end_session(self) -> None:
        """End the session: the next person logs in."""
        if self.officer is None or self.context is None:
            return
        username = ""
        self.officer = None
        self.locked = False
        self.locked_changed.emit(False)
        if self.idle_lock is not None:
            self.idle_lock.stop()
        self._scanning(False)
        self._discard_session_widgets()
        self.officer_label.clear()
        self.logout_button.hide()
        self.lock_action.setEnabled(False)
        self.logout_action.setEnabled(False)
        self.show_login(username)
        self.logged_out.emit()

    def _discard_session_widgets(self) -> None:
        self._close_preview()
        view = self.dossier_view
        self.dossier_view = None
        if view is not None:
            view.hide()
            view.deleteLater()
        tabs = self.tabs
        self.tabs = None
        self.screens = {}
        if tabs is not None:
            self.pages.removeWidget(tabs)
            tabs.deleteLater()

    # ------------------------------------------------------------------ idle lock

    def lock(self) -> None:
        """Hide everything personal and ask for the officer's password."""
        if self.officer is None or self.locked or self.lock_screen is None:
            return
        if self.idle_lock is not None:
            self.idle_lock.stop()
        self.locked = True
        self._scanning(False)
        self._focus_before_lock = QApplication.focusWidget()
        self._hidden_preview = False
        if self.preview is not None and self.preview.isVisible():
            self.preview.hide()
            self._hidden_preview = True
        # Any other dialog (print, save as) is cancelled: it may show personal data.
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and widget is not self.preview:
                widget.reject()
        self.pages.setCurrentWidget(self.lock_screen)
        self.lock_screen.lock(self.officer)
        self.lock_action.setEnabled(False)
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        if not self.locked or self.tabs is None:
            return
        self.locked = False
        self._scanning(True)
        self.pages.setCurrentWidget(self.tabs)
        self.lock_action.setEnabled(True)
        if self._hidden_preview and self.preview is not None:
            self.preview.show()
        self._hidden_preview = False
        focus = self._focus_before_lock
        self._focus_before_lock = None
        if focus is not None and isValid(focus) and focus.isVisible() and focus.window() is self:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.idle_lock is not None:
            self.idle_lock.start()
        self.locked_changed.emit(False)

    # ------------------------------------------------------------------ dossiers

    def _scanning(self, active: bool) -> None:
        if self.scanner is not None:
            self.scanner.set_active(active)

    def open_dossier(self, code: str) -> DossierDialog | None:
        """Show one dossier's view (from a search, a scan, the return desk); nothing while
        locked or logged out."""
        ctx, officer = self.context, self.officer
        if ctx is None or officer is None or self.locked:
            return None
        from desk_app.auth import Permission
        from ui.dossier_view import DossierDialog, load_details
        from ui.dossier_view_actions import lifecycle_runner
        from ui.form_printing import form_printer

        view = self.dossier_view
        if view is None:
            print_form = form_printer(ctx.forms, officer)
            runner = (
                lifecycle_runner(ctx.lifecycle, officer, ctx.forms)
                if officer.can(Permission.RECEIVE)
                else None
            )
            view = DossierDialog(
                lambda c: load_details(ctx, officer, c),
                officer,
                self.ops,
                runner,
                self.show_receipt,
                self,
                print_form=print_form,
            )
            if runner is not None:
                from ui.intake_correction import CorrectionFlow

                flow = CorrectionFlow(
                    ctx.intake, ctx.lifecycle, officer, self.ops, self.show_receipt, view
                )
                view.set_correction(flow.open)
            self.dossier_view = view
        view.load(code)
        view.show()
        view.raise_()
        view.activateWindow()
        self.dossier_opened.emit(view)
        return view

    # ------------------------------------------------------------------ receipts

    def show_receipt(self, pdf: bytes, code: str, title: str | None = None) -> ReceiptPreview:
        """Open the receipt preview (dialog, window-modal, not blocking the event loop);
        ``title`` names another printed form shown in it."""
        from ui.receipt_preview import QtFileGateway, QtPrintGateway, ReceiptPreview

        self._close_preview()
        dialog = ReceiptPreview(
            pdf,
            code,
            self.ops,
            self._print_gateway or QtPrintGateway(),
            self._file_gateway or QtFileGateway(),
            self,
            title,
        )
        screen = self.screen()
        if screen is not None:
            dialog.fit_to(screen.availableGeometry().size())
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _r, d=dialog: self._preview_closed(d))
        self.preview = dialog
        if self.locked:
            self._hidden_preview = True  # shown on unlock, never over the lock screen
        else:
            dialog.show()
        self.receipt_shown.emit(dialog)
        return dialog

    def _preview_closed(self, dialog: ReceiptPreview) -> None:
        if self.preview is dialog:
            self.preview = None
        dialog.deleteLater()
        tabs = self.tabs
        if tabs is not None and not self.locked:
            self.activateWindow()  # back to work: the next citizen's procedure search
            self._tab_changed(tabs.currentIndex())

    def _close_preview(self) -> None:
        preview = self.preview
        self.preview = None
        self._hidden_preview = False
        if preview is not None:
            preview.hide()
            preview.deleteLater()

    # ------------------------------------------------------------------ errors, closing

    def _close_now(self) -> None:
        self._close_confirmed = True
        self.close()

    def show_open_error(self, message: str) -> None:
        self.loading_bar.hide()
        self.loading_label.setText(
            self.tr("Không mở được cơ sở dữ liệu.\n\n{0}\n\nHãy báo cho quản trị viên.").format(
                message
            )
        )
        self.statusBar().showMessage(self.tr("Lỗi mở cơ sở dữ liệu"))

    def closeEvent(self, event: QCloseEvent) -> None:
        screen = None if self._close_confirmed else self._unsaved_intake()
        if screen is not None and self.officer is not None:
            event.ignore()
            if self.locked:
                # Nobody here may answer for the officer: keep the form without asking.
                self._close_confirmed = True
                self._keep_draft(screen, self._close_now)
            else:
                self.leave_then(self.tr("đóng chương trình"), self._close_now)
            return
        if self.idle_lock is not None:
            self.idle_lock.stop()
        if self.daily_backup is not None:
            self.daily_backup.stop()
        if self.scanner is not None:
            self.scanner.uninstall()
        self._close_preview()
        # Lets a save in progress finish (it is one transaction) before the thread stops.
        self.ops.shutdown()
        super().closeEvent(event)
