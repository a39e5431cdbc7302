"""Online submission (/ajukan/): without an account, with one, field errors, the rate limit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.portal.citizen.conftest import submit
from tests.portal.documents.samples import pdf_bytes


def _instances() -> int:
    from portal.workflow.models import ProcessInstance

    return ProcessInstance.objects.count()


def test_the_choice_lists_online_services_and_says_where_to_go_otherwise(ready: Any) -> None:
    from tests.conftest import authority_set

    authority_set("domisili", "not_available", office="Dinas Kependudukan dan Pencatatan Sipil")
    page = Client().get("/ajukan/").content.decode()
    assert 'href="/ajukan/?layanan=sktm"' in page
    assert "/ajukan/?layanan=domisili" not in page
    assert "Silakan mengajukan ke Dinas Kependudukan dan Pencatatan Sipil." in page
    refused = Client().get("/ajukan/?layanan=domisili").content.decode()
    assert "tidak dapat diproses di kecamatan karena" in refused and 'name="pemohon-nik"' not in refused
    assert "Silakan mengajukan ke Dinas Kependudukan dan Pencatatan Sipil." in refused


def test_an_anonymous_submission_shows_number_and_pin_once_and_lands_on_tracking(ready: Any) -> None:
    from portal.documents.models import RequirementDocument
    from portal.workflow.models import InstanceEvent, ProcessInstance
    from portal.workflow.pins import pin_matches

    client = Client()
    form_page = client.get("/ajukan/?layanan=sktm").content.decode()
    assert 'name="data-keperluan"' in form_page and 'name="dokumen-ktp"' in form_page
    ktp = SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf")
    response = submit(client, **{"dokumen-ktp": ktp})
    assert response.status_code == 302 and response["Location"] == "/ajukan/terkirim/"

    receipt = client.get("/ajukan/terkirim/").content.decode()
    instance = ProcessInstance.objects.get()
    pin = re.search(r'class="tracking-pin">([0-9]{6})<', receipt).group(1)  # type: ignore[union-attr]
    assert instance.tracking_number in receipt and pin_matches(pin, instance.access_pin_hash)
    assert pin not in str(dict(client.session))
    again = client.get("/ajukan/terkirim/")
    assert again.status_code == 302 and pin not in again.content.decode()

    status = client.get(f"/lacak/{instance.tracking_number}/")
    assert status.status_code == 200 and "Surat Keterangan Tidak Mampu" in status.content.decode()
    assert instance.applicant_user_id is None and instance.registered_by_id is None
    started = InstanceEvent.objects.get(instance=instance, type="instance_started")
    assert started.payload["channel"] == "online" and started.actor_id is None
    (document,) = RequirementDocument.objects.filter(instance=instance)
    assert document.requirement_code == "ktp" and document.uploaded_by_id is None


def test_a_logged_in_submission_is_prefilled_and_appears_in_my_requests(ready: Any) -> None:
    from portal.workflow.models import ProcessInstance

    client = Client()
    client.force_login(ready["warga1"])
    assert 'value="Siti Warga"' in client.get("/ajukan/?layanan=sktm").content.decode()
    assert submit(client).status_code == 302
    instance = ProcessInstance.objects.get()
    assert instance.applicant_user == ready["warga1"]
    page = client.get("/permohonan-saya/").content.decode()
    assert instance.tracking_number in page and "Surat Keterangan Tidak Mampu" in page
    assert "dihitung setelah berkas dinyatakan lengkap" in page
    opened = client.get(f"/permohonan-saya/{instance.tracking_number}/")
    assert opened["Location"] == f"/lacak/{instance.tracking_number}/"
    assert client.get(opened["Location"]).status_code == 200
    # Next time her last data is offered again.
    assert 'value="6409034508900002"' in client.get("/ajukan/?layanan=sktm").content.decode()


def test_field_errors_are_in_indonesian_next_to_fields_and_nothing_is_created(ready: Any) -> None:
    client = Client()
    response = submit(
        client,
        **{"pemohon-nik": "123", "pemohon-desa": "Atlantis", "data-keperluan": "", "data-jumlah_tanggungan": "banyak"},
        **{"dokumen-ktp": SimpleUploadedFile("ktp.pdf", b"not a pdf at all", content_type="application/pdf")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_pemohon-nik_errors"' in page and 'id="id_data-keperluan_errors"' in page
    assert 'id="id_dokumen-ktp_errors"' in page and 'id="id_pemohon-desa_errors"' in page
    assert "Wajib diisi." in page and "Jenis isian tidak sesuai." in page
    assert _instances() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"pemohon-name": "x" * 100_000},
        {"data-keperluan": "y" * 30_000},
        {"layanan": "tidak-ada" * 20},
        {"data-tidak_dikenal": "z", "pemohon-nik": "\u0663" * 16},
        {"data-jumlah_tanggungan": "1" * 40},
    ],
)
def test_odd_input_is_refused_without_a_500(ready: Any, changes: dict[str, Any]) -> None:
    response = submit(Client(), **changes)
    assert response.status_code in (200, 400)
    assert _instances() == 0


def test_anonymous_submissions_are_limited_per_address(ready: Any) -> None:
    from portal.core.throttle import SUBMISSION

    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(SUBMISSION.per_address):
        assert submit(client).status_code == 302
    refused = submit(client)
    assert refused.status_code == 429 and "Terlalu banyak permohonan" in refused.content.decode()
    assert _instances() == SUBMISSION.per_address
    assert submit(Client(REMOTE_ADDR="10.9.9.9")).status_code == 302  # another address
    logged_in = Client(REMOTE_ADDR="10.1.2.3")
    logged_in.force_login(ready["warga1"])
    assert submit(logged_in).status_code == 302  # her account is not limited by the address


def test_officers_do_not_submit_here_and_register_needs_the_online_channel(ready: Any) -> None:
    from portal.core.errors import NotAllowed
    from portal.workflow.services.registration import request_register
    from tests.conftest import SKTM_APPLICANT

    client = Client()
    client.force_login(ready["loket1"])
    assert client.get("/ajukan/").status_code == 403
    with pytest.raises(NotAllowed):
        request_register(service_code="sktm", applicant=dict(SKTM_APPLICANT), data={"keperluan": "Sekolah"}, actor=None)
    assert _instances() == 0
