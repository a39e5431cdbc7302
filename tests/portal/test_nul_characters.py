"""A NUL character anywhere a person could put one is a 400, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/layanan/sktm%00/",
        "/api/v1/services/sktm%00/",
        "/layanan/?kecamatan=%00",
        "/api/v1/services/?kecamatan=sepaku%00",
        "/api/v1/requests/%00/",
        "/api/v1/requests/%00/documents/",
        "/verifikasi/%00/",
        "/api/v1/tasks/?tracking_number=%00",
        "/api/v1/tasks/?%00=1",
    ],
)
def test_nul_in_a_path_or_query_is_refused(api: Any, deployed: Any, url: str) -> None:
    response = api("loket1").get(url)
    assert response.status_code == 400
    assert "karakter yang tidak sah" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"service": "sktm", "applicant": {"nik": "6409034508900002", "name": "Siti\u0000", "desa": "Babulu Darat"}},
        {"service": "sktm\u0000", "applicant": {}},
        {"service": "sktm", "applicant": {}, "data": {"keperluan\u0000": "Berobat"}},
        {"service": "sktm", "applicant": {}, "data": {"keperluan": ["a", {"b": "c\u0000"}]}},
    ],
)
def test_nul_in_json_is_refused_and_nothing_is_written(api: Any, deployed: Any, body: dict[str, Any]) -> None:
    from portal.workflow.models import ProcessInstance

    response = api("loket1").post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert ProcessInstance.objects.count() == 0
