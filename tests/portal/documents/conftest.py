"""Fixtures: the catalogue loaded, uploads kept in a temporary media directory, sktm requests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import files_under
from tests.portal.documents.samples import REQUESTS, register


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    files_under(settings, tmp_path)
    return tmp_path / "media"


@pytest.fixture
def catalogue(db: Any, deployed: Any, tmp_path: Path) -> None:
    """The published sktm standard (its requirement checklist) loaded into the catalogue.

    Only sktm's file is copied, so other services' files being edited cannot break these tests;
    loading it again when `deployed` already loaded processes/ stores nothing new.
    """
    from django.conf import settings

    from portal.operations.services import catalogue_load

    directory = tmp_path / "catalogue"
    directory.mkdir()
    shutil.copy(Path(settings.PATEN_PROCESSES_DIR) / "sktm.standard.yaml", directory)
    catalogue_load(directory=directory)


@pytest.fixture
def warga2(users: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("warga2", password="uji-warga-2")
    user.groups.add(Group.objects.get(name="pemohon"))
    users["warga2"] = user
    return user


@pytest.fixture
def counter_request(api: Any, catalogue: None, media: Path) -> dict[str, Any]:
    """An sktm request registered at the counter for a walk-in citizen (no account)."""
    return register(api, "loket1")


@pytest.fixture
def own_request(api: Any, catalogue: None, media: Path) -> dict[str, Any]:
    """An sktm request warga1 registered herself."""
    return register(api, "warga1")


@pytest.fixture
def upload(api: Any) -> Callable[..., Any]:
    """upload(username, tn, data, name="ktp.pdf", requirement="ktp") -> the response."""

    def post(
        username: str, tn: str, data: bytes, *, name: str = "ktp.pdf", requirement: str = "ktp", ctype: str = ""
    ) -> Any:
        file = SimpleUploadedFile(name, data, content_type=ctype or "application/octet-stream")
        return api(username).post(
            f"{REQUESTS}{tn}/documents/", {"requirement": requirement, "file": file}, format="multipart"
        )

    return post
