"""Fixtures of the survey tests: storage under tmp_path and the SKM reference data present."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    settings.PATEN_MEDIA_DIR = tmp_path / "media"
    settings.PATEN_LETTERS_DIR = tmp_path / "letters"


@pytest.fixture
def skm(db: Any) -> None:
    """The elements and grades the data migration loads (again, in case a flush removed them)."""
    from django.apps import apps

    migration = importlib.import_module("portal.survey.migrations.0002_skm_elements")
    migration.load(apps, None)
