"""Fixtures of the event-log tests: files under tmp_path, and the requests the logs are read from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import files_under

from .flow import requests_build


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    files_under(settings, tmp_path)


@pytest.fixture
def built(users: dict[str, Any], deployed: Any) -> dict[str, Any]:
    return requests_build(users)
