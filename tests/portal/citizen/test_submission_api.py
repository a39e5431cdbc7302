"""POST /api/v1/submissions/: the online submission without the page, with the same rules."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.conftest import SKTM_APPLICANT

BODY = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}


def test_anyone_may_submit_and_gets_the_pin_once(ready: Any) -> None:
    from portal.workflow.models import InstanceEvent, ProcessInstance
    from portal.workflow.pins import pin_matches

    response = APIClient().post("/api/v1/submissions/", BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    instance = ProcessInstance.objects.get(tracking_number=body["tracking_number"])
    assert instance.applicant_user is None and instance.registered_by is None
    assert pin_matches(body["pin"], instance.access_pin_hash)
    assert body["sla"]["due_at"] is None  # counted once the counter declares the file complete
    started = InstanceEvent.objects.get(instance=instance, type="instance_started")
    assert started.payload["channel"] == "online"
    # The PIN then opens the tracking API.
    tracked = APIClient().post(
        "/api/v1/tracking/", {"tracking_number": body["tracking_number"], "pin": body["pin"]}, format="json"
    )
    assert tracked.status_code == 200


def test_a_citizen_account_owns_what_it_submits_and_officers_are_sent_to_the_counter(api: Any, ready: Any) -> None:
    from portal.workflow.models import ProcessInstance

    mine = api("warga1").post("/api/v1/submissions/", BODY, format="json")
    assert mine.status_code == 201
    assert ProcessInstance.objects.get(tracking_number=mine.json()["tracking_number"]).applicant_user == ready["warga1"]
    refused = api("loket1").post("/api/v1/submissions/", BODY, format="json")
    assert refused.status_code == 403 and "loket" in refused.json()["detail"]


def test_bad_input_is_a_400_with_indonesian_field_errors_and_creates_nothing(ready: Any) -> None:
    from portal.workflow.models import ProcessInstance

    client = APIClient()
    for body in (
        {**BODY, "applicant": {**SKTM_APPLICANT, "nik": "123"}},
        {**BODY, "service": "tidak-ada"},
        {**BODY, "data": ["bukan", "objek"]},
        {"service": "x" * 10_000},
        ["bukan objek"],
    ):
        response = APIClient().post("/api/v1/submissions/", body, format="json")
        assert response.status_code == 400, (body, response.content[:200])
    assert client.post("/api/v1/submissions/", "{", content_type="application/json").status_code == 400
    assert ProcessInstance.objects.count() == 0


def test_anonymous_submissions_are_limited_per_address(ready: Any) -> None:
    from portal.core.throttle import SUBMISSION

    client = APIClient(REMOTE_ADDR="10.9.8.7")
    for _ in range(SUBMISSION.per_address):
        assert client.post("/api/v1/submissions/", BODY, format="json").status_code == 201
    refused = client.post("/api/v1/submissions/", BODY, format="json")
    assert refused.status_code == 429 and "Terlalu banyak" in refused.json()["detail"]
    assert APIClient(REMOTE_ADDR="10.9.8.8").post("/api/v1/submissions/", BODY, format="json").status_code == 201
