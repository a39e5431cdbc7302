"""The counter's registration (/loket/daftar/), its receipt with the PIN, and the completeness check."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import SKTM_APPLICANT
from tests.portal.documents.samples import image_bytes, pdf_bytes
from tests.portal.officework.conftest import open_step

APPLICANT = {
    "nik": "6409034508900002",
    "kk": "",
    "name": "Siti Aminah",
    "desa": "64.09.03.2001",
    "phone": "0812 3456 7890",
}
PENGANTAR = "Surat pengantar keterangan tidak mampu dari Kepala Desa tempat tinggal pemohon"


def registration(**extra: Any) -> dict[str, Any]:
    return {"layanan": "sktm", **APPLICANT, "data-keperluan": "Beasiswa sekolah anak", **extra}


def test_the_counter_chooses_among_the_services_it_may_register(browser: Any, deployed: Any) -> None:
    from tests.conftest import authority_set

    authority_set("iumk", "not_available", office="DPMPTSP Kabupaten Penajam Paser Utara (OSS)")
    client = browser("loket1")
    html = client.get("/loket/daftar/").content.decode()
    assert '<option value="sktm">Surat Keterangan Tidak Mampu</option>' in html
    assert "DPMPTSP Kabupaten Penajam Paser Utara (OSS)" in html
    chosen = client.get("/loket/daftar/", {"layanan": "iumk"}).content.decode()
    assert 'role="alert"' in chosen and "tidak dapat diproses di Kecamatan Babulu" in chosen
    assert "Silakan mengajukan ke DPMPTSP" in chosen and 'name="nik"' not in chosen
    odd = client.get("/loket/daftar/", {"layanan": "x" * 10000})
    assert odd.status_code == 200 and "Layanan tidak dikenal" in odd.content.decode()
    form = client.get("/loket/daftar/", {"layanan": "sktm"}).content.decode()
    for name in ("nik", "kk", "name", "desa", "phone", "data-keperluan", "data-jumlah_tanggungan",
                 "cek-req_ktp", "berkas_ktp"):  # fmt: skip
        assert f'name="{name}"' in form, name
    assert "Keperluan surat" in form and "Babulu Darat" in form and 'enctype="multipart/form-data"' in form


def test_field_errors_are_shown_next_to_the_fields_and_nothing_is_registered(browser: Any, deployed: Any) -> None:
    from portal.workflow.models import ProcessInstance

    client = browser("loket1")
    response = client.post("/loket/daftar/", registration(nik="1234", desa="64.09.03.9999", **{"data-keperluan": ""}))
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    nik = html[html.index('name="nik"') : html.index('name="kk"')]
    assert "errorlist" in nik
    assert "Desa tidak dikenal." in html[html.index('name="desa"') : html.index('name="phone"')]
    assert "Wajib diisi." in html[html.index('name="data-keperluan"') : html.index('name="data-nomor_pengantar_desa"')]
    # An error only the service finds (the phone number) lands on its field too.
    service_side = client.post("/loket/daftar/", registration(phone="12"))
    assert service_side.status_code == 400
    page = html_lib.unescape(service_side.content.decode())
    assert "Nomor telepon tidak valid" in page[page.index('name="phone"') : page.index('name="phone"') + 600]
    assert "errorlist" not in page[page.index('name="nik"') : page.index('name="kk"')]
    huge = client.post("/loket/daftar/", registration(name="N" * 100_000, **{"data-keperluan": "k" * 100_000}))
    assert huge.status_code == 400
    assert ProcessInstance.objects.count() == 0


def test_register_receipt_pin_once_then_return_incomplete_and_the_applicant_sees_it(
    browser: Any, deployed: Any, client: Client
) -> None:
    from portal.documents.models import RequirementCheck, RequirementDocument
    from portal.workflow.models import HumanTask, ProcessInstance

    loket = browser("loket1")
    response = loket.post(
        "/loket/daftar/",
        registration(**{
            "data-jumlah_tanggungan": "3",
            "cek-req_ktp": "received",
            "cek-req_kk": "received",
            "berkas_ktp": SimpleUploadedFile("ktp.png", image_bytes("PNG"), content_type="image/png"),
            "berkas_kk": SimpleUploadedFile("kk.pdf", pdf_bytes(), content_type="application/pdf"),
        }),
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    instance = ProcessInstance.objects.get()
    assert response["Location"] == f"/loket/tanda-terima/{instance.tracking_number}/"
    assert instance.registered_by.username == "loket1" and instance.applicant_user is None
    assert instance.request_data["jumlah_tanggungan"] == 3 and instance.applicant_phone == "081234567890"
    assert set(RequirementDocument.objects.values_list("requirement_code", flat=True)) == {"ktp", "kk"}
    assert dict(RequirementCheck.objects.values_list("requirement_code", "status")) == {
        "ktp": "received", "kk": "received",
    }  # fmt: skip

    receipt = loket.get(response["Location"])
    assert receipt.status_code == 200 and receipt["Cache-Control"].startswith("max-age=0")
    html = receipt.content.decode()
    pin = re.search(r'<span class="pin" data-pin>(\d{6})</span>', html)
    assert pin is not None
    for text in (instance.tracking_number, "KECAMATAN BABULU", "Surat Keterangan Tidak Mampu", "Siti Aminah",
                 "dihitung setelah berkas dinyatakan lengkap", "/lacak/", "officework/officework.css"):  # fmt: skip
        assert text in html, text
    # The receipt's print layout lives in the stylesheet (no inline style under the CSP).
    from django.contrib.staticfiles import finders

    assert "@media print" in Path(str(finders.find("officework/officework.css"))).read_text()
    assert pin.group(1) not in str(ProcessInstance.objects.values_list().get())  # only its hash is stored
    again = loket.get(response["Location"]).content.decode()
    assert "data-pin" not in again and pin.group(1) not in again and instance.tracking_number in again

    # The completeness check: the village letter is missing, the file goes back to the applicant.
    step = open_step(instance.tracking_number, "Task_PeriksaKelengkapan")
    page = loket.get(f"/kerja/langkah/{step.pk}/").content.decode()
    assert 'name="cek-req_pengantar_desa"' in page and f'action="/kerja/langkah/{step.pk}/unggah/"' in page
    assert "ktp.png" in page
    done = loket.post(
        f"/kerja/langkah/{step.pk}/",
        {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "Minta surat pengantar ke kantor desa.",
         "cek-req_pengantar_desa": "missing", "cek-req_ktp": "received", "cek-req_kk": "received"},
    )  # fmt: skip
    assert done.status_code == 302, done.content.decode()[:3000]
    step.refresh_from_db()
    assert step.status == "completed" and step.completed_data["hasil_pemeriksaan"] == "tidak_lengkap"
    assert HumanTask.objects.get(instance=instance, status="ready").bpmn_id == "Task_LengkapiBerkas"
    assert RequirementCheck.objects.get(requirement_code="pengantar_desa").status == "missing"

    tracked = client.post("/lacak/", {"tracking_number": instance.tracking_number, "pin": pin.group(1)}, follow=True)
    assert tracked.status_code == 200
    status_page = html_lib.unescape(tracked.content.decode())
    assert PENGANTAR in status_page and "Minta surat pengantar ke kantor desa." in status_page


def test_completeness_step_refuses_wrong_checklist_values_and_changes_nothing(browser: Any, register: Any) -> None:
    from portal.documents.models import RequirementCheck

    step = open_step(register()["tracking_number"], "Task_PeriksaKelengkapan")
    response = browser("loket1").post(
        f"/kerja/langkah/{step.pk}/",
        {"hasil_pemeriksaan": "tidak_lengkap", "cek-req_ktp": "lost", "cek-req_kk": "missing"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pilihan tidak tersedia." in html[html.index('name="cek-req_ktp"') : html.index('name="cek-req_kk"')]
    step.refresh_from_db()
    assert step.status == "ready" and not RequirementCheck.objects.exists()


def test_the_receipt_is_for_officers_and_unknown_numbers_are_a_404(browser: Any, register: Any) -> None:
    tn = register()["tracking_number"]
    assert browser("kasi1").get(f"/loket/tanda-terima/{tn}/").status_code == 200
    assert browser("warga1").get(f"/loket/tanda-terima/{tn}/").status_code == 403
    assert browser("loket1").get("/loket/tanda-terima/TIDAK-ADA/").status_code == 404
    assert browser("loket1").get("/loket/tanda-terima/" + "9" * 300 + "/").status_code == 404


def test_the_counter_reissues_a_lost_pin_once_and_the_old_one_stops_working(
    client: Any, api: Any, users: Any, deployed: Any
) -> None:
    from portal.workflow.models import InstanceEvent, ProcessInstance
    from portal.workflow.pins import pin_matches

    registered = (
        api("loket1")
        .post(
            "/api/v1/requests/",
            {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Berobat"}},
            format="json",
        )
        .json()
    )
    tn, old_pin = registered["tracking_number"], registered["pin"]
    client.force_login(users["loket1"])
    receipt = client.get(f"/loket/tanda-terima/{tn}/").content.decode()
    assert "Terbitkan PIN baru" in receipt and old_pin not in receipt
    assert client.get(f"/loket/tanda-terima/{tn}/pin-baru/").status_code == 405
    response = client.post(f"/loket/tanda-terima/{tn}/pin-baru/")
    assert response.status_code == 302
    shown = client.get(f"/loket/tanda-terima/{tn}/").content.decode()
    new_pin = re.search(r"data-pin>(\d{6})<", shown)
    assert new_pin is not None
    instance = ProcessInstance.objects.get(tracking_number=tn)
    assert pin_matches(new_pin.group(1), instance.access_pin_hash)
    assert not pin_matches(old_pin, instance.access_pin_hash) or old_pin == new_pin.group(1)
    assert new_pin.group(1) not in client.get(f"/loket/tanda-terima/{tn}/").content.decode()  # once
    event = InstanceEvent.objects.get(instance=instance, type="pin_reissued")
    assert event.actor_username == "loket1" and event.payload == {}

    client.force_login(users["kasi1"])
    assert client.post(f"/loket/tanda-terima/{tn}/pin-baru/").status_code == 403
    client.force_login(users["loket1"])
    assert client.post("/loket/tanda-terima/261128-XXXXXX/pin-baru/").status_code == 404
