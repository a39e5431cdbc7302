"""Messages through the REST API: who may send which one is the diagram's `paten.sender`; a message
nothing waits for is a 409 that changes nothing but is recorded; an event-based gateway that hears
nothing closes the file when its timer fires; a manual task is a step confirmed with no data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT

DIAGRAM = Path(__file__).resolve().parents[2] / "fixtures" / "designer" / "uji-pesan.bpmn"


@pytest.fixture
def waiting(users: dict[str, Any], deployed: Any, api: Any) -> Any:
    """A request of the test service, its file checked: it waits for a message or 14 days."""
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.registration import request_register

    definitions_deploy(files=[("uji-pesan.bpmn", DIAGRAM.read_bytes())], by_name="perancang1", note="uji")
    instance = request_register(service_code="uji-pesan", applicant=SKTM_APPLICANT, data={}, actor=users["loket1"])
    _complete(api, "loket1", instance.tracking_number, "Periksa", {"catatan": "lengkap"})
    return instance


def _complete(api: Any, username: str, number: str, bpmn_id: str, data: dict[str, Any]) -> Any:
    tasks = api(username).get("/api/v1/tasks/", {"tracking_number": number}).json()["results"]
    (task,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    response = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _send(client: Any, number: str, body: Any) -> Any:
    return client.post(f"/api/v1/requests/{number}/messages/", body, format="json")


def _events(instance: Any) -> list[tuple[str, dict[str, Any]]]:
    from portal.workflow.models import InstanceEvent

    return [(e.type, e.payload) for e in InstanceEvent.objects.filter(instance_id=instance.pk).order_by("seq")]


def _state(instance: Any) -> Any:
    from portal.workflow.models import ProcessInstance

    return ProcessInstance.objects.values_list("state", "last_event_seq").get(pk=instance.pk)


def test_an_officer_named_as_sender_delivers_and_the_request_goes_on_to_a_manual_step(waiting: Any, api: Any) -> None:
    from portal.workflow.models import TimerSchedule

    number = waiting.tracking_number
    sent = _send(api("kasi1"), number, {"name": "rekomendasi_desa", "data": {"nomor": "12/DS/2026"}})
    assert sent.status_code == 200, sent.content
    assert [s["bpmn_id"] for s in sent.json()["current_steps"]] == ["Arsipkan"]
    kind, payload = _events(waiting)[-2]  # then the manual step opened
    assert kind == "message_delivered"
    assert payload == {"name": "rekomendasi_desa", "data": {"nomor": "12/DS/2026"}, "caught": ["Tunggu"]}
    assert TimerSchedule.objects.get(instance_id=waiting.pk).cancelled_at is not None  # the branch not taken
    done = _complete(api, "loket1", number, "Arsipkan", {})  # a manual task: confirmed, no form
    assert done["status"] == "completed"


def test_someone_the_diagram_does_not_name_is_refused_and_nothing_changes(waiting: Any, api: Any) -> None:
    before = _state(waiting)
    refused = _send(api("loket1"), waiting.tracking_number, {"name": "rekomendasi_desa", "data": {}})
    assert refused.status_code == 403
    other_office = _send(api("kasi_sepaku"), waiting.tracking_number, {"name": "rekomendasi_desa", "data": {}})
    assert other_office.status_code == 403 and "Babulu" in other_office.json()["detail"]
    assert _state(waiting) == before


def test_a_message_nothing_waits_for_is_a_409_recorded_and_changes_nothing_else(waiting: Any, api: Any) -> None:
    assert _send(api("kasi1"), waiting.tracking_number, {"name": "rekomendasi_desa", "data": {}}).status_code == 200
    state, seq = _state(waiting)
    again = _send(api("kasi1"), waiting.tracking_number, {"name": "rekomendasi_desa", "data": {"x": 1}})
    assert again.status_code == 409 and "tidak sedang menunggu pesan 'rekomendasi_desa'" in again.json()["detail"]
    unknown = _send(api("kasi1"), waiting.tracking_number, {"name": "tidak_ada", "data": {}})
    assert unknown.status_code == 409
    assert _state(waiting) == (state, seq + 2)  # the workflow as it was; two refusals in the log
    assert _events(waiting)[-2:] == [
        ("message_undelivered", {"name": "rekomendasi_desa"}), ("message_undelivered", {"name": "tidak_ada"}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [({"data": {}}, "name"), ({"name": "x" * 101}, "name"), ({"name": "a", "data": [1]}, "data"),
     ({"name": "a", "data": {"bukan nama": 1}}, "data"), ({"name": "a", "data": {"x": "y" * 30_000}}, "data")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(waiting: Any, api: Any, body: dict[str, Any], field: str) -> None:
    before = _state(waiting)
    response = _send(api("kasi1"), waiting.tracking_number, body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert _state(waiting) == before


def test_the_applicant_sends_from_the_session_her_pin_opened_and_no_one_else_anonymously(
    waiting: Any, users: Any
) -> None:
    from portal.workflow.services.registration import access_pin_reissue

    number = waiting.tracking_number
    pin = access_pin_reissue(tracking_number=number, actor=users["loket1"]).access_pin
    stranger = Client()
    assert stranger.post(f"/api/v1/requests/{number}/messages/", {"name": "berkas_perbaikan"},
                         content_type="application/json").status_code in (401, 403)  # fmt: skip
    applicant = Client(enforce_csrf_checks=True)
    applicant.get("/lacak/")
    token = applicant.cookies["csrftoken"].value
    opened = applicant.post("/lacak/", {"tracking_number": number, "pin": pin, "csrfmiddlewaretoken": token})
    assert opened.status_code == 302
    body = {"name": "berkas_perbaikan", "data": {"berkas": "ktp-baru.pdf"}}
    without_csrf = applicant.post(f"/api/v1/requests/{number}/messages/", body, content_type="application/json")
    assert without_csrf.status_code == 403
    token = applicant.cookies["csrftoken"].value
    sent = applicant.post(f"/api/v1/requests/{number}/messages/", body, content_type="application/json",
                          HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert sent.status_code == 200, sent.content
    kind, payload = _events(waiting)[-2]
    assert kind == "message_delivered" and payload["by"] == "applicant_tracking_pin"


def test_when_nothing_arrives_the_timer_closes_the_file_and_a_late_message_is_refused(waiting: Any, api: Any) -> None:
    from portal.workflow.models import ProcessInstance
    from portal.workflow.services.timers import timers_fire_due

    assert timers_fire_due(now=timezone.now() + timedelta(days=13)) == 0
    assert timers_fire_due(now=timezone.now() + timedelta(days=14, minutes=1)) == 1
    instance = ProcessInstance.objects.get(pk=waiting.pk)
    assert instance.status == "completed"
    assert [kind for kind, _ in _events(waiting)[-2:]] == ["timer_fired", "instance_completed"]
    assert _events(waiting)[-1][1]["end_event"] == "Ditutup"
    late = _send(api("kasi1"), waiting.tracking_number, {"name": "rekomendasi_desa", "data": {}})
    assert late.status_code == 409


def test_an_unknown_request_is_a_404(users: Any, api: Any) -> None:
    assert _send(api("kasi1"), "260101-ZZZZZZ", {"name": "rekomendasi_desa"}).status_code == 404
