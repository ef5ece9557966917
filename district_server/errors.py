"""Failures the district server reports to its callers, each with an HTTP status.

The message is a plain English sentence; the API sends it as ``{"detail": message}`` and
the command line prints it on one line.
"""

from __future__ import annotations


class DistrictServerError(Exception):
    """Base class: something the caller asked for cannot be done."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownEnrollmentCodeError(DistrictServerError):
    """No enrolment code matches what was typed."""

    status_code = 401


class EnrollmentCodeGoneError(DistrictServerError):
    """The enrolment code existed but was used, has expired or was withdrawn."""

    status_code = 410


class NotAuthenticatedError(DistrictServerError):
    """The request carries no valid bearer token."""

    status_code = 401


class WrongOriginError(DistrictServerError):
    """An event claims to come from a commune or desk other than the caller's."""

    status_code = 403


class EventConflictError(DistrictServerError):
    """An event reuses the uuid of a stored event with different content."""

    status_code = 409


class UnknownDeskError(DistrictServerError):
    """No such desk has ever been enrolled."""

    status_code = 404


class TooManyAttemptsError(DistrictServerError):
    """A client failed to enrol too often; it may try again after ``retry_after`` s."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
