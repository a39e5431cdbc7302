"""The OpenAPI schema generates without warnings and documents every endpoint of the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command


def test_schema_is_valid_and_complete(db: Any, tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = set(schema["paths"])
    assert {
        "/api/v1/auth/token/",
        "/api/v1/requests/",
        "/api/v1/requests/{tracking_number}/",
        "/api/v1/tasks/",
        "/api/v1/tasks/{human_task_id}/claim/",
        "/api/v1/tasks/{human_task_id}/complete/",
        "/api/v1/instances/{instance_id}/events/",
        "/api/v1/services/",
        "/api/v1/services/{code}/",
        "/api/v1/requests/{tracking_number}/documents/",
        "/api/v1/letters/verify/{token}/",
        "/api/v1/analytics/eventlog/",
    } <= paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]
