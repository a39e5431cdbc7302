"""The auditor's pages: a request's history (who, on whose behalf, when, data, waiting, seal), the
PDF for a complaint file, the checkpoints and verification runs; read-only, scoped, on record."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from portal.audit.checkpoints import checkpoint_issue
from portal.audit.services import verification_run
from tests.conftest import SKTM_APPLICANT, officer_of
from tests.portal.delegation.flow import sktm_at_signing


def _as(users: dict[str, Any], username: str) -> Client:
    client = Client()
    client.force_login(users[username] if username in users else officer_of(username, "auditor", office="sepaku"))
    return client


def test_the_history_says_who_when_what_and_how_long_and_where_it_stood(
    users: dict[str, Any], deployed: Any, key: str
) -> None:
    instance = sktm_at_signing(users).instance
    checkpoint_issue()

    page = _as(users, "auditor1").get(f"/audit/{instance.tracking_number}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"NIK {SKTM_APPLICANT['nik'][:6]}******{SKTM_APPLICANT['nik'][12:]}" in html  # masked where it is shown
    assert "[kasi]" in html and "Verifikasi data kesejahteraan" in html and "memenuhi" in html
    assert html.count('<span class="badge ok">tercakup</span>') == instance.last_event_seq  # every event proven
    stepper = json.loads(re.search(r'<script id="audit-stepper-data" type="application/json">(.*?)</script>',
                                   html, re.S)[1])  # fmt: skip
    positions = stepper["positions"]
    assert [p["seq"] for p in positions] == list(range(1, instance.last_event_seq + 1))
    assert positions[-1]["current"] == ["Task_TandatanganCamat"]
    assert "Task_VerifikasiData" in positions[-1]["done"] and positions[0]["done"] == []


def test_the_pdf_holds_the_history_and_who_printed_it(users: dict[str, Any], deployed: Any, key: str) -> None:
    instance = sktm_at_signing(users).instance

    response = _as(users, "auditor1").get(f"/audit/{instance.tracking_number}/riwayat.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert instance.tracking_number in text and "auditor1" in text and "Verifikasi data" in text


def test_checkpoints_and_runs_are_listed(users: dict[str, Any], deployed: Any, key: str) -> None:
    sktm_at_signing(users)
    checkpoint = checkpoint_issue()
    verification_run(trigger="auditor1")
    assert checkpoint is not None

    html = _as(users, "auditor1").get("/audit/titik-periksa/").content.decode()

    assert checkpoint.root_hash[:16] in html and "Tidak ada temuan" in html
    assert "paten.penajampaserutarakab.go.id/log+" in html  # the verifier key to keep


@pytest.mark.parametrize("path", ["/audit/{tn}/", "/audit/{tn}/riwayat.pdf", "/audit/titik-periksa/"])
def test_others_are_refused_and_another_kecamatan_s_request_is_not_found(
    users: dict[str, Any], deployed: Any, key: str, path: str
) -> None:
    instance = sktm_at_signing(users).instance  # a Babulu request
    url = path.format(tn=instance.tracking_number)

    assert _as(users, "loket1").get(url).status_code == 403
    sepaku = _as(users, "auditor_sepaku").get(url)
    assert sepaku.status_code == (200 if "titik-periksa" in url else 404)
    assert _as(users, "auditor1").get(url.replace(instance.tracking_number, "000000-NOPE")).status_code in (200, 404)


def test_a_checkpoint_downloads_and_the_log_is_verified_from_the_page(
    users: dict[str, Any], deployed: Any, key: str
) -> None:
    from portal.audit.checkpoints import checkpoint_read
    from portal.audit.models import VerificationRun

    sktm_at_signing(users)
    checkpoint = checkpoint_issue()
    assert checkpoint is not None
    client = _as(users, "auditor1")

    download = client.get(f"/audit/titik-periksa/{checkpoint.pk}.txt")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")
    assert checkpoint_read(download.content.decode()).size == checkpoint.size
    assert client.get("/audit/titik-periksa/999999.txt").status_code == 404

    done = client.post("/audit/titik-periksa/periksa/", follow=True)
    assert done.status_code == 200 and "tidak ada temuan" in done.content.decode()
    assert VerificationRun.objects.get().trigger == "auditor1"
    assert _as(users, "loket1").post("/audit/titik-periksa/periksa/").status_code == 403
    assert VerificationRun.objects.count() == 1
