"""What a review and a newcomer's try found, each shown mended."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT
from tests.portal.delegation.flow import STEPS, sktm_at_signing


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _at_paraf(users: dict[str, Any]) -> Any:
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"},
                                actor=users["loket1"])  # fmt: skip
    for username, bpmn_id, data in STEPS[:3]:
        step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status__in=OPEN_HUMAN_TASK)
        human_task_complete(human_task_id=step.pk, actor=users[username], data=data)
    return HumanTask.objects.get(instance=instance, bpmn_id="Task_ParafSekcam", status__in=OPEN_HUMAN_TASK)


def test_the_secretarys_initials_step_shows_the_draft_letter_and_the_verifiers_findings(
    deployed: Any, users: Any
) -> None:
    step = _at_paraf(users)
    page = _browser(users["sekcam1"]).get(f"/kerja/langkah/{step.pk}/").content.decode()
    assert "Draf surat" in page and "SURAT KETERANGAN TIDAK MAMPU (DRAF)" in page and "Siti Aminah" in page
    assert "Hasil verifikasi" in page and "Memenuhi syarat" in page and "Terdaftar dalam DTKS" in page


def test_a_deputys_signing_step_shows_the_draft_in_the_deputys_capacity(deployed: Any, users: Any, api: Any) -> None:
    step = sktm_at_signing(users)
    today = timezone.localdate().isoformat()
    body = {"deputy": "sekcam1", "kind": "an", "starts_on": today, "ends_on": today, "services": ["sktm"]}
    assert api("camat1").post("/api/v1/delegations/", body, format="json").status_code == 201
    page = _browser(users["sekcam1"]).get(f"/kerja/langkah/{step.pk}/").content.decode()
    assert "Draf surat" in page and "a.n. Camat Babulu" in page and "Hasil verifikasi" in page


def test_anyone_with_a_delegation_in_force_has_the_approvals_in_the_menu(deployed: Any, users: Any, api: Any) -> None:
    from portal.web.navigation import entries_for

    def menu() -> set[str]:
        return {entry.url_name for entry, _ in entries_for(users["kasi1"])}

    assert "approvals" not in menu()
    today = timezone.localdate().isoformat()
    body = {"deputy": "kasi1", "kind": "plh", "starts_on": today, "ends_on": today}
    assert api("camat1").post("/api/v1/delegations/", body, format="json").status_code == 201
    users["kasi1"].refresh_from_db()
    assert "approvals" in menu()
    assert _browser(users["kasi1"]).get("/persetujuan/").status_code == 200


def test_refusals_for_lack_of_authority_are_counted_from_the_counter_and_the_citizen_pages(
    deployed: Any, users: Any
) -> None:
    from portal.catalogue.models import RefusedRequest

    assert RefusedRequest.objects.count() == 0
    counter = _browser(users["loket1"]).get("/loket/daftar/", {"layanan": "imb-kecil"})
    assert counter.status_code == 200 and "tidak dapat diproses" in counter.content.decode()
    citizen = Client().get("/ajukan/", {"layanan": "iumk"})
    assert citizen.status_code == 200 and "tidak dapat diproses" in citizen.content.decode()
    assert sorted(RefusedRequest.objects.values_list("service__code", flat=True)) == ["imb-kecil", "iumk"]
    # Opening the same page again in the same visit is the same refusal, not another one.
    Client().get("/ajukan/", {"layanan": "iumk"})
    again = _browser(users["loket1"])
    again.get("/loket/daftar/", {"layanan": "imb-kecil"})
    again.get("/loket/daftar/", {"layanan": "imb-kecil"})
    assert RefusedRequest.objects.count() == 4


def test_the_designer_lands_on_the_services_and_their_versions(deployed: Any, users: Any) -> None:
    client = Client()
    client.force_login(users["perancang1"])
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == "/perancang/"
    page = landing.content.decode()
    assert "Surat Keterangan Tidak Mampu" in page and "Versi dipakai" in page and deployed["sktm"].sha256[:12] in page
    assert _browser(users["loket1"]).get("/perancang/").status_code == 403


def test_the_auditor_lands_on_a_search_that_opens_a_requests_event_log(deployed: Any, users: Any) -> None:
    step = sktm_at_signing(users, name="Rahmawati Dewi")
    client = Client()
    client.force_login(users["auditor1"])
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == "/audit/"
    found = client.get("/audit/", {"q": "rahmawati"}).content.decode()
    tn = step.instance.tracking_number
    assert f"/audit/{tn}/" in found
    log = client.get(f"/audit/{tn}/").content.decode()
    assert "Permohonan didaftarkan" in log and "Langkah diselesaikan" in log and "Utuh" in log
    assert _browser(users["kasi1"]).get(f"/audit/{tn}/").status_code == 403
    assert client.get("/audit/991231-TIDAKADA/").status_code == 404


def test_the_openapi_schema_describes_the_applicant(db: Any, tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    applicant = schema["components"]["schemas"]["RequestDetailOutput"]["properties"]["applicant"]
    ref = applicant.get("$ref") or applicant.get("allOf", [{}])[0].get("$ref", "")
    described = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert set(described) == {"nik", "kk", "name", "desa", "phone"}


def test_a_deploy_is_recorded_with_who_and_why(db: Any, tmp_path: Path) -> None:
    from portal.workflow.models import DefinitionEvent, ProcessDefinition

    source = (Path(__file__).resolve().parents[2] / "processes" / "legalisasi.bpmn").read_bytes()
    path = tmp_path / "legalisasi.bpmn"
    path.write_bytes(source)
    call_command("process_deploy", str(path), "--by", "perancang1", "--note", "versi awal", stdout=io.StringIO())
    first = DefinitionEvent.objects.get()
    assert first.type == "definition_deployed" and first.actor_username == "perancang1"
    assert first.payload["note"] == "versi awal" and first.payload["version"] == 1
    call_command("process_deploy", str(path), stdout=io.StringIO())  # unchanged: no new record
    path.write_bytes(source.replace(b"Tandatangani legalisasi", b"Tandatangani legalisasi (camat)"))
    call_command("process_deploy", str(path), stdout=io.StringIO())  # by the operating system user
    second = DefinitionEvent.objects.order_by("seq").last()
    assert second.seq == 2 and second.prev_hash == first.hash and second.payload["previous_version"] == 1
    assert second.actor_username and ProcessDefinition.objects.get(code="legalisasi", is_active=True).version == 2
    assert timezone.now() - second.at < timedelta(minutes=5)
