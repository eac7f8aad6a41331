"""Domain errors that web layers turn into 4xx answers with a field path."""

from __future__ import annotations

from mercato.kit.i18n import N_


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__


class ValidationFailed(DomainError):
    status_code = 422


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class RateLimited(DomainError):
    status_code = 429

    def __init__(self, retry_after: int, message: str = N_("Too many attempts; try again later.")):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def validation_message(error: dict) -> str:
    """The message of one pydantic error as a person should read it: a validator's own
    ValueError text, without the "Value error, " pydantic puts before it."""
    return str(error.get("msg", "")).removeprefix("Value error, ")
