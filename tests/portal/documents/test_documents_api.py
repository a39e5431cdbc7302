"""Uploading requirement documents, who sees and downloads them, and the counter's checklist."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.portal.documents.samples import (
    MB,
    REQUESTS,
    bomb_png,
    fixture,
    image_bytes,
    media_files,
    pdf_bytes,
    png_claiming,
    register,
    snapshot,
)

OFFICERS = ["loket1", "kasi1", "sekcam1", "camat1"]


def _events(instance_id: int, type: str) -> list[dict[str, Any]]:
    from portal.workflow.models import InstanceEvent

    return list(
        InstanceEvent.objects.filter(instance_id=instance_id, type=type)
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def _chain_ok(instance_id: int) -> bool:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import ProcessInstance

    return chain_verify(ProcessInstance.objects.get(pk=instance_id)) == []


def _checklist(api: Any, username: str, tn: str) -> Any:
    return api(username).get(f"{REQUESTS}{tn}/documents/")


def _item(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in body["requirements"] if i["code"] == code)


# --- accepted files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "content_type", "extension"),
    [
        (pdf_bytes, "pengantar desa.PDF", "application/pdf", "pdf"),
        (lambda: image_bytes("JPEG", (640, 480)), "foto ktp.jpeg", "image/jpeg", "jpg"),
        (lambda: image_bytes("PNG", (300, 200)), "kk.png", "image/png", "png"),
        # The name (and the declared type) do not matter: the content does.
        (lambda: image_bytes("PNG"), "kk.pdf", "image/png", "png"),
    ],
    ids=["pdf", "jpeg", "png", "png-named-pdf"],
)
@pytest.mark.parametrize("username", ["loket1", "warga1"])
def test_valid_files_are_stored_outside_the_database_with_their_sha256(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path,
    make: Callable[[], bytes], name: str, content_type: str, extension: str, username: str,
) -> None:  # fmt: skip
    from portal.documents.models import RequirementDocument

    # given a valid file
    data = make()

    # when the counter, or the applicant herself, uploads it for a requirement of her request
    response = upload(username, own_request["tn"], data, name=name, requirement="kk")

    # then it is stored under a random name with the detected type's extension, bytes unchanged
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == content_type
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data)
    assert body["original_name"] == name
    row = RequirementDocument.objects.get(pk=body["id"])
    assert row.requirement_code == "kk" and row.uploaded_by.username == username
    (stored,) = media_files(media)
    assert stored == media / row.file_path
    assert stored.suffix == f".{extension}" and Path(name).stem not in stored.name
    assert stored.read_bytes() == data
    # and the upload is an event of the request's hash-chained log
    (payload,) = _events(own_request["id"], "document_uploaded")
    assert payload == {
        "document_id": row.pk, "requirement_code": "kk", "sha256": row.sha256,
        "size": len(data), "content_type": content_type,
    }  # fmt: skip
    assert _chain_ok(own_request["id"])


def test_the_checklist_lists_each_requirement_with_its_files(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any]
) -> None:
    tn = own_request["tn"]
    first = upload("warga1", tn, pdf_bytes(), name="ktp-depan.pdf").json()
    second = upload("loket1", tn, image_bytes("JPEG"), name="ktp-belakang.jpg").json()

    officer = _checklist(api, "kasi1", tn).json()
    citizen = _checklist(api, "warga1", tn).json()

    codes = [i["code"] for i in officer["requirements"]]
    assert codes[:4] == ["pengantar_desa", "ktp", "kk", "surat_pernyataan_tidak_mampu"]
    ktp = _item(officer, "ktp")
    assert ktp["name"] == "Fotokopi KTP-el pemohon" and ktp["required"] is True and ktp["status"] == "unchecked"
    assert [d["id"] for d in ktp["documents"]] == [first["id"], second["id"]]
    assert [d["uploaded_by"] for d in ktp["documents"]] == ["warga1", "loket1"]
    assert _item(officer, "kk")["documents"] == []
    assert officer["missing"] == [] and officer["tracking_number"] == tn
    # A citizen sees her files, not which officer handled them.
    assert [d["uploaded_by"] for d in _item(citizen, "ktp")["documents"]] == ["", ""]


def test_a_file_exactly_at_the_limit_is_judged_by_its_content_not_refused_as_too_large(
    upload: Callable[..., Any], own_request: dict[str, Any], settings: Any
) -> None:
    data = pdf_bytes()
    settings.PATEN_DOCUMENT_MAX_BYTES = len(data)
    assert upload("warga1", own_request["tn"], data).status_code == 201
    settings.PATEN_DOCUMENT_MAX_BYTES = len(data) - 1
    refused = upload("warga1", own_request["tn"], data)
    assert refused.status_code == 400
    assert "melebihi batas" in refused.json()["file"][0]


# --- refused files --------------------------------------------------------------------------------------


def _elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


REFUSED: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "exe renamed pdf": (lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 300, "ktp.pdf", "Berkas program"),
    "elf renamed jpg": (_elf, "foto.jpg", "Berkas program"),
    "shell script": (lambda: b"#!/bin/sh\nrm -rf /\n", "kk.pdf", "Berkas program"),
    "svg with script": (lambda: fixture("script.svg"), "ktp.png", "SVG"),
    "html page": (lambda: fixture("page.html"), "ktp.pdf", "HTML"),
    "html behind a bom": (lambda: fixture("utf8-bom.html"), "ktp.pdf", "HTML"),
    "zip": (lambda: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100, "ktp.pdf", "ZIP"),
    "docx": (lambda: b"PK\x03\x04" + b"[Content_Types].xml" + b"\x00" * 50, "surat.docx", "Office"),
    "gif": (lambda: image_bytes("GIF"), "ktp.gif", "Format gambar"),
    "bmp": (lambda: image_bytes("BMP"), "ktp.bmp", "Format gambar"),
    "heic": (lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "IMG_0001.HEIC", "HEIC"),
    "plain text": (lambda: b"Saya lampirkan KTP saya.", "ktp.txt", "tidak dikenali"),
    "empty": (lambda: b"", "ktp.pdf", "kosong"),
    "pdf header then garbage": (lambda: fixture("fake.pdf"), "ktp.pdf", "PDF rusak"),
    "pdf header then random bytes": (
        lambda: b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n",
        "ktp.pdf",
        "PDF rusak",
    ),
    "truncated pdf": (lambda: pdf_bytes(pages=3)[:-200], "ktp.pdf", "terpotong"),
    "encrypted pdf": (lambda: pdf_bytes(password="rahasia"), "ktp.pdf", "kata sandi"),
    "encrypted pdf, empty password": (lambda: pdf_bytes(password=""), "ktp.pdf", "kata sandi"),
    "pdf without pages": (lambda: pdf_bytes(pages=0), "ktp.pdf", "tidak berisi halaman"),
    "pdf header late": (lambda: b"\n\n%PDF-1.7\n" + pdf_bytes()[9:], "ktp.pdf", "tanda PDF"),
    "truncated png": (lambda: image_bytes("PNG", (400, 300))[:-30], "ktp.png", "rusak atau tidak lengkap"),
    "truncated jpeg": (lambda: image_bytes("JPEG", (400, 300))[:600], "ktp.jpg", "rusak atau tidak lengkap"),
    "png with a bad checksum": (
        lambda: (lambda b: b[:29] + bytes([b[29] ^ 0xFF]) + b[30:])(image_bytes("PNG")),
        "ktp.png",
        "rusak",
    ),
    "jpeg magic then html": (
        lambda: b"\xff\xd8\xff\xe0" + fixture("page.html"),
        "ktp.jpg",
        "rusak atau tidak lengkap",
    ),
    "bomb png (64 megapixels, decodable)": (bomb_png, "ktp.png", "megapiksel"),
    "bomb png (10 gigapixels claimed)": (lambda: png_claiming(100_000, 100_000), "ktp.png", "megapiksel"),
    "png claiming zero pixels": (lambda: png_claiming(0, 0), "ktp.png", "rusak"),
    "too large (5 MB + 1)": (lambda: b"%PDF-1.7\n" + b"0" * (5 * MB + 1 - 9), "ktp.pdf", "melebihi batas 5 MB"),
    "too large valid pdf": (
        lambda: (lambda p: p + b"\n" * (5 * MB + 1 - len(p)))(pdf_bytes()),
        "ktp.pdf",
        "melebihi batas 5 MB",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_files_change_nothing(
    upload: Callable[..., Any], own_request: dict[str, Any], media: Path, case: str
) -> None:
    # given a file that is not an acceptable document (whatever its name says)
    make, name, expected = REFUSED[case]
    before = snapshot(media)

    # when it is uploaded
    response = upload("warga1", own_request["tn"], make(), name=name, ctype="application/pdf")

    # then 400 with one clear Indonesian message for the file, and nothing written anywhere
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert list(body) == ["file"], body
    (message,) = body["file"]
    assert expected in message, message
    assert snapshot(media) == before
    assert media_files(media) == []


def test_an_unknown_requirement_code_is_refused(
    upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    before = snapshot(media)
    for code in ["surat_sakti", "KTP", "k tp", "pengantar-desa", "x" * 64, "ktp\u200b"]:
        response = upload("warga1", own_request["tn"], pdf_bytes(), requirement=code)
        assert response.status_code == 400, code
        assert response.json() == {"requirement": ["Persyaratan tidak dikenal untuk layanan ini."]}
    both = upload("warga1", own_request["tn"], b"MZ", requirement="surat_sakti")
    assert set(both.json()) == {"requirement", "file"}
    assert snapshot(media) == before


def test_a_failure_after_the_file_is_written_removes_it(
    own_request: dict[str, Any], media: Path, users: dict[str, Any], monkeypatch: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.documents import services
    from portal.workflow.models import ProcessInstance

    # given the event log refusing the append (as a database error would)
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(services.events, "document_uploaded", broken)
    instance = ProcessInstance.objects.get(pk=own_request["id"])
    before = snapshot(media)

    # when a valid file is uploaded
    with pytest.raises(RuntimeError):
        services.document_upload(
            instance=instance, requirement_code="ktp", actor=users["warga1"],
            uploaded_file=SimpleUploadedFile("ktp.pdf", pdf_bytes()),
        )  # fmt: skip

    # then neither the row nor the file remains
    assert snapshot(media) == before
    assert media_files(media) == []


def test_a_file_name_is_kept_only_as_a_cleaned_label(own_request: dict[str, Any], media: Path, users: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.documents.services import document_upload
    from portal.workflow.models import ProcessInstance

    instance = ProcessInstance.objects.get(pk=own_request["id"])
    names = {
        "..\\..\\windows\\system32\\ktp.pdf": "ktp.pdf",
        "../../etc/passwd": "passwd",
        "ktp\x00.exe\x07\u202egpj.pdf": "ktp.exegpj.pdf",
        ' "ktp" <b>:*?|.pdf': "ktp b.pdf",
        "...": "dokumen",
        "k" * 300 + ".pdf": "k" * 116 + ".pdf",
    }
    for raw, expected in names.items():
        document = document_upload(
            instance=instance, requirement_code="ktp", uploaded_file=SimpleUploadedFile(raw, pdf_bytes()),
            actor=users["warga1"],
        )  # fmt: skip
        assert document.original_name == expected, raw
        assert re.fullmatch(r"documents/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", document.file_path)
        assert (media / document.file_path).resolve().is_relative_to(media.resolve())


# --- who may see, download and upload ---------------------------------------------------------------------


@pytest.mark.parametrize("username", [*OFFICERS, "auditor1", "admin", "warga1"])
def test_officers_auditors_and_the_applicant_list_and_download(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], username: str
) -> None:
    data = image_bytes("JPEG")
    document = upload("warga1", own_request["tn"], data, name="foto ktp").json()

    listing = _checklist(api, username, own_request["tn"])
    download = api(username).get(f"{REQUESTS}{own_request['tn']}/documents/{document['id']}/")

    assert listing.status_code == 200
    assert [d["id"] for d in _item(listing.json(), "ktp")["documents"]] == [document["id"]]
    assert download.status_code == 200
    assert download.getvalue() == data
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="foto ktp.jpg"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]


def test_a_download_asked_for_as_pdf_is_served_and_errors_stay_json(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any]
) -> None:
    document = upload("warga1", own_request["tn"], pdf_bytes()).json()
    client = api("kasi1")
    ok = client.get(f"{REQUESTS}{own_request['tn']}/documents/{document['id']}/", HTTP_ACCEPT="application/pdf")
    missing = client.get(f"{REQUESTS}{own_request['tn']}/documents/999999/", HTTP_ACCEPT="application/pdf")
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert missing.status_code == 404 and missing.json() == {"detail": "Tidak ditemukan."}


@pytest.mark.parametrize("username", ["warga2", "perancang1"])
def test_anyone_else_gets_404_as_for_a_request_that_does_not_exist(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], warga2: Any, media: Path, username: str
) -> None:
    tn = own_request["tn"]
    document = upload("warga1", tn, pdf_bytes()).json()
    before = snapshot(media)

    calls = {
        "list": lambda t: api(username).get(f"{REQUESTS}{t}/documents/"),
        "download": lambda t: api(username).get(f"{REQUESTS}{t}/documents/{document['id']}/"),
        "upload": lambda t: upload(username, t, pdf_bytes()),
        "check": lambda t: api(username).post(
            f"{REQUESTS}{t}/checklist/", {"items": {"ktp": "received"}}, format="json"
        ),
    }
    for name, call in calls.items():
        theirs, nobody = call(tn), call("000000-XXXXXX")
        assert theirs.status_code == 404, name
        assert theirs.json() == nobody.json(), name
    assert snapshot(media) == before


def test_a_document_is_reached_only_through_its_own_request(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], counter_request: dict[str, Any]
) -> None:
    document = upload("warga1", own_request["tn"], pdf_bytes()).json()
    # An officer who may read both requests still cannot fetch it under the other one.
    assert api("kasi1").get(f"{REQUESTS}{counter_request['tn']}/documents/{document['id']}/").status_code == 404
    # The citizen does not see the walk-in request registered at the counter.
    assert _checklist(api, "warga1", counter_request["tn"]).status_code == 404


@pytest.mark.parametrize("username", ["kasi1", "sekcam1", "camat1", "auditor1", "admin"])
def test_only_the_counter_and_the_applicant_upload(
    upload: Callable[..., Any], own_request: dict[str, Any], media: Path, username: str
) -> None:
    before = snapshot(media)
    response = upload(username, own_request["tn"], pdf_bytes())
    assert response.status_code == 403, response.content
    assert "loket" in response.json()["detail"]
    assert snapshot(media) == before


def test_the_counter_uploads_for_a_walk_in_applicant(
    upload: Callable[..., Any], counter_request: dict[str, Any]
) -> None:
    assert upload("loket1", counter_request["tn"], pdf_bytes()).status_code == 201


def test_nothing_changes_once_the_request_is_finished(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    from portal.workflow.models import ProcessInstance

    document = upload("warga1", own_request["tn"], pdf_bytes()).json()
    ProcessInstance.objects.filter(pk=own_request["id"]).update(status="completed")
    before = snapshot(media)

    again = upload("warga1", own_request["tn"], pdf_bytes())
    check = api("loket1").post(
        f"{REQUESTS}{own_request['tn']}/checklist/", {"items": {"ktp": "received"}}, format="json"
    )

    assert (again.status_code, check.status_code) == (409, 409)
    assert "sudah selesai" in again.json()["detail"]
    assert snapshot(media) == before
    # Reading stays possible.
    assert api("warga1").get(f"{REQUESTS}{own_request['tn']}/documents/{document['id']}/").status_code == 200


def test_a_stored_file_that_changed_or_vanished_is_not_served(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], media: Path
) -> None:
    document = upload("warga1", own_request["tn"], pdf_bytes()).json()
    (stored,) = media_files(media)
    url = f"{REQUESTS}{own_request['tn']}/documents/{document['id']}/"

    stored.write_bytes(stored.read_bytes() + b"%tampered")
    changed = api("kasi1").get(url)
    stored.unlink()
    vanished = api("kasi1").get(url)

    assert changed.status_code == 409 and "berubah" in changed.json()["detail"]
    assert vanished.status_code == 409 and "tidak ditemukan" in vanished.json()["detail"]


# --- the counter's checklist ------------------------------------------------------------------------------


def _check(api: Any, username: str, tn: str, items: Any, note: Any = None) -> Any:
    body: dict[str, Any] = {"items": items}
    if note is not None:
        body["note"] = note
    return api(username).post(f"{REQUESTS}{tn}/checklist/", body, format="json")


def test_the_counter_marks_requirements_and_missing_lists_what_to_bring(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any]
) -> None:
    tn, instance_id = own_request["tn"], own_request["id"]
    upload("warga1", tn, pdf_bytes(), requirement="ktp")

    # when the counter marks the items
    response = _check(
        api, "loket1", tn,
        {"ktp": "received", "kk": "missing", "pengantar_desa": "missing", "kartu_bansos": "missing"},
        note="KK dan surat pengantar belum dibawa",
    )  # fmt: skip

    # then the checklist shows each status, and `missing` names only the required items missing
    assert response.status_code == 200, response.content
    body = response.json()
    statuses = {i["code"]: i["status"] for i in body["requirements"]}
    assert statuses == {
        "pengantar_desa": "missing", "ktp": "received", "kk": "missing", "surat_pernyataan_tidak_mampu": "unchecked",
        "kartu_bansos": "missing", "surat_keperluan": "unchecked",
    }  # fmt: skip
    assert body["missing"] == [
        "Surat pengantar keterangan tidak mampu dari Kepala Desa tempat tinggal pemohon",
        "Fotokopi Kartu Keluarga pemohon",
    ]
    assert _item(body, "kk")["note"] == "KK dan surat pengantar belum dibawa"
    # and the citizen reads the same list
    assert _checklist(api, "warga1", tn).json()["missing"] == body["missing"]

    (event,) = _events(instance_id, "requirements_checked")
    assert event["items"] == {
        "kartu_bansos": "missing",
        "kk": "missing",
        "ktp": "received",
        "pengantar_desa": "missing",
    }
    assert set(event["previous"].values()) == {None} and len(event["check_ids"]) == 4

    # when the missing items are brought and marked again, only the changes are recorded
    again = _check(
        api, "loket1", tn, {"kk": "received", "pengantar_desa": "received"}, note="KK dan surat pengantar belum dibawa"
    )
    assert again.json()["missing"] == []
    second = _events(instance_id, "requirements_checked")[1]
    assert second["items"] == {"kk": "received", "pengantar_desa": "received"}
    assert second["previous"] == {"kk": "missing", "pengantar_desa": "missing"}

    # and sending the same again records nothing
    count = len(_events(instance_id, "requirements_checked"))
    _check(api, "loket1", tn, {"kk": "received"}, note="KK dan surat pengantar belum dibawa")
    assert len(_events(instance_id, "requirements_checked")) == count
    assert _chain_ok(instance_id)


def test_the_checks_are_one_row_per_requirement_updated_in_place(api: Any, own_request: dict[str, Any]) -> None:
    from portal.documents.models import RequirementCheck

    tn = own_request["tn"]
    _check(api, "loket1", tn, {"kk": "missing"})
    _check(api, "loket1", tn, {"kk": "received"}, note="sudah")
    row = RequirementCheck.objects.get(instance_id=own_request["id"], requirement_code="kk")
    assert (row.status, row.note, row.checked_by.username) == ("received", "sudah", "loket1")
    assert RequirementCheck.objects.filter(instance_id=own_request["id"]).count() == 1


@pytest.mark.parametrize("username", ["kasi1", "sekcam1", "camat1", "auditor1", "admin", "warga1"])
def test_only_the_counter_checks_the_checklist(
    api: Any, own_request: dict[str, Any], media: Path, username: str
) -> None:
    before = snapshot(media)
    response = _check(api, username, own_request["tn"], {"ktp": "received"})
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "Hanya petugas loket yang dapat memeriksa kelengkapan persyaratan."}
    assert snapshot(media) == before


def test_selectors_for_the_request_page(api: Any, upload: Callable[..., Any], own_request: dict[str, Any]) -> None:
    from portal.documents.selectors import checklist_for, missing_requirements
    from portal.workflow.models import ProcessInstance

    instance = ProcessInstance.objects.get(pk=own_request["id"])
    assert missing_requirements(instance) == []
    assert {i["status"] for i in checklist_for(instance)} == {"unchecked"}

    upload("warga1", own_request["tn"], image_bytes("PNG"), requirement="kk")
    _check(api, "loket1", own_request["tn"], {"ktp": "missing", "surat_keperluan": "missing", "kk": "received"})

    items = {i["code"]: i for i in checklist_for(instance)}
    assert items["kk"]["status"] == "received" and items["kk"]["documents"][0]["content_type"] == "image/png"
    assert missing_requirements(instance) == ["Fotokopi KTP-el pemohon"]


def test_files_under_a_code_the_standard_no_longer_lists_stay_visible(
    upload: Callable[..., Any], own_request: dict[str, Any]
) -> None:
    from portal.catalogue.models import ServiceStandard
    from portal.documents.selectors import checklist_for
    from portal.workflow.models import ProcessInstance

    upload("warga1", own_request["tn"], pdf_bytes(), requirement="kartu_bansos")
    standard = ServiceStandard.objects.get(service__code="sktm", is_current=True)
    standard.content["requirements"] = [r for r in standard.content["requirements"] if r["code"] != "kartu_bansos"]
    standard.save()

    items = checklist_for(ProcessInstance.objects.get(pk=own_request["id"]))
    assert items[-1]["code"] == "kartu_bansos" and items[-1]["required"] is False
    assert len(items[-1]["documents"]) == 1


def test_uploads_and_checks_by_several_people_keep_the_hash_chain(
    api: Any, upload: Callable[..., Any], catalogue: None, media: Path
) -> None:
    from portal.workflow.models import InstanceEvent

    own = register(api, "warga1")
    tn = own["tn"]
    upload("warga1", tn, pdf_bytes(), requirement="ktp")
    _check(api, "loket1", tn, {"ktp": "received", "kk": "missing"})
    upload("loket1", tn, image_bytes("JPEG"), requirement="kk")
    # a workflow command in between (claiming and releasing the counter's step) shares the same log
    task = api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"][0]
    assert api("loket1").post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    assert api("loket1").post(f"/api/v1/tasks/{task['id']}/release/").status_code == 200
    _check(api, "loket1", tn, {"kk": "received"})

    types = list(InstanceEvent.objects.filter(instance_id=own["id"]).order_by("seq").values_list("type", flat=True))
    assert types.count("document_uploaded") == 2 and types.count("requirements_checked") == 2
    assert _chain_ok(own["id"])
