"""Hostile or malformed requests to the documents API never give 500; each gets the documented
status, and a refused command writes nothing (no file, row or event)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.portal.documents.samples import REQUESTS, image_bytes, media_files, pdf_bytes, snapshot

BAD_IDS = ["abc", "-1", "0", "01", "99999999999999999999", "1.5", "1e3", "0x1", "%20", "9223372036854775807", "999999"]


def _docs(tn: str) -> str:
    return f"{REQUESTS}{tn}/documents/"


def _multipart(client: Any, url: str, body: bytes, boundary: str = "batas") -> Any:
    return client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={boundary}")


def _part(name: str, value: bytes, *, filename: str | None = None, boundary: str = "batas") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
    if filename is not None:
        head += "Content-Type: application/pdf\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"


def _end(boundary: str = "batas") -> bytes:
    return f"--{boundary}--\r\n".encode()


# --- uploads ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"requirement": "ktp"}, {"file"}),
        ({"file": "pdf"}, {"requirement"}),
        ({}, {"requirement", "file"}),
        ({"requirement": "ktp", "file": "bukan berkas"}, {"file"}),
        ({"requirement": "", "file": "x"}, {"requirement", "file"}),
        ({"requirement": "r" * 10_000, "file": "pdf"}, {"requirement"}),
    ],
    ids=["no file", "no requirement", "nothing", "file as text", "blank requirement", "huge requirement"],
)
def test_missing_or_mistyped_multipart_fields_are_named(
    api: Any, own_request: dict[str, Any], media: Path, body: dict[str, Any], fields: set[str]
) -> None:
    if body.get("file") == "pdf":
        body["file"] = SimpleUploadedFile("ktp.pdf", pdf_bytes())
    before = snapshot(media)
    response = api("warga1").post(_docs(own_request["tn"]), body, format="multipart")
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert "This field" not in response.content.decode() and "submitted" not in response.content.decode()
    assert snapshot(media) == before


def test_a_requirement_sent_as_a_file_is_ignored_and_then_missing(
    api: Any, own_request: dict[str, Any], media: Path
) -> None:
    before = snapshot(media)
    body = {"requirement": SimpleUploadedFile("ktp", b"ktp"), "file": SimpleUploadedFile("ktp.pdf", pdf_bytes())}
    response = api("warga1").post(_docs(own_request["tn"]), body, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"requirement"}
    assert snapshot(media) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps({"requirement": "ktp", "file": "JVBERi0xLjcK"}), "application/json"),
        (json.dumps({"requirement": ["ktp"], "file": {"name": "ktp.pdf"}}), "application/json"),
        (json.dumps([1, 2]), "application/json"),
        ("requirement=ktp&file=JVBERi0xLjcK", "application/x-www-form-urlencoded"),
        ("%PDF-1.7 ...", "application/pdf"),
        ("file", "text/plain"),
        ("", "application/octet-stream"),
    ],
    ids=["json", "json wrong types", "json array", "form-encoded", "raw pdf body", "text", "empty octet-stream"],
)
def test_a_body_that_is_not_multipart_is_a_400_naming_the_file(
    api: Any, own_request: dict[str, Any], media: Path, body: str, content_type: str
) -> None:
    before = snapshot(media)
    response = api("warga1").generic("POST", _docs(own_request["tn"]), body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert snapshot(media) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'--batas\r\nContent-Disposition: form-data; name="file"\r\n\r\nxx', "multipart/form-data; boundary=batas"),
        (b"sama sekali bukan multipart", "multipart/form-data; boundary=batas"),
        (b"--batas--\r\n", "multipart/form-data"),
        (b"--batas--\r\n", "multipart/form-data; boundary="),
        (b"\xff\xfe\x00", "multipart/form-data; boundary=\xff"),
    ],
    ids=["unterminated", "no parts", "no boundary", "empty boundary", "binary boundary"],
)
def test_broken_multipart_is_a_400(
    api: Any, own_request: dict[str, Any], media: Path, body: bytes, content_type: str
) -> None:
    client = api("warga1")
    client.raise_request_exception = False
    before = snapshot(media)
    response = client.generic("POST", _docs(own_request["tn"]), body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert snapshot(media) == before


def test_only_the_first_file_part_is_read(api: Any, own_request: dict[str, Any], media: Path) -> None:
    first, second = pdf_bytes(), image_bytes("PNG")
    body = (
        _part("requirement", b"ktp")
        + _part("file", first, filename="satu.pdf")
        + _part("file", second, filename="dua.png")
        + _part("lampiran", b"MZ" * 100, filename="virus.exe")
        + _end()
    )
    response = _multipart(api("warga1"), _docs(own_request["tn"]), body)
    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == "satu.pdf" and response.json()["content_type"] == "application/pdf"
    assert [p.read_bytes() for p in media_files(media)] == [first]


@pytest.mark.parametrize(
    "filename",
    ["../../../../tmp/evil.pdf", "..\\..\\evil.pdf", "/etc/passwd", "C:\\Windows\\ktp.pdf", "%2e%2e%2fktp.pdf", ""],
)
def test_the_users_file_name_never_chooses_where_the_file_goes(
    api: Any, own_request: dict[str, Any], media: Path, filename: str
) -> None:
    from portal.documents.models import RequirementDocument

    body = _part("requirement", b"ktp") + _part("file", pdf_bytes(), filename=filename) + _end()
    response = _multipart(api("warga1"), _docs(own_request["tn"]), body)
    if filename == "":
        # A part without a file name is not a file: the file is missing.
        assert response.status_code == 400 and set(response.json()) == {"file"}
        return
    assert response.status_code == 201, response.content
    row = RequirementDocument.objects.get(pk=response.json()["id"])
    assert "/" not in row.original_name and "\\" not in row.original_name
    (stored,) = media_files(media)
    assert stored.parent.parent == media / "documents" and stored.suffix == ".pdf"


def test_an_upload_larger_than_the_limit_is_not_kept_in_memory_or_on_disk(
    api: Any, own_request: dict[str, Any], media: Path, settings: Any, monkeypatch: Any
) -> None:
    from portal.core import uploads

    # given a limit of 64 KB and a 3 MB upload, watched as the handler receives it
    settings.PATEN_DOCUMENT_MAX_BYTES = 64 * 1024
    kept: list[int] = []
    original = uploads.BoundedUploadHandler.file_complete

    def watch(self: Any, file_size: int) -> Any:
        kept.append(self.buffer.getbuffer().nbytes)
        return original(self, file_size)

    monkeypatch.setattr(uploads.BoundedUploadHandler, "file_complete", watch)
    before = snapshot(media)
    big = pdf_bytes() + b"\n" * (3 * 1024 * 1024)

    response = api("warga1").post(
        _docs(own_request["tn"]), {"requirement": "ktp", "file": SimpleUploadedFile("ktp.pdf", big)}, format="multipart"
    )

    # then it is refused as too large having buffered at most limit + 1 bytes
    assert response.status_code == 400
    assert response.json() == {"file": ["Ukuran berkas melebihi batas 64 KB."]}
    assert kept == [64 * 1024 + 1]
    assert snapshot(media) == before


def test_too_many_parts_are_refused(api: Any, own_request: dict[str, Any], media: Path) -> None:
    client = api("warga1")
    client.raise_request_exception = False
    before = snapshot(media)
    fields = b"".join(_part(f"f{i}", b"x") for i in range(1100)) + _end()
    files = b"".join(_part("file", b"x", filename=f"{i}.pdf") for i in range(120)) + _end()
    assert _multipart(client, _docs(own_request["tn"]), fields).status_code == 400
    assert _multipart(client, _docs(own_request["tn"]), files).status_code == 400
    assert snapshot(media) == before


# --- ids and tracking numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("document_id", BAD_IDS)
def test_bad_document_ids_are_404(
    api: Any, upload: Callable[..., Any], own_request: dict[str, Any], document_id: str
) -> None:
    upload("warga1", own_request["tn"], pdf_bytes())
    response = api("kasi1").get(f"{_docs(own_request['tn'])}{document_id}/")
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Tidak ditemukan."}


def test_a_document_id_has_one_spelling(api: Any, upload: Callable[..., Any], own_request: dict[str, Any]) -> None:
    document_id = str(upload("warga1", own_request["tn"], pdf_bytes()).json()["id"])
    arabic = "".join(chr(0x0660 + int(d)) for d in document_id)
    for alias in [f"+{document_id}", f"%20{document_id}", f"0{document_id}", arabic]:
        assert api("kasi1").get(f"{_docs(own_request['tn'])}{alias}/").status_code == 404, alias


@pytest.mark.parametrize(
    ("tn", "status"),
    [("x" * 5000, 404), ("%F0%9F%98%80", 404), ("..", 404), ("261128-ABCDEF%0A", 404), ("' OR 1=1 --", 404),
     ("%00", 400)],  # a NUL is refused before any view looks it up
)  # fmt: skip
def test_odd_tracking_numbers_find_nothing(api: Any, catalogue: None, media: Path, tn: str, status: int) -> None:
    client = api("loket1")
    assert client.get(_docs(tn)).status_code == status
    assert client.get(f"{_docs(tn)}1/").status_code == status
    checklist = client.post(f"{REQUESTS}{tn}/checklist/", {"items": {"ktp": "received"}}, format="json")
    assert checklist.status_code == status
    response = client.post(
        _docs(tn), {"requirement": "ktp", "file": SimpleUploadedFile("k.pdf", pdf_bytes())}, format="multipart"
    )
    assert response.status_code == status
    assert media_files(media) == []


# --- the checklist ---------------------------------------------------------------------------------------


CHECK_BODIES = {
    "items missing": ({"note": "x"}, "items"),
    "items empty": ({"items": {}}, "items"),
    "items list": ({"items": ["ktp"]}, "items"),
    "items string": ({"items": "ktp=received"}, "items"),
    "items null": ({"items": None}, "items"),
    "items number": ({"items": 1}, "items"),
    "unknown code": ({"items": {"surat_sakti": "received"}}, "items"),
    "code of another service": ({"items": {"foto_usaha": "received"}}, "items"),
    "bad status": ({"items": {"ktp": "lengkap"}}, "items"),
    "status unchecked": ({"items": {"ktp": "unchecked"}}, "items"),
    "status list": ({"items": {"ktp": ["received"]}}, "items"),
    "status null": ({"items": {"ktp": None}}, "items"),
    "status bool": ({"items": {"ktp": True}}, "items"),
    "status nested": ({"items": {"ktp": {"a": {"b": ["x" * 100_000]}}}}, "items"),
    "surrogate code": ({"items": {"\ud800": "received"}}, "items"),
    "huge code": ({"items": {"k" * 100_000: "received"}}, "items"),
    "many codes": ({"items": {f"kode_{i}": "received" for i in range(5000)}}, "items"),
    "one good one bad": ({"items": {"ktp": "received", "kk": "hilang"}}, "items"),
    "note too long": ({"items": {"ktp": "received"}, "note": "n" * 501}, "note"),
    "note number": ({"items": {"ktp": "received"}, "note": 5}, "note"),
    "note list": ({"items": {"ktp": "received"}, "note": ["a"]}, "note"),
    "note surrogate": ({"items": {"ktp": "received"}, "note": "a\ud800"}, "note"),
    "note nul": ({"items": {"ktp": "received"}, "note": "a\x00b"}, "detail"),  # refused by the JSON parser
}


@pytest.mark.parametrize("case", list(CHECK_BODIES))
def test_a_checklist_body_the_service_refuses(api: Any, own_request: dict[str, Any], media: Path, case: str) -> None:
    body, key = CHECK_BODIES[case]
    before = snapshot(media)
    response = api("loket1").generic(
        "POST", f"{REQUESTS}{own_request['tn']}/checklist/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert key in response.json(), response.json()
    assert len(response.content) < 10_000
    assert snapshot(media) == before


@pytest.mark.parametrize(
    "body",
    ['{"items": ', "[]", '"received"', "null", "5", "", '{"items": {"ktp": "received"}} x', "{'items': {}}"],
    ids=["truncated", "array", "string", "null", "number", "empty", "trailing", "single quotes"],
)
def test_a_checklist_body_that_is_not_an_object(api: Any, own_request: dict[str, Any], media: Path, body: str) -> None:
    before = snapshot(media)
    response = api("loket1").generic(
        "POST", f"{REQUESTS}{own_request['tn']}/checklist/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    assert snapshot(media) == before


def test_deeply_nested_json_is_a_400(api: Any, own_request: dict[str, Any], media: Path) -> None:
    client = api("loket1")
    client.raise_request_exception = False
    before = snapshot(media)
    body = '{"items": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for url in [f"{REQUESTS}{own_request['tn']}/checklist/", _docs(own_request["tn"])]:
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 400, url
    assert snapshot(media) == before


def test_a_form_encoded_checklist_is_refused(api: Any, own_request: dict[str, Any], media: Path) -> None:
    before = snapshot(media)
    response = api("loket1").post(f"{REQUESTS}{own_request['tn']}/checklist/", {"items": "ktp"})
    assert response.status_code == 400
    assert snapshot(media) == before


# --- who may call at all --------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "Token 0123456789abcdef", "Bearer x", "Token "])
def test_anonymous_or_bad_token_calls_are_401(
    upload: Callable[..., Any], own_request: dict[str, Any], media: Path, token: str | None
) -> None:
    document_id = upload("warga1", own_request["tn"], pdf_bytes()).json()["id"]
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=token)
    before = snapshot(media)
    tn = own_request["tn"]
    responses = [
        client.get(_docs(tn)),
        client.get(f"{_docs(tn)}{document_id}/"),
        client.post(_docs(tn), {"requirement": "ktp", "file": SimpleUploadedFile("k.pdf", pdf_bytes())}),
        client.post(f"{REQUESTS}{tn}/checklist/", {"items": {"ktp": "received"}}, format="json"),
    ]
    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert all(b"%PDF" not in r.content for r in responses)
    assert snapshot(media) == before


def test_methods_that_do_not_exist_are_405(api: Any, own_request: dict[str, Any]) -> None:
    client = api("loket1")
    tn = own_request["tn"]
    assert client.get(f"{REQUESTS}{tn}/checklist/").status_code == 405
    assert client.delete(_docs(tn)).status_code == 405
    assert client.put(f"{_docs(tn)}1/", {}, format="json").status_code == 405
    # The request itself is still served by the workflow app.
    assert client.get(f"{REQUESTS}{tn}/").status_code == 200
