"""Fixtures of the survey tests: storage under tmp_path and the SKM reference data present."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import files_under


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    files_under(settings, tmp_path)


@pytest.fixture
def skm(db: Any) -> None:
    """The elements and grades the data migration loads (again, in case a flush removed them)."""
    from django.apps import apps

    migration = importlib.import_module("portal.survey.migrations.0002_skm_elements")
    migration.load(apps, None)
