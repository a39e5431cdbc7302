"""Fixtures of the designer's API tests: the catalogue deployed, and clients of a designer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.migration_setup import SKTM_SOURCE as SKTM
from tests.migration_setup import without_initials

SHORTENED = without_initials(SKTM)


@pytest.fixture
def designer(api: Any, deployed: Any) -> Any:
    """A client of perancang1, with every service of processes/ deployed once (version 1 each)."""
    return api("perancang1")


def draft_of(client: Any, source: str, *, code: str = "sktm", note: str = "uji") -> dict[str, Any]:
    response = client.post(f"/api/v1/definitions/{code}/drafts/", {"source": source, "note": note}, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())
