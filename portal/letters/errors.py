"""Errors of the letters app; messages are user-facing (already translated)."""

from __future__ import annotations

from portal.core.errors import ServiceError


class LetterError(ServiceError):
    """A letter cannot be issued (no template for the service, file not writable, ...); nothing was issued."""


class LetterFileCorrupt(LetterError):
    """The stored PDF of a letter is missing or its bytes no longer match the recorded sha256."""


class LetterNotReady(LetterError):
    """The letter is numbered but its PDF is still being drawn."""


class LetterTemplateInvalid(Exception):
    """One or more letter templates were refused; `problems` holds one message per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
