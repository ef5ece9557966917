"""The error hierarchy: every error the core raises to a person has a stable code and
the exit status of its family, and nothing but a ``DeskError``'s message is ever shown."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import desk_app
from desk_app import errors
from desk_app.auth import AccountError, AuthError, PermissionDeniedError
from desk_app.calendar import OfficeHoursError
from desk_app.calendar_admin import OverrideError
from desk_app.catalogue import CatalogueError
from desk_app.cli import UsageError, main
from desk_app.db.migrate import DatabaseTooNewError
from desk_app.dossier_code import CodePatternError, SequenceExhaustedError
from desk_app.errors import DeskError, error_code, user_message
from desk_app.intake import DossierNotFoundError, IntakeValidationError
from desk_app.lifecycle import TransitionError
from desk_app.profile import NotInitializedError, ProfileError
from desk_app.sync.engine import EnrollmentError, ServerUrlError
from desk_app.sync.transport import RejectedError, UnauthorizedError, UnreachableError

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


def all_error_classes() -> list[type[DeskError]]:
    for module in pkgutil.walk_packages(desk_app.__path__, "desk_app."):
        if not module.name.endswith("__main__"):  # that one runs the program
            importlib.import_module(module.name)
    found: set[type[DeskError]] = set()
    pending: list[type[DeskError]] = [DeskError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (NotInitializedError, 1), (SequenceExhaustedError, 1), (DatabaseTooNewError, 1),
        (EnrollmentError, 1), (UnreachableError, 1), (RejectedError, 1), (UnauthorizedError, 1),
        (ProfileError, 2), (CodePatternError, 2), (CatalogueError, 2), (AccountError, 2),
        (OverrideError, 2), (IntakeValidationError, 2), (DossierNotFoundError, 2),
        (TransitionError, 2), (UsageError, 2), (ServerUrlError, 2), (OfficeHoursError, 2),
        (errors.StorageDamagedError, 3), (errors.StorageFullError, 3),
        (errors.StorageReadOnlyError, 3), (errors.StorageLockedError, 3),
        (AuthError, 4), (PermissionDeniedError, 4),
    ],
)  # fmt: skip
def test_each_error_has_the_exit_status_of_its_family(cls: type[DeskError], status: int) -> None:
    assert issubclass(cls, DeskError)
    assert cls.exit_status == status


def test_every_error_class_has_its_own_well_formed_code() -> None:
    classes = all_error_classes()
    assert len(classes) > 25
    for cls in classes:
        assert CODE.match(cls.default_code), cls
        assert cls.exit_status in (1, 2, 3, 4), cls
    # A code names one kind of trouble: no two classes give the same one (a class that
    # only renames its parent, like lifecycle's TransitionError, keeps the parent's).
    codes = [cls.default_code for cls in classes if "default_code" in vars(cls)]
    assert len(codes) == len(set(codes)), sorted(codes)


def test_old_catch_sites_still_catch() -> None:
    # Kept as ValueError / LookupError: code that caught those before still does.
    assert issubclass(ProfileError, ValueError)
    assert issubclass(DossierNotFoundError, LookupError)
    assert errors.DeskOperationalError is errors.OperationalError


def test_only_a_desk_errors_message_is_ever_shown() -> None:
    cccd = "079203001234"
    assert user_message(DossierNotFoundError("không có hồ sơ mã 'X'")) == "không có hồ sơ mã 'X'"
    shown = user_message(RuntimeError(f"INSERT ... ('{cccd}')"))
    assert cccd not in shown and "RuntimeError" in shown
    assert error_code(UnauthorizedError(401, "revoked")) == "sync.unauthorized"
    assert error_code(KeyError("x")) == "internal"


def test_a_bug_in_a_command_is_one_plain_line_and_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desk_app.cli import desk

    def broken(_args: object) -> int:
        raise RuntimeError("SELECT * FROM dossiers WHERE cccd = '079203001234'")

    monkeypatch.setattr(desk, "cmd_procedures", broken)
    assert main(["procedures"]) == 1
    err = capsys.readouterr().err
    assert err == "desk-app: error: lỗi không lường trước (RuntimeError)\n"
