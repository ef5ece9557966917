"""The Qt-free services of one desk, built on one database file.

The GUI's composition root and the CLI both build a ``DeskContext``; nothing else opens
the database.
"""

from __future__ import annotations

from pathlib import Path

from desk_app.accounts import AccountAdmin
from desk_app.auth import UserService
from desk_app.backlog import BacklogService
from desk_app.calendar_admin import CalendarAdmin
from desk_app.catalogue import CatalogueService
from desk_app.catalogue_import import CatalogueImport
from desk_app.clock import Clock, SystemClock, utc_naive
from desk_app.commune_settings import CommuneSettingsService
from desk_app.config import DATABASE_FILE, TEMPLATES_FOLDER
from desk_app.db.engine import Database, retry_locked
from desk_app.db.opening import open_database
from desk_app.db.upgrade_report import UpgradeReport
from desk_app.directory import DirectoryService
from desk_app.dossier_forms import DossierFormsService
from desk_app.forms.template import override_folder, use_overrides
from desk_app.intake import IntakeService
from desk_app.intake_outcomes import IntakeOutcomeService
from desk_app.lifecycle import LifecycleService
from desk_app.profile import ProfileService
from desk_app.report import ReportService
from desk_app.report_audit import AuditLogService
from desk_app.search import SearchService
from desk_app.sync.engine import SyncEngine


class DeskContext:
    """The database and the services over it."""

    def __init__(self, data_dir: Path, db: Database, clock: Clock) -> None:
        self.data_dir = data_dir
        self.db = db
        self.clock = clock
        self.profiles = ProfileService(db)
        self.catalogue = CatalogueService(db)
        self.catalogue_import = CatalogueImport(db, self.catalogue, clock, self.profiles)
        self.calendar_admin = CalendarAdmin(db, self.profiles, clock)
        self.users = UserService(db, clock)
        self.accounts = AccountAdmin(db, clock, self.users)
        self.intake = IntakeService(db, clock, self.profiles, self.catalogue)
        self.settings = CommuneSettingsService(db, clock, self.profiles)
        self.directory = DirectoryService(db, clock, self.profiles)
        self.lifecycle = LifecycleService(db, clock, self.profiles, self.settings, self.directory)
        self.intake_outcomes = IntakeOutcomeService(db, clock, self.profiles, self.catalogue)
        self.search = SearchService(db, clock, self.profiles)
        self.sync = SyncEngine(db, clock, self.profiles)
        self.forms = DossierFormsService(
            db, clock, self.profiles, self.intake, self.lifecycle, self.directory,
            self.intake_outcomes,
        )  # fmt: skip
        self.backlog = BacklogService(db, clock, self.profiles, self.settings)
        self.reports = ReportService(db, clock, self.profiles, self.settings)
        self.audit_log = AuditLogService(db, clock)
        # What opening did to the schema; an upgrade is told to the person once.
        self.upgrade: UpgradeReport | None = None

    @classmethod
    def open(cls, data_dir: Path, clock: Clock | None = None) -> DeskContext:
        """Open (creating and migrating when needed) the desk database in ``data_dir``.

        Raises ``DatabaseTooNewError`` for a database written by a newer version, and
        ``StorageError``s as ``db.opening.open_database`` says.
        """
        clock = clock or SystemClock()
        ctx = cls(data_dir, open_database(data_dir / DATABASE_FILE), clock)
        use_overrides(data_dir / TEMPLATES_FOLDER)  # the forms this desk corrected
        ctx.upgrade = ctx.db.upgrade
        if not ctx.db.read_only:  # a read-only desk reads with the catalogue it has
            retry_locked(lambda: ctx.catalogue.ensure_default(utc_naive(clock)))
        return ctx

    def close(self) -> None:
        if override_folder() == self.data_dir / TEMPLATES_FOLDER:
            use_overrides(None)
        self.db.dispose()
