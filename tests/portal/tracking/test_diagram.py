"""The tracking page's diagram data (/lacak/<number>/diagram/): only for the session that typed the PIN."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import SKTM_APPLICANT


def test_the_diagram_data_needs_the_pin_in_this_session(users: Any, deployed: Any) -> None:
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"]
    )
    url = f"/lacak/{instance.tracking_number}/diagram/"
    browser = Client()
    assert browser.get(url).status_code == 404

    tracked = browser.post("/lacak/", {"tracking_number": instance.tracking_number, "pin": instance.access_pin})
    assert tracked.status_code == 302
    response = browser.get(url)

    assert response.status_code == 200
    assert response.json() == {
        "bpmn_xml": deployed["sktm"].bpmn_source,
        "done": [],
        "current": ["Task_PeriksaKelengkapan"],
    }
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # Another browser, or a number this session never opened, gets nothing.
    assert Client().get(url).status_code == 404
    assert browser.get("/lacak/000000-XXXXXX/diagram/").status_code == 404
    # The status page itself carries the step names as text, not the BPMN source.
    page = browser.get(f"/lacak/{instance.tracking_number}/").content.decode()
    assert "Sedang berjalan:" in page and "<bpmn:definitions" not in page
