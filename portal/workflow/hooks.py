"""Where the workflow core calls the apps above it, without importing them.

The core runs a request's commands; some steps concern records that apps above it keep: a signing
step numbers a letter (letters), a camat's step may be taken by a deputy under a delegation
(delegation), a file returned to the applicant lists what is missing (documents). Each of those
apps registers its function here in its AppConfig.ready(); the core calls it through these
names, and without the app the hook does nothing. One implementation per hook, set once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LetterIssue:
    """What the signing step gives the letters app to number a letter (inside the command)."""

    instance: Any  # ProcessInstance, locked
    human_task: Any  # the signing HumanTask
    signer: Any
    delegation: Any  # the delegation the signer acts under, or None
    data: dict[str, Any]
    now: datetime


@dataclass(frozen=True)
class IssuedLetter:
    letter_id: int
    number: str
    capacity: str


@dataclass
class _Hooks:
    # (user, service code, at, office_id=) -> the delegation under which `user` acts for the camat
    # of that office, or None.
    deputy_for: Callable[..., Any] = lambda user, code, at, office_id=None: None
    # user -> the service codes of each delegation naming `user` deputy now ([] within: every service).
    deputy_scopes: Callable[[Any], list[list[str]]] = lambda user: []
    # Number the letter of a signing step; None when no letters app is installed.
    letter_issue: Callable[[LetterIssue], IssuedLetter] | None = None
    # After the signing committed: draw the letter's PDF (or leave it to the worker's sweep).
    letter_after_commit: Callable[[int], None] = lambda letter_id: None
    # What the applicant must bring when a file is returned (text for the notice).
    returned_detail: Callable[[Any], str] = lambda instance: ""
    # (command, items) -> mark the counter's checklist inside the command: a completeness step that
    # failed is retried with the checklist its officer gave (the failure undid it with the rest).
    checklist_mark: Callable[[Any, dict[str, str]], None] = lambda command, items: None


hooks = _Hooks()


def register(**implementations: Callable[..., Any]) -> None:
    """Set hooks by name (from an AppConfig.ready()); an unknown name is a programming error."""
    for name, implementation in implementations.items():
        if not hasattr(hooks, name):
            raise AttributeError(f"no workflow hook named {name!r}")
        setattr(hooks, name, implementation)
