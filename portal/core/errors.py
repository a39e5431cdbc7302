"""Errors portal services raise; the API exception handler maps each to one HTTP status."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base class; `message` is user-facing (already translated)."""

    def __init__(self, message: Any) -> None:
        self.message = message
        super().__init__(str(message))


class NotFound(ServiceError):
    """Nothing the caller may see has this id (existence is never revealed)."""


class NotAllowed(ServiceError):
    """The caller may see it but not do this."""


class Conflict(ServiceError):
    """The state changed under the caller: already taken, completed, ended."""


class InvalidInput(ServiceError):
    """Bad input; `errors` maps field names to lists of messages (nested for `data` and `applicant`)."""

    def __init__(self, errors: dict[str, Any], message: Any = "") -> None:
        self.errors = errors
        super().__init__(message or "invalid input")


class RateLimited(ServiceError):
    """Too much lately (from this caller, for this applicant): `retry_after` seconds until there is room."""

    def __init__(self, message: Any, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


class ProcessFailed(ServiceError):
    """The diagram could not advance (a failing condition or script); the command changed nothing."""


def error_texts(exc: ServiceError) -> list[str]:
    """Every message an error carries, flattened, for a page that shows them in one place."""
    if not isinstance(exc, InvalidInput) or not exc.errors:
        return [str(exc.message)]
    texts: list[str] = []
    for field, errors in exc.errors.items():
        values = errors.values() if isinstance(errors, dict) else [errors]
        for value in values:
            items = value if isinstance(value, list) else [value]
            texts.append(f"{field}: {'; '.join(str(t) for t in items)}")
    return texts
