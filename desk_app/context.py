"""The Qt-free services of one desk, built on one database file.

The GUI's composition root and the CLI both build a ``DeskContext``; nothing else opens
the database.
"""

from __future__ import annotations

from pathlib import Path

from desk_app.auth import UserService
from desk_app.calendar_admin import CalendarAdmin
from desk_app.catalogue import CatalogueService
from desk_app.clock import Clock, SystemClock, utc_naive
from desk_app.commune_settings import CommuneSettingsService
from desk_app.config import DATABASE_FILE
from desk_app.db.engine import Database, make_engine
from desk_app.db.migrate import upgrade_to_head
from desk_app.directory import DirectoryService
from desk_app.intake import IntakeService
from desk_app.intake_outcomes import IntakeOutcomeService
from desk_app.lifecycle import LifecycleService
from desk_app.profile import ProfileService
from desk_app.sync.engine import SyncEngine


class DeskContext:
    """The database and the services over it."""

    def __init__(self, data_dir: Path, db: Database, clock: Clock) -> None:
        self.data_dir = data_dir
        self.db = db
        self.clock = clock
        self.profiles = ProfileService(db)
        self.catalogue = CatalogueService(db)
        self.calendar_admin = CalendarAdmin(db, self.profiles, clock)
        self.users = UserService(db, clock)
        self.intake = IntakeService(db, clock, self.profiles, self.catalogue)
        self.settings = CommuneSettingsService(db, clock, self.profiles)
        self.directory = DirectoryService(db, clock, self.profiles)
        self.lifecycle = LifecycleService(db, clock, self.profiles, self.settings, self.directory)
        self.intake_outcomes = IntakeOutcomeService(db, clock, self.profiles, self.catalogue)
        self.sync = SyncEngine(db, clock, self.profiles)

    @classmethod
    def open(cls, data_dir: Path, clock: Clock | None = None) -> DeskContext:
        """Open (creating and migrating when needed) the desk database in ``data_dir``.

        Raises ``DatabaseTooNewError`` for a database written by a newer version.
        """
        clock = clock or SystemClock()
        engine = make_engine(data_dir / DATABASE_FILE)
        try:
            upgrade_to_head(engine)
        except Exception:
            engine.dispose()
            raise
        ctx = cls(data_dir, Database(engine), clock)
        ctx.catalogue.ensure_default(utc_naive(clock))
        return ctx

    def close(self) -> None:
        self.db.dispose()
