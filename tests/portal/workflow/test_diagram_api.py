"""GET /api/v1/requests/<tracking_number>/diagram/: the BPMN source with done and current steps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SKTM_APPLICANT


def complete(api: Any, username: str, tracking_number: str, bpmn_id: str, data: dict[str, Any]) -> None:
    tasks = api(username).get("/api/v1/tasks/", {"tracking_number": tracking_number}).json()["results"]
    (task,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    response = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content


@pytest.fixture
def tracking_number(api: Any, deployed: Any) -> str:
    """An sktm request past the counter's check and the kasi's verification, at the draft."""
    body = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}
    response = api("loket1").post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    tn = str(response.json()["tracking_number"])
    complete(api, "loket1", tn, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"})
    complete(api, "kasi1", tn, "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"})
    return tn


@pytest.mark.parametrize("username", ["loket1", "kasi1", "camat1", "auditor1"])
def test_officers_and_auditors_get_the_diagram_with_done_and_current_steps(
    api: Any, tracking_number: str, deployed: Any, username: str
) -> None:
    response = api(username).get(f"/api/v1/requests/{tracking_number}/diagram/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"bpmn_xml", "done", "current"}
    assert body["bpmn_xml"] == deployed["sktm"].bpmn_source
    assert body["done"] == ["Task_PeriksaKelengkapan", "Task_VerifikasiData"]
    assert body["current"] == ["Task_SusunDraf"]


def test_the_owner_may_read_it_and_another_citizen_may_not(api: Any, tracking_number: str, users: Any) -> None:
    from portal.workflow.models import ProcessInstance

    url = f"/api/v1/requests/{tracking_number}/diagram/"
    assert api("warga1").get(url).status_code == 404

    ProcessInstance.objects.filter(tracking_number=tracking_number).update(applicant_user=users["warga1"])
    assert api("warga1").get(url).status_code == 200
    assert api(None).get(url).status_code == 401
    assert api("loket1").get("/api/v1/requests/000000-XXXXXX/diagram/").status_code == 404


def test_a_step_done_and_open_again_is_shown_as_current_only(api: Any, deployed: Any, users: Any) -> None:
    from portal.workflow.selectors import request_diagram
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"]
    )
    complete(api, "loket1", instance.tracking_number, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "tidak_lengkap"})
    complete(api, "loket1", instance.tracking_number, "Task_LengkapiBerkas", {"keterangan_perbaikan": "KK dibawa"})

    diagram = request_diagram(instance)

    assert diagram["current"] == ["Task_PeriksaKelengkapan"]
    assert diagram["done"] == ["Task_LengkapiBerkas"]
    assert diagram["current_names"] and diagram["done_names"]
