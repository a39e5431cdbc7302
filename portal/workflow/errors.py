"""Errors portal services raise; the API maps each to one HTTP status."""

from __future__ import annotations

from typing import Any


class WorkflowError(Exception):
    """Base class; `message` is user-facing (already translated)."""

    def __init__(self, message: Any) -> None:
        self.message = message
        super().__init__(str(message))


class NotFound(WorkflowError):
    pass


class NotAllowed(WorkflowError):
    pass


class Conflict(WorkflowError):
    pass


class InvalidInput(WorkflowError):
    """Bad input; `errors` maps field names to lists of messages (nested for `data`)."""

    def __init__(self, errors: dict[str, Any], message: Any = "") -> None:
        self.errors = errors
        super().__init__(message or "invalid input")


class ProcessFailed(WorkflowError):
    """The diagram could not advance (a failing condition or script); nothing was changed."""
