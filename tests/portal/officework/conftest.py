"""Fixtures of the officers' pages: logged-in browsers per user, requests registered through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import SKTM_APPLICANT, files_under


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    files_under(settings, tmp_path)
    return tmp_path / "media"


@pytest.fixture
def browser(users: dict[str, Any]) -> Callable[[str], Client]:
    """browser("loket1") -> a Django test client logged in as that user (CSRF checks on)."""

    def make(username: str) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(users[username])
        return client

    return make


@pytest.fixture
def register(api: Any, deployed: Any) -> Callable[..., dict[str, Any]]:
    """register(service="sktm", **applicant) -> the API's response body for a new request by loket1."""

    def make(service: str = "sktm", data: dict[str, Any] | None = None, **applicant: str) -> dict[str, Any]:
        body = {
            "service": service,
            "applicant": {**SKTM_APPLICANT, **applicant},
            "data": data if data is not None else {"keperluan": "Beasiswa sekolah anak"},
        }
        response = api("loket1").post("/api/v1/requests/", body, format="json")
        assert response.status_code == 201, response.content
        return dict(response.json())

    return make


def open_step(tracking_number: str, bpmn_id: str) -> Any:
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask

    return HumanTask.objects.get(instance__tracking_number=tracking_number, bpmn_id=bpmn_id, status__in=OPEN_HUMAN_TASK)


def complete_api(api: Any, username: str, tracking_number: str, bpmn_id: str, data: dict[str, Any]) -> None:
    step = open_step(tracking_number, bpmn_id)
    response = api(username).post(f"/api/v1/tasks/{step.pk}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content
