"""One step (/kerja/langkah/<id>/): the request, its documents and history, and the step's form."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from tests.portal.documents.samples import image_bytes
from tests.portal.officework.conftest import complete_api, open_step

LENGKAP = {"hasil_pemeriksaan": "lengkap", "catatan": ""}


def field_block(html: str, name: str) -> str:
    """The markup of one field of the step form: from its wrapper to the next field's."""
    start = html.index(f'name="{name}"')
    begin = max(html.rfind('<fieldset class="field', 0, start), html.rfind('<div class="field', 0, start))
    marks = ('class="field', "</form>", '<p class="muted">')
    ends = [i for i in (html.find(mark, start) for mark in marks) if i != -1]
    return html[begin : min(ends)]


@pytest.fixture
def at_verification(register: Any, api: Any) -> Any:
    tn = register(data={"keperluan": "Beasiswa sekolah anak", "jumlah_tanggungan": 4})["tracking_number"]
    complete_api(api, "loket1", tn, "Task_PeriksaKelengkapan", LENGKAP)
    return open_step(tn, "Task_VerifikasiData")


def test_step_page_shows_the_request_history_and_the_form(browser: Any, at_verification: Any) -> None:
    response = browser("kasi1").get(f"/kerja/langkah/{at_verification.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    # The request, with the start form's labels.
    assert "Siti Aminah" in html and "6409034508900002" in html and "Babulu Darat" in html
    assert "Keperluan surat" in html and "Beasiswa sekolah anak" in html
    assert "Jumlah tanggungan keluarga" in html and ">4<" in html
    # History, with who did what (officers see people).
    assert "Permohonan didaftarkan" in html and "Periksa kelengkapan berkas" in html and "loket1" in html
    # The form: labels, required marks, yes/no radios for a required boolean, radios for a short enum.
    dtks = field_block(html, "terdaftar_dtks")
    assert "Terdaftar dalam DTKS" in dtks and 'aria-hidden="true">*</span>' in dtks
    assert 'type="radio" name="terdaftar_dtks" value="true"' in dtks
    assert 'type="radio" name="terdaftar_dtks" value="false"' in dtks and "Tidak" in dtks
    result = field_block(html, "hasil_verifikasi")
    assert "Memenuhi syarat" in result and "Tidak memenuhi syarat" in result and "*</span>" in result
    note = field_block(html, "catatan_verifikasi")
    assert "Catatan verifikasi" in note and "<textarea" in note and "*</span>" not in note
    assert 'maxlength="500"' in note


def test_wrong_data_shows_indonesian_errors_next_to_the_fields_and_changes_nothing(
    browser: Any, at_verification: Any
) -> None:
    from portal.workflow.models import InstanceEvent

    events_before = InstanceEvent.objects.filter(instance=at_verification.instance).count()
    response = browser("kasi1").post(
        f"/kerja/langkah/{at_verification.pk}/",
        {"hasil_verifikasi": "entah", "catatan_verifikasi": "x" * 501},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wajib diisi." in field_block(html, "terdaftar_dtks")
    assert "Pilihan tidak tersedia." in field_block(html, "hasil_verifikasi")
    assert "Paling banyak 500 karakter." in field_block(html, "catatan_verifikasi")
    assert "Wajib diisi." not in field_block(html, "catatan_verifikasi")
    at_verification.refresh_from_db()
    assert at_verification.status == "ready"
    assert InstanceEvent.objects.filter(instance=at_verification.instance).count() == events_before


def test_engine_errors_are_mapped_onto_the_form_fields(browser: Any, at_verification: Any, monkeypatch: Any) -> None:
    """If the engine refuses what the page accepted, its messages still land next to the fields."""
    from portal.core import forms

    monkeypatch.setattr(forms.ProcessForm, "engine_data", lambda self: {"hasil_verifikasi": "entah"})
    response = browser("kasi1").post(
        f"/kerja/langkah/{at_verification.pk}/", {"terdaftar_dtks": "true", "hasil_verifikasi": "memenuhi"}
    )
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    expected = "Pilihan tidak tersedia. Pilih salah satu: memenuhi, tidak_memenuhi."
    assert expected in field_block(html, "hasil_verifikasi")
    assert "Wajib diisi." in field_block(html, "terdaftar_dtks")
    at_verification.refresh_from_db()
    assert at_verification.status == "ready"


def test_completing_with_no_moves_the_request_on(browser: Any, at_verification: Any, users: Any) -> None:
    from portal.workflow.models import HumanTask

    kasi = browser("kasi1")
    response = kasi.post(
        f"/kerja/langkah/{at_verification.pk}/",
        {"terdaftar_dtks": "false", "hasil_verifikasi": "memenuhi", "catatan_verifikasi": ""},
    )
    assert response.status_code == 302 and response["Location"] == "/kerja/"
    at_verification.refresh_from_db()
    assert at_verification.status == "completed" and at_verification.completed_by == users["kasi1"]
    assert at_verification.completed_data == {
        "terdaftar_dtks": False, "hasil_verifikasi": "memenuhi", "catatan_verifikasi": "",
    }  # fmt: skip
    following = HumanTask.objects.get(instance=at_verification.instance, status="ready")
    assert following.bpmn_id == "Task_SusunDraf" and following.role == "kasi"
    page = kasi.get("/kerja/").content.decode()
    assert "Langkah Verifikasi data kesejahteraan untuk permohonan" in page and f'data-task="{following.pk}"' in page
    # Sending the same form again: a message, not a server error, nothing changed.
    again = browser("kasi1").post(
        f"/kerja/langkah/{at_verification.pk}/", {"terdaftar_dtks": "true", "hasil_verifikasi": "memenuhi"}, follow=True
    )
    assert again.status_code == 200 and "sudah diselesaikan" in again.content.decode()
    assert HumanTask.objects.filter(instance=at_verification.instance).count() == 3


@pytest.mark.parametrize("username", ["loket1", "sekcam1", "camat1"])
def test_an_officer_of_another_role_gets_403_on_open_claim_and_complete(
    browser: Any, at_verification: Any, username: str
) -> None:
    client = browser(username)
    url = f"/kerja/langkah/{at_verification.pk}/"
    for response in (
        client.get(url),
        client.post(url + "ambil/"),
        client.post(url + "lepas/"),
        client.post(url, {"terdaftar_dtks": "true", "hasil_verifikasi": "memenuhi"}),
    ):
        assert response.status_code == 403
        assert "Langkah ini untuk peran Kepala seksi." in response.content.decode()
    at_verification.refresh_from_db()
    assert at_verification.status == "ready" and at_verification.assignee is None


@pytest.mark.parametrize(
    "path",
    [
        "/kerja/langkah/abc/",
        "/kerja/langkah/99999999999999999999/",
        "/kerja/langkah/0/",
        "/kerja/langkah/007/",
        "/kerja/langkah/123456789/",
        "/kerja/langkah/-1/ambil/",
        "/kerja/langkah/%E2%80%8B1/",
    ],
)
def test_unknown_or_odd_step_ids_are_a_404_page(browser: Any, deployed: Any, path: str) -> None:
    response = browser("kasi1").get(path) if not path.endswith("ambil/") else browser("kasi1").post(path)
    assert response.status_code == 404
    assert "Langkah tidak ditemukan." in response.content.decode()


def test_huge_and_odd_values_in_a_step_form_are_errors_not_crashes(browser: Any, at_verification: Any) -> None:
    response = browser("kasi1").post(
        f"/kerja/langkah/{at_verification.pk}/",
        {"terdaftar_dtks": "maybe" * 10000, "hasil_verifikasi": "memenuhi\x00", "catatan_verifikasi": "y\x00" * 100_000,
         "unknown_field": "z"},
    )  # fmt: skip
    assert response.status_code == 400
    at_verification.refresh_from_db()
    assert at_verification.status == "ready"


def test_documents_are_listed_and_downloaded_by_officers_only(
    browser: Any, register: Any, users: Any, client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    tn = register()["tracking_number"]
    step = open_step(tn, "Task_PeriksaKelengkapan")
    loket = browser("loket1")
    png = image_bytes("PNG")
    uploaded = loket.post(
        f"/kerja/langkah/{step.pk}/unggah/",
        {"requirement": "ktp", "file": SimpleUploadedFile("ktp siti.png", png, content_type="image/png")},
        follow=True,
    )
    assert uploaded.status_code == 200 and "Berkas diunggah." in uploaded.content.decode()
    html = uploaded.content.decode()
    link = re.search(rf'href="(/kerja/permohonan/{tn}/dokumen/\d+/)"', html)
    assert link is not None
    download = loket.get(link.group(1))
    assert download.status_code == 200 and download.getvalue() == png
    assert download["Content-Type"] == "image/png" and "attachment" in download["Content-Disposition"]
    assert browser("kasi1").get(link.group(1)).status_code == 200
    assert browser("warga1").get(link.group(1)).status_code == 403
    assert client.get(link.group(1)).status_code == 302
    assert loket.get(f"/kerja/permohonan/{tn}/dokumen/99999/").status_code == 404
    assert loket.get(f"/kerja/permohonan/{tn}/dokumen/abc/").status_code == 404
    assert loket.get("/kerja/permohonan/NOPE/dokumen/1/").status_code == 404
    refused = loket.post(
        f"/kerja/langkah/{step.pk}/unggah/",
        {"requirement": "ktp", "file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
        follow=True,
    )
    assert "Berkas tidak diunggah" in refused.content.decode()


def test_the_hand_over_step_closes_the_request(browser: Any, register: Any, api: Any) -> None:
    tn = register()["tracking_number"]
    complete_api(api, "loket1", tn, "Task_PeriksaKelengkapan", LENGKAP)
    complete_api(api, "kasi1", tn, "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"})
    complete_api(api, "kasi1", tn, "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."})
    complete_api(api, "sekcam1", tn, "Task_ParafSekcam", {"hasil_paraf": "setuju"})
    complete_api(api, "camat1", tn, "Task_TandatanganCamat", {"keputusan": "setuju"})
    step = open_step(tn, "Task_PenyerahanSurat")
    client = browser("loket1")
    page = client.get(f"/kerja/langkah/{step.pk}/").content.decode()
    assert "Nomor surat" in page and 'type="date"' in page and "SURAT KETERANGAN TIDAK MAMPU" in page.upper()
    from portal.letters.models import Letter

    issued = Letter.objects.get(instance=step.instance).number
    # The number of the letter issued is filled in; the counter only checks it against the paper.
    assert f'value="{issued}"' in page
    bad = client.post(f"/kerja/langkah/{step.pk}/", {"nomor_surat": "474/1", "tanggal_penyerahan": "27-11-2026"})
    assert bad.status_code == 400
    other = client.post(
        f"/kerja/langkah/{step.pk}/",
        {"nomor_surat": "474/051/KEC-BBL/2026", "tanggal_penyerahan": "2026-11-27", "diterima_oleh": "Siti"},
    )
    assert other.status_code == 400 and issued in other.content.decode()
    step.refresh_from_db()
    assert step.status == "ready"
    done = client.post(
        f"/kerja/langkah/{step.pk}/",
        {"nomor_surat": issued, "tanggal_penyerahan": "2026-11-27", "diterima_oleh": "Siti"},
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    step.refresh_from_db()
    assert step.status == "completed" and step.completed_data["tanggal_penyerahan"] == "2026-11-27"
    assert step.instance.status == "completed"
    closed = client.get(f"/kerja/langkah/{step.pk}/")
    assert closed.status_code == 200 and "sudah diselesaikan" in closed.content.decode()
    assert 'name="nomor_surat"' not in closed.content.decode()
