"""Public verification (page and API) shows the letter but not the applicant; copies are checked byte for byte."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader, PdfWriter

from .conftest import wita

APPLICANT_FACTS = ["Siti Aminah", "6409034508900002", "Babulu Darat", "081234567890", "Beasiswa"]


@pytest.fixture
def letter(templates: Any, register: Any, issue: Any) -> Any:
    return issue(register("sktm"), wita(2026, 11, 27, 10), signer="sekcam1", capacity="atas_nama")


@pytest.fixture
def pdf(letter: Any, letters_dir: Path) -> bytes:
    return (letters_dir / letter.file_path).read_bytes()


def _upload(client: Client, url: str, content: bytes) -> Any:
    return client.post(url, {"berkas": SimpleUploadedFile("surat.pdf", content, content_type="application/pdf")})


def _tampered_copies(pdf: bytes) -> dict[str, bytes]:
    flipped = bytearray(pdf)
    position = pdf.index(b"Siti Aminah") if b"Siti Aminah" in pdf else len(pdf) // 2
    flipped[position] ^= 0x01
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": "SURAT KETERANGAN TIDAK MAMPU (salinan)"})
    resaved = io.BytesIO()
    writer.write(resaved)
    return {"one byte flipped": bytes(flipped), "re-saved with a change": resaved.getvalue(), "appended": pdf + b"\n"}


def test_the_page_shows_the_letter_and_nothing_about_the_applicant(letter: Any) -> None:
    response = Client().get(f"/verifikasi/{letter.verification_token}/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in [
        "SURAT KETERANGAN TIDAK MAMPU", letter.number, "27 November 2026", "Sri Sekcam",
        "a.n. Camat Babulu / Sekretaris Kecamatan", "Atas nama Camat", letter.sha256,
    ]:  # fmt: skip
        assert shown in page, shown
    for hidden in [*APPLICANT_FACTS, letter.instance.tracking_number]:
        assert hidden not in page, hidden


def test_an_uploaded_copy_matches_only_when_unaltered(letter: Any, pdf: bytes) -> None:
    client = Client()
    url = f"/verifikasi/{letter.verification_token}/"
    accepted = _upload(client, url, pdf)
    assert accepted.status_code == 200
    assert "Dokumen cocok dengan yang diterbitkan" in accepted.content.decode()
    for how, copy in _tampered_copies(pdf).items():
        refused = _upload(client, url, copy)
        assert refused.status_code == 200
        body = refused.content.decode()
        assert "Dokumen TIDAK cocok" in body and "Dokumen cocok" not in body, how


def test_an_oversized_or_missing_upload_is_refused(letter: Any, settings: Any) -> None:
    client = Client()
    url = f"/verifikasi/{letter.verification_token}/"
    too_big = _upload(client, url, b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1))
    assert "Berkas terlalu besar; paling besar 5 MB." in too_big.content.decode()
    missing = client.post(url, {})
    assert "Pilih berkas PDF yang akan dicocokkan." in missing.content.decode()


def test_finding_a_letter_by_number(letter: Any, pdf: bytes) -> None:
    client = Client()
    found = client.get("/verifikasi/", {"nomor": f"  {letter.number.lower()} "})
    assert found.status_code == 200
    page = found.content.decode()
    assert letter.number in page and letter.sha256 in page and "Siti Aminah" not in page
    assert letter.verification_token not in page
    matched = client.post(
        f"/verifikasi/?nomor={letter.number}",
        {"berkas": SimpleUploadedFile("surat.pdf", pdf, content_type="application/pdf")},
    )
    assert "Dokumen cocok dengan yang diterbitkan" in matched.content.decode()

    made_up = client.get("/verifikasi/", {"nomor": "474/0999/KEC-BBL/XI/2026"})
    assert made_up.status_code == 404
    assert "Nomor surat tidak terdaftar" in made_up.content.decode()
    assert client.get("/verifikasi/").status_code == 200  # the search form


def test_an_unknown_token_is_a_404_in_indonesian(letter: Any) -> None:
    client = Client()
    for token in ["A" * 32, "x", letter.verification_token[:-1] + "~", letter.verification_token.upper()]:
        response = client.get(f"/verifikasi/{token}/")
        assert response.status_code == 404, token
        page = response.content.decode()
        assert "Surat tidak ditemukan" in page and "Tautan verifikasi tidak dikenal." in page, token
        assert letter.number not in page
    assert client.post(f"/verifikasi/{'A' * 32}/", {}).status_code == 404


# --- API -----------------------------------------------------------------------------------------


def test_the_api_verifies_a_letter_and_a_copy_without_login(letter: Any, pdf: bytes, api: Any) -> None:
    anonymous = api(None)
    url = f"/api/v1/letters/verify/{letter.verification_token}/"
    body = anonymous.get(url).json()
    assert body == {
        "valid": True, "title": "SURAT KETERANGAN TIDAK MAMPU", "number": letter.number, "issued_on": "2026-11-27",
        "signer_name": "Sri Sekcam", "signer_capacity": "atas_nama",
        "signature_lines": ["a.n. Camat Babulu", "Sekretaris Kecamatan"], "sha256": letter.sha256, "ready": True,
    }  # fmt: skip
    same = anonymous.post(url, {"file": SimpleUploadedFile("s.pdf", pdf)}, format="multipart")
    assert same.status_code == 200 and same.json()["valid"] is True
    assert same.json()["uploaded_sha256"] == letter.sha256
    for copy in _tampered_copies(pdf).values():
        other = anonymous.post(url, {"file": SimpleUploadedFile("s.pdf", copy)}, format="multipart")
        assert other.status_code == 200 and other.json()["valid"] is False
    assert anonymous.post(url, {}, format="multipart").status_code == 400
    unknown = anonymous.get(f"/api/v1/letters/verify/{'B' * 32}/")
    assert unknown.status_code == 404 and unknown.json()["valid"] is False
    # A logged-in user posting without a CSRF token is not refused either (no session auth here).
    assert api("loket1").get(url).json()["valid"] is True
    for response in [anonymous.get(url), same]:
        for fact in APPLICANT_FACTS:
            assert fact not in response.content.decode()


def test_the_pdf_is_for_officers_auditors_and_the_applicant_only(
    templates: Any, register: Any, issue: Any, api: Any, users: Any
) -> None:
    own = issue(register("sktm", actor="warga1"), wita(2026, 11, 27, 9))
    counter = issue(register("sktm"), wita(2026, 11, 27, 10))
    for username in ["loket1", "kasi1", "sekcam1", "camat1", "auditor1", "admin"]:
        response = api(username).get(f"/api/v1/letters/{counter.pk}/pdf/")
        assert response.status_code == 200, username
        assert response["Content-Type"] == "application/pdf"
        assert "474-0002-KEC-BBL-XI-2026.pdf" in response["Content-Disposition"]
        import hashlib

        assert hashlib.sha256(response.content).hexdigest() == counter.sha256
    assert api("warga1").get(f"/api/v1/letters/{own.pk}/pdf/").status_code == 200
    assert api("warga1").get(f"/api/v1/letters/{counter.pk}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 404
    assert api("perancang1").get(f"/api/v1/letters/{counter.pk}/pdf/").status_code == 404
    assert api("loket1").get("/api/v1/letters/999999/pdf/").status_code == 404
    assert api("loket1").get("/api/v1/letters/01/pdf/").status_code == 404
    assert api(None).get(f"/api/v1/letters/{counter.pk}/pdf/").status_code in (401, 403)


def test_a_changed_file_on_disk_is_not_served(letter: Any, letters_dir: Path, api: Any) -> None:
    path = letters_dir / letter.file_path
    path.write_bytes(path.read_bytes() + b"%")
    assert api("loket1").get(f"/api/v1/letters/{letter.pk}/pdf/").status_code == 500


def test_the_schema_documents_the_letter_endpoints(db: Any, tmp_path: Path, capsys: Any) -> None:
    import yaml
    from django.core.management import call_command

    # tests/portal/test_schema.py fails on any warning; this one checks the letter endpoints cause none.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    warnings = capsys.readouterr().err
    assert "letter" not in warnings.lower(), warnings
    paths = yaml.safe_load(target.read_text())["paths"]
    verify = paths["/api/v1/letters/verify/{token}/"]
    assert set(verify) >= {"get", "post"}
    assert "multipart/form-data" in verify["post"]["requestBody"]["content"]
    assert verify["get"].get("security", []) in ([], [{}])  # public: no authentication
    assert "application/pdf" in paths["/api/v1/letters/{letter_id}/pdf/"]["get"]["responses"]["200"]["content"]
