"""Scenario runs in the engine run with the engine's built-in office calendar, not the portal's tables."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _engine_calendar(builtin_calendar: None) -> None:
    """See tests/conftest.py."""
