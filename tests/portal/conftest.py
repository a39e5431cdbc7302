"""Fixtures shared by the portal's test packages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.workflow.incident_flow import failed_request


@pytest.fixture
def failed(users: dict[str, Any], deployed: Any) -> Any:
    """A request whose timer fired into a failing script, in a sweep: an incident."""
    return failed_request(users)
