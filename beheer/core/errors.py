"""The one family of errors that services raise.

The API maps them to 4xx JSON, the UI to messages. A service never returns an error code.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A business rule refused the operation (HTTP 400)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field_errors: dict[str, str] = {k: str(v) for k, v in (field_errors or {}).items()}


class PermissionDenied(DomainError):
    """The actor may not do this (HTTP 403)."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist or is not visible to the actor (HTTP 404)."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """Somebody else changed the record first (HTTP 409)."""

    status_code = 409
    code = "conflict"


class ReadOnly(DomainError):
    """The record is closed and can no longer be changed (HTTP 409)."""

    status_code = 409
    code = "read_only"


class TooManyAttempts(DomainError):
    """Too many failed attempts in the throttle window (HTTP 429)."""

    status_code = 429
    code = "throttled"
