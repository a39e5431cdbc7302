"""Errors the engine raises; each carries data a caller can translate, never a traceback."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One lint finding, located by file and BPMN element id."""

    file: str
    element_id: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return f"{self.file}:{self.element_id}: {prefix}{self.message}"


class EngineError(Exception):
    """Base class of everything the engine raises on purpose."""


class DefinitionError(EngineError):
    """A BPMN source that cannot be used; carries the located problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems) or "invalid definition")


@dataclass(frozen=True)
class FieldError:
    """A form value refused; `code` and `params` let the caller word it in any language."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class FormValidationError(EngineError):
    """Data that does not satisfy a form; errors keyed by field id."""

    def __init__(self, errors: dict[str, list[FieldError]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(e.message for e in v)}" for k, v in errors.items()))


class HumanTaskNotReady(EngineError):
    """The human task does not exist in this instance or is not waiting for a person."""


class MessageNotAwaited(EngineError):
    """No part of the instance waits for a message of that name now; nothing was changed."""


class ScriptError(EngineError):
    """A script, condition or timer expression failed or was refused."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__(message)


class ExecutionError(EngineError):
    """The workflow could not advance (a failing script, a gateway with no way out, ...)."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__(message)
