"""One error hierarchy for the core: a Vietnamese message for people, a stable code for
programs, and the command line's exit status.

Importable without pulling in the database layer or Qt. The window shows ``message``
and decides on ``code`` or the class — never on the text. The CLI maps every
``DeskError`` to its ``exit_status`` the same way for every command:

====  =========================================================================
0     done
1     operational: network, server, sync, a broken invariant (``OperationalError``)
2     bad input, an unknown dossier code, a transition not allowed (``InvalidInputError``)
3     storage damaged, full, read-only or locked (``StorageError``)
4     refused: wrong password, lock-out, role (``RefusedError``)
====  =========================================================================
"""

from __future__ import annotations

from typing import ClassVar


class DeskError(Exception):
    """Base of every error the core reports to a person.

    ``message`` is one plain Vietnamese line with no citizen's data in it; ``code`` is a
    stable dotted identifier (``dossier.not_found``) for programs and tests.
    """

    exit_status: ClassVar[int] = 1
    default_code: ClassVar[str] = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class OperationalError(DeskError):
    """Something the operator must fix, not a bug: the network, the server, a broken
    invariant, a desk not set up yet. Exit status 1."""

    exit_status = 1
    default_code = "operational"


# Kept under its historical name: many modules raise or catch it.
DeskOperationalError = OperationalError


class InvalidInputError(DeskError, ValueError):
    """The input is wrong: the person can correct it and try again. Exit status 2."""

    exit_status = 2
    default_code = "input.invalid"


class NotFoundError(InvalidInputError, LookupError):
    """What was asked for does not exist (an unknown dossier code). Exit status 2."""

    default_code = "not_found"


class DossierNotFoundError(NotFoundError):
    """No dossier has the code asked for."""

    default_code = "dossier.not_found"


class TransitionNotAllowedError(InvalidInputError):
    """The action is not allowed from the dossier's current state. Exit status 2."""

    default_code = "dossier.transition_not_allowed"


class StorageError(DeskError):
    """The database file cannot be used as asked. Exit status 3."""

    exit_status = 3
    default_code = "storage"


class StorageDamagedError(StorageError):
    default_code = "storage.damaged"


class StorageFullError(StorageError):
    default_code = "storage.full"


class StorageReadOnlyError(StorageError):
    default_code = "storage.read_only"


class StorageLockedError(StorageError):
    default_code = "storage.locked"


class RefusedError(DeskError):
    """Who is asking may not do this: a wrong password, a locked account, a role without
    the permission. Exit status 4."""

    exit_status = 4
    default_code = "refused"


UNEXPECTED_CODE = "internal"


def user_message(exc: BaseException) -> str:
    """What a person may be shown about ``exc``: a ``DeskError``'s message, and for
    anything else (a bug) only its kind — its text may quote a statement's data, such as
    a citizen's CCCD in an SQL parameter."""
    if isinstance(exc, DeskError):
        return exc.message
    return f"lỗi không lường trước ({type(exc).__name__})"


def error_code(exc: BaseException) -> str:
    """The stable code of ``exc``; ``internal`` for anything that is not a ``DeskError``."""
    return exc.code if isinstance(exc, DeskError) else UNEXPECTED_CODE
