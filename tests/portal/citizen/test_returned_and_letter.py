"""A file returned to the applicant, corrected online; the letter downloaded; nobody else's request opens."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.portal.citizen.conftest import complete, run_to_completion, submit
from tests.portal.documents.samples import pdf_bytes

RETURN = {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "Surat pengantar desa belum dilampirkan."}


def _submitted(client: Client) -> Any:
    from portal.workflow.models import ProcessInstance

    assert submit(client).status_code == 302
    client.get("/ajukan/terkirim/")
    return ProcessInstance.objects.order_by("-id").first()


def _return_file(api: Any, tn: str) -> None:
    missing = api("loket1").post(
        f"/api/v1/requests/{tn}/checklist/", {"items": {"pengantar_desa": "missing"}}, format="json"
    )
    assert missing.status_code == 200, missing.content
    complete(api, "loket1", tn, "Task_PeriksaKelengkapan", RETURN)


def _open_steps(tn: str) -> list[tuple[str, str]]:
    from portal.workflow.models import HumanTask

    return list(
        HumanTask.objects.filter(instance__tracking_number=tn, status__in=["ready", "claimed"]).values_list(
            "bpmn_id", "role"
        )
    )


def test_an_anonymous_applicant_fixes_a_returned_file_and_the_counter_checks_again(ready: Any, api: Any) -> None:
    from portal.documents.models import RequirementDocument
    from portal.workflow.models import HumanTask, InstanceEvent

    client = Client()
    instance = _submitted(client)
    tn = instance.tracking_number
    _return_file(api, tn)
    page = client.get(f"/ajukan/{tn}/lengkapi/").content.decode()
    assert "Surat pengantar desa belum dilampirkan." in page and "(belum ada)" in page
    assert 'name="data-keterangan_perbaikan"' in page
    assert "Lengkapi berkas secara daring" in client.get(f"/lacak/{tn}/").content.decode()

    bad = client.post(f"/ajukan/{tn}/lengkapi/", {"data-keterangan_perbaikan": ""})
    assert bad.status_code == 400 and 'id="id_data-keterangan_perbaikan_errors"' in bad.content.decode()
    assert "Wajib diisi." in bad.content.decode()

    pengantar = SimpleUploadedFile("pengantar.pdf", pdf_bytes(), content_type="application/pdf")
    done = client.post(
        f"/ajukan/{tn}/lengkapi/",
        {"data-keterangan_perbaikan": "Surat pengantar desa sudah diunggah.", "dokumen-pengantar_desa": pengantar},
    )
    assert done.status_code == 302 and done["Location"] == f"/lacak/{tn}/"
    assert _open_steps(tn) == [("Task_PeriksaKelengkapan", "loket")]
    step = HumanTask.objects.get(instance__tracking_number=tn, bpmn_id="Task_LengkapiBerkas")
    assert step.completed_by_id is None and step.completed_data["keterangan_perbaikan"].startswith("Surat")
    event = InstanceEvent.objects.filter(instance__tracking_number=tn, type="human_task_completed").last()
    assert event is not None and event.payload["by"] == "applicant_tracking_pin" and event.actor_id is None
    assert RequirementDocument.objects.filter(instance__tracking_number=tn, requirement_code="pengantar_desa").exists()
    # Nothing more to fix now.
    assert "tidak sedang menunggu kelengkapan" in client.get(f"/ajukan/{tn}/lengkapi/").content.decode()


def test_the_owner_fixes_her_returned_file_as_herself(ready: Any, api: Any) -> None:
    from portal.workflow.models import HumanTask

    client = Client()
    client.force_login(ready["warga1"])
    instance = _submitted(client)
    tn = instance.tracking_number
    _return_file(api, tn)
    owner = Client()
    owner.force_login(ready["warga1"])  # a fresh browser: no tracking session, only her account
    assert "Lengkapi berkas" in owner.get("/permohonan-saya/").content.decode()
    done = owner.post(f"/ajukan/{tn}/lengkapi/", {"data-keterangan_perbaikan": "Sudah saya lengkapi."})
    assert done.status_code == 302
    step = HumanTask.objects.get(instance__tracking_number=tn, bpmn_id="Task_LengkapiBerkas")
    assert step.completed_by == ready["warga1"]
    assert _open_steps(tn) == [("Task_PeriksaKelengkapan", "loket")]


def test_another_applicants_request_is_404_on_every_route(ready: Any, api: Any, warga2: Any) -> None:
    owner = Client()
    owner.force_login(ready["warga1"])
    instance = _submitted(owner)
    tn = instance.tracking_number
    _return_file(api, tn)
    other = Client()
    other.force_login(warga2)
    anonymous = Client()
    routes = [
        f"/ajukan/{tn}/lengkapi/",
        f"/permohonan-saya/{tn}/surat/1/",
        f"/survei/{tn}/",
    ]
    for client in (other, anonymous):
        for url in routes:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"data-keterangan_perbaikan": "bukan milik saya"}).status_code in (404, 405), url
        assert tn not in client.get("/permohonan-saya/").content.decode()
    assert other.get(f"/permohonan-saya/{tn}/").status_code == 404
    body = {"tracking_number": tn, "answers": {f"U{i}": 4 for i in range(1, 10)}}
    assert api("warga2").post("/api/v1/survey/", body, format="json").status_code == 404
    assert api(None).post("/api/v1/survey/", body, format="json").status_code == 404
    assert _open_steps(tn) == [("Task_LengkapiBerkas", "pemohon")]
    for odd in ("x" * 5000, "../../etc", "%00", "ÄÖ"):
        assert anonymous.get(f"/ajukan/{odd}/lengkapi/").status_code in (400, 404)  # NUL: refused before routing


def test_the_letter_downloads_for_the_owner_and_the_tracking_session_only(ready: Any, api: Any, warga2: Any) -> None:
    from portal.letters.models import Letter

    applicant = Client()
    instance = _submitted(applicant)
    tn = instance.tracking_number
    run_to_completion(api, tn)
    letter = Letter.objects.get(instance=instance)
    if letter.rendered_at is None:
        from portal.letters.services import letter_render

        letter = letter_render(letter_id=letter.pk)
    url = f"/permohonan-saya/{tn}/surat/{letter.pk}/"
    status_page = applicant.get(f"/lacak/{tn}/").content.decode()
    assert url in status_page and f"/survei/{tn}/" in status_page
    pdf = applicant.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = Client()
    other.force_login(warga2)
    assert other.get(url).status_code == 404 and Client().get(url).status_code == 404
    assert applicant.get(f"/permohonan-saya/{tn}/surat/{letter.pk + 999}/").status_code == 404
