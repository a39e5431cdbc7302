"""Quotas on stored documents: per request, per applicant (NIK) over a rolling period, and a daily
budget for what applicants upload themselves. Over a quota: a clear Indonesian error, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import SKTM_APPLICANT
from tests.portal.citizen.conftest import submit
from tests.portal.documents.samples import REQUESTS, SKTM_REQUEST, pdf_bytes, snapshot

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
PDF = pdf_bytes()
MB = 1024 * 1024


def _pdf(name: str = "ktp.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _counts() -> tuple[int, int]:
    from portal.documents.models import RequirementDocument
    from portal.workflow.models import ProcessInstance

    return ProcessInstance.objects.count(), RequirementDocument.objects.count()


def test_the_defaults_are_safe(settings: Any) -> None:
    assert (settings.PATEN_DOCUMENT_MAX_FILES_PER_REQUEST, settings.PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST) == (
        20,
        25 * MB,
    )
    assert (settings.PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT, settings.PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT) == (
        60,
        100 * MB,
    )
    assert settings.PATEN_DOCUMENT_APPLICANT_DAYS == 30 and settings.PATEN_UPLOAD_BYTES_PER_DAY == 50 * MB


def test_a_request_takes_a_bounded_number_of_files(
    settings: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    settings.PATEN_DOCUMENT_MAX_FILES_PER_REQUEST = 3
    for _ in range(3):
        assert upload("warga1", own_request["tn"], PDF).status_code == 201
    before = snapshot(media)
    refused = upload("warga1", own_request["tn"], PDF)
    assert refused.status_code == 400
    (message,) = refused.json()["file"]
    assert "sudah memuat 3 berkas" in message and "paling banyak 3 berkas" in message
    assert "Berkas tidak disimpan" in message
    assert snapshot(media) == before
    # the counter is held by it too: it is the request's storage
    assert upload("loket1", own_request["tn"], PDF).status_code == 400


def test_a_request_takes_a_bounded_total_size(
    settings: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    settings.PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST = 2 * len(PDF) + len(PDF) // 2
    for _ in range(2):
        assert upload("warga1", own_request["tn"], PDF).status_code == 201
    before = snapshot(media)
    refused = upload("warga1", own_request["tn"], PDF)
    assert refused.status_code == 400 and "Berkas tidak disimpan" in refused.json()["file"][0]
    assert snapshot(media) == before


def test_an_applicant_is_held_over_the_rolling_period_and_told_when_there_is_room(
    settings: Any, api: Any, users: Any, catalogue: None, media: Path
) -> None:
    from portal.documents.services import document_upload
    from portal.workflow.services.registration import request_register

    settings.PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT = 3
    loket = users["loket1"]
    body = {"service_code": "sktm", "data": SKTM_REQUEST["data"], "actor": loket}
    with time_machine.travel(T0, tick=False):
        first = request_register(applicant=SKTM_APPLICANT, **body)
        second = request_register(applicant=SKTM_APPLICANT, **body)
        other = request_register(applicant={**SKTM_APPLICANT, "nik": "6409034508900003"}, **body)
        for code in ("ktp", "kk"):
            document_upload(instance=first, requirement_code=code, uploaded_file=_pdf(), actor=loket)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        document_upload(instance=second, requirement_code="ktp", uploaded_file=_pdf(), actor=loket)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        before = snapshot(media)
        client = api("loket1")
        refused = client.post(
            f"{REQUESTS}{second.tracking_number}/documents/", {"requirement": "kk", "file": _pdf()}, format="multipart"
        )
        assert refused.status_code == 429
        # room again once the first two files are 30 days old
        assert int(refused["Retry-After"]) == 28 * 24 * 3600 + 1
        detail = refused.json()["detail"]
        assert "NIK ini" in detail and "3 berkas" in detail and "31 Desember 2026 pukul 09.00 WITA" in detail
        assert "30 hari" in detail and "Berkas tidak disimpan" in detail
        assert snapshot(media) == before
        other_response = client.post(
            f"{REQUESTS}{other.tracking_number}/documents/", {"requirement": "kk", "file": _pdf()}, format="multipart"
        )
        assert other_response.status_code == 201
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        document_upload(instance=second, requirement_code="kk", uploaded_file=_pdf(), actor=loket)


def test_a_citizens_account_has_a_daily_budget_and_the_counter_is_not_held_by_it(
    settings: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    settings.PATEN_UPLOAD_BYTES_PER_DAY = 2 * len(PDF) + len(PDF) // 2
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert upload("warga1", own_request["tn"], PDF).status_code == 201
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        before = snapshot(media)
        refused = upload("warga1", own_request["tn"], PDF)
        assert refused.status_code == 429 and int(refused["Retry-After"]) == 18 * 3600 + 1
        assert "Batas unggahan harian akun Anda" in refused.json()["detail"]
        assert snapshot(media) == before
        assert upload("loket1", own_request["tn"], PDF).status_code == 201
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert upload("warga1", own_request["tn"], PDF).status_code == 201


@pytest.fixture
def online(users: Any, catalogue: None, media: Path) -> None:
    """The online submission page, with sktm's requirements."""


def test_uploads_without_an_account_share_a_daily_budget_per_address(settings: Any, online: None, media: Path) -> None:
    settings.PATEN_UPLOAD_BYTES_PER_DAY = 2 * len(PDF) + len(PDF) // 2
    with time_machine.travel(T0, tick=False):
        sent = submit(Client(REMOTE_ADDR="10.7.7.7"), **{"dokumen-ktp": _pdf(), "dokumen-kk": _pdf("kk.pdf")})
        assert sent.status_code == 302, sent.content.decode()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        before, files = _counts(), snapshot(media)["files"]
        refused = submit(Client(REMOTE_ADDR="10.7.7.7"), **{"dokumen-ktp": _pdf()})
        assert refused.status_code == 429
        page = refused.content.decode()
        assert "Batas unggahan harian dari jaringan ini" in page and "2 Desember 2026 pukul 09.00 WITA" in page
        # nothing was registered or stored: not the request, not the file
        assert _counts() == before and snapshot(media)["files"] == files
        # a submission without files, and one from another address, go through
        assert submit(Client(REMOTE_ADDR="10.7.7.7")).status_code == 302
        assert submit(Client(REMOTE_ADDR="10.7.7.8"), **{"dokumen-ktp": _pdf()}).status_code == 302
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert submit(Client(REMOTE_ADDR="10.7.7.7"), **{"dokumen-ktp": _pdf()}).status_code == 302


def test_a_submission_with_more_than_a_request_may_hold_registers_nothing(
    settings: Any, online: None, media: Path
) -> None:
    settings.PATEN_DOCUMENT_MAX_FILES_PER_REQUEST = 2
    before = _counts()
    files = {f"dokumen-{code}": _pdf(f"{code}.pdf") for code in ("ktp", "kk", "pengantar_desa")}
    refused = submit(Client(), **files)
    assert refused.status_code == 400
    assert "paling banyak 2 berkas" in refused.content.decode()
    assert _counts() == before and snapshot(media)["files"] == []


def test_the_counter_registers_nothing_when_the_files_are_over_the_quota(
    settings: Any, users: Any, catalogue: None, media: Path
) -> None:
    from portal.documents.quotas import DocumentQuotaFull
    from portal.officework.services import counter_register

    settings.PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST = len(PDF) + 1
    before = _counts()
    with pytest.raises(DocumentQuotaFull):
        counter_register(
            service_code="sktm", applicant=SKTM_APPLICANT, data=SKTM_REQUEST["data"], actor=users["loket1"], items={},
            files={"ktp": _pdf(), "kk": _pdf("kk.pdf")},
        )  # fmt: skip
    assert _counts() == before and snapshot(media)["files"] == []


def test_a_returned_file_over_the_budget_stores_nothing_and_the_step_stays_open(
    settings: Any, online: None, api: Any, media: Path
) -> None:
    from portal.workflow.models import ProcessInstance
    from tests.portal.citizen.test_returned_and_letter import _open_steps, _return_file

    settings.PATEN_UPLOAD_BYTES_PER_DAY = 2 * len(PDF) + len(PDF) // 2
    client = Client(REMOTE_ADDR="10.8.8.8")
    assert submit(client, **{"dokumen-ktp": _pdf(), "dokumen-kk": _pdf("kk.pdf")}).status_code == 302
    client.get("/ajukan/terkirim/")
    tn = ProcessInstance.objects.get().tracking_number
    _return_file(api, tn)
    before = _counts(), snapshot(media)["files"]
    refused = client.post(
        f"/ajukan/{tn}/lengkapi/",
        {"data-keterangan_perbaikan": "Sudah diunggah.", "dokumen-pengantar_desa": _pdf("pengantar.pdf")},
    )
    assert refused.status_code == 429 and "Batas unggahan harian dari jaringan ini" in refused.content.decode()
    assert (_counts(), snapshot(media)["files"]) == before
    assert _open_steps(tn) == [("Task_LengkapiBerkas", "pemohon")]
