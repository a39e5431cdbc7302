"""Control and bidirectional-override characters never reach receipts, letters or the log: the applicant's
name, the data of every BPMN form, return, delegation and cancellation reasons, officers' names."""

from __future__ import annotations

import html as html_lib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT
from tests.portal.delegation.flow import sktm_at_signing
from tests.portal.officework.conftest import open_step

# A right-to-left override makes "Siti Aminah" print reversed; the isolates, marks and embeddings do
# the same more quietly; ESC starts a terminal escape; U+0085 is a C1 "next line"; a newline or a
# tab splits a name printed on one line.
HOSTILE = {
    "U+202E": "Siti \u202eAminah",
    "U+2066": "Siti \u2066Aminah\u2069",
    "U+200F": "Siti\u200f Aminah",
    "U+202A": "\u202aSiti Aminah",
    "U+001B": "Siti \x1b[31mAminah",
    "U+0085": "Siti\x85Aminah",
    "U+000A": "Siti\nAminah",
    "U+0009": "Siti\tAminah",
    "U+007F": "Siti\x7fAminah",
}
REQUESTS = "/api/v1/requests/"


def _register(api: Any, *, applicant: dict[str, str] | None = None, data: dict[str, Any] | None = None) -> Any:
    body = {
        "service": "sktm",
        "applicant": {**SKTM_APPLICANT, **(applicant or {})},
        "data": data if data is not None else {"keperluan": "Beasiswa sekolah anak"},
    }
    return api("loket1").post(REQUESTS, body, format="json")


@pytest.mark.parametrize("code", HOSTILE)
def test_the_api_refuses_such_a_name_with_the_character_named(api: Any, deployed: Any, code: str) -> None:
    from portal.workflow.models import InstanceEvent, ProcessInstance

    response = _register(api, applicant={"name": HOSTILE[code]})
    assert response.status_code == 400
    (message,) = response.json()["applicant"]["name"]
    assert code in message and "karakter yang tidak diizinkan" in message
    assert ProcessInstance.objects.count() == 0 and InstanceEvent.objects.count() == 0


def test_ordinary_names_pass(api: Any, deployed: Any) -> None:
    names = ["Siti Aminah", "I Gusti Ayu Ngurah", "Muh. Ilham Ma'ruf", "La Ode Abdul", "Nur\u2019aini \u00c7elik"]
    for name in names:
        assert _register(api, applicant={"name": name}).status_code == 201, name


def test_the_start_form_refuses_them_too(api: Any, deployed: Any) -> None:
    response = _register(api, data={"keperluan": "Beasiswa \u202esekolah"})
    assert response.status_code == 400
    (message,) = response.json()["data"]["keperluan"]
    assert "U+202E" in message


def test_a_step_form_takes_lines_in_long_text_and_refuses_controls(api: Any, deployed: Any) -> None:
    tn = _register(api).json()["tracking_number"]
    step = open_step(tn, "Task_PeriksaKelengkapan")
    url = f"/api/v1/tasks/{step.pk}/complete/"
    bad = {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "KTP buram\r\n\x1b[2JKK tidak ada"}
    refused = api("loket1").post(url, {"data": bad}, format="json")
    assert refused.status_code == 400 and "U+001B" in refused.json()["data"]["catatan"][0]
    good = {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "KTP buram.\r\nKK belum dilampirkan.\tHalaman 2"}
    assert api("loket1").post(url, {"data": good}, format="json").status_code == 200


def test_a_camat_cannot_return_a_file_with_a_hidden_override(api: Any, deployed: Any, users: Any) -> None:
    from portal.workflow.models import HumanTask

    step = sktm_at_signing(users)
    body = {"human_task_ids": [step.pk], "decision": "return", "reason": "Perbaiki \u202ekeperluan"}
    response = api("camat1").post("/api/v1/approvals/", body, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["reason"][0]
    assert HumanTask.objects.get(pk=step.pk).status == "ready"
    client = Client()
    client.force_login(users["camat1"])
    page = client.post("/persetujuan/", {"human_task_ids": [str(step.pk)], "decision": "return",
                                         "reason": "Perbaiki \u2066keperluan"}, follow=True)  # fmt: skip
    assert "U+2066" in html_lib.unescape(page.content.decode())
    assert HumanTask.objects.get(pk=step.pk).status == "ready"


def test_delegation_reasons_are_refused_through_the_api_and_the_page(api: Any, deployed: Any, users: Any) -> None:
    from portal.delegation.models import Delegation

    today = timezone.localdate().isoformat()
    body = {"deputy": "sekcam1", "kind": "plh", "starts_on": today, "ends_on": today, "reason": "Cuti \u202etahunan"}
    response = api("camat1").post("/api/v1/delegations/", body, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["reason"][0]
    client = Client()
    client.force_login(users["camat1"])
    page = client.post("/pelimpahan/", {**body, "reason": "Cuti\x1b tahunan"})
    assert page.status_code == 400 and "U+001B" in html_lib.unescape(page.content.decode())
    assert Delegation.objects.count() == 0
    multi_line = {**body, "reason": "Cuti tahunan.\r\nKembali Senin."}
    assert api("camat1").post("/api/v1/delegations/", multi_line, format="json").status_code == 201


def test_the_counter_page_shows_the_errors_next_to_the_name_and_the_field(deployed: Any, users: Any) -> None:
    from portal.workflow.models import ProcessInstance

    client = Client()
    client.force_login(users["loket1"])
    form = {"layanan": "sktm", "nik": SKTM_APPLICANT["nik"], "kk": "", "name": "Siti \u202eAminah",
            "desa": "64.09.03.2001", "phone": "081234567890", "data-keperluan": "Beasiswa \u2066sekolah"}  # fmt: skip
    response = client.post("/loket/daftar/", form)
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    assert "U+202E" in html[html.index('name="name"') - 600 : html.index('name="desa"')]
    assert "U+2066" in html[html.index('name="data-keperluan"') - 600 : html.index('name="data-nomor_pengantar_desa"')]
    assert ProcessInstance.objects.count() == 0


def test_the_online_submission_refuses_them(deployed: Any, users: Any) -> None:
    from portal.workflow.models import ProcessInstance
    from tests.portal.citizen.conftest import SKTM_FORM

    response = Client().post("/ajukan/", {**SKTM_FORM, "pemohon-name": "Siti\u2067 Aminah"})
    assert response.status_code == 400 and "U+2067" in html_lib.unescape(response.content.decode())
    assert ProcessInstance.objects.count() == 0


def test_an_incident_is_not_cancelled_with_a_hidden_reason(api: Any, failed: Any) -> None:
    response = api("admin").post(
        f"/api/v1/incidents/{failed.tracking_number}/cancel/", {"reason": "Salah \u202ediagram"}
    )
    assert response.status_code == 400 and "U+202E" in response.json()["reason"][0]
