"""Domain errors that the HTTP layer maps to 4xx responses a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the command (422), naming the field and the reason."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""

    status_code = 404


class Conflict(DomainError):
    """The request clashes with the current state (409)."""

    status_code = 409
