"""The public catalogue read for one kecamatan: each office may offer a service under its own
authority row, and a citizen choosing her kecamatan sees that row (the regency's elsewhere)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.test import Client


def sepaku_cannot_serve_sktm() -> None:
    from portal.catalogue.enums import AuthorityStatus
    from portal.catalogue.models import AuthorityRule, Service
    from portal.directory.models import Office

    AuthorityRule.objects.create(
        service=Service.objects.get(code="sktm"), kecamatan=Office.objects.get(slug="sepaku"),
        status=AuthorityStatus.NOT_AVAILABLE, office="Dinas Sosial", note="Ajukan langsung ke Dinas Sosial.",
        in_force_from=date(2020, 1, 1),
    )  # fmt: skip


def sktm_row(html: str) -> str:
    found = re.search(r'<tr>\s*<td><a href="/layanan/sktm/[^"]*">.*?</tr>', html, re.S)
    assert found, html
    return found.group(0)


def test_a_kecamatan_s_own_authority_row_shows_for_that_kecamatan_only(deployed: Any) -> None:
    sepaku_cannot_serve_sktm()
    client = Client()

    regency = client.get("/layanan/")
    sepaku = client.get("/layanan/?kecamatan=sepaku")
    babulu = client.get("/layanan/?kecamatan=babulu")
    assert regency.status_code == sepaku.status_code == babulu.status_code == 200
    assert "not_available" not in sktm_row(regency.content.decode())
    assert "not_available" not in sktm_row(babulu.content.decode())
    sepaku_html = sepaku.content.decode()
    assert "not_available" in sktm_row(sepaku_html)
    assert "Daftar layanan PATEN Kecamatan Sepaku" in sepaku_html
    assert 'href="/layanan/sktm/?kecamatan=sepaku"' in sepaku_html  # the choice follows the reader
    assert re.search(r'href="/layanan/\?kecamatan=sepaku" aria-current="page"', sepaku_html)

    detail = client.get("/layanan/sktm/?kecamatan=sepaku").content.decode()
    assert "Layanan ini tidak dapat diproses di kecamatan." in detail and "Dinas Sosial" in detail
    assert "Kecamatan Sepaku" in detail
    assert "Layanan ini tidak dapat diproses" not in client.get("/layanan/sktm/?kecamatan=babulu").content.decode()


def test_the_api_answers_for_a_kecamatan_as_the_pages_do(deployed: Any) -> None:
    sepaku_cannot_serve_sktm()
    client = Client()

    listed = {s["code"]: s for s in client.get("/api/v1/services/", {"kecamatan": "sepaku"}).json()}
    assert listed["sktm"]["authority"]["status"] == "not_available" and listed["sktm"]["online"] is False
    assert listed["sktm"]["kecamatan"] == "sepaku"
    regency = {s["code"]: s for s in client.get("/api/v1/services/").json()}
    assert regency["sktm"]["authority"]["status"] != "not_available" and regency["sktm"]["kecamatan"] == ""
    by_code = client.get("/api/v1/services/sktm/", {"kecamatan": "64.09.03"}).json()  # Babulu by its code
    assert by_code["kecamatan"] == "babulu" and by_code["authority"]["status"] != "not_available"
    detail = client.get("/api/v1/services/sktm/", {"kecamatan": "sepaku"}).json()
    assert detail["authority"]["office"] == "Dinas Sosial" and detail["steps"]


def test_an_unknown_kecamatan_is_not_found(deployed: Any) -> None:
    client = Client()
    for path in ("/layanan/?kecamatan=atlantis", "/layanan/sktm/?kecamatan=atlantis", "/layanan/?kecamatan=x" * 40):
        assert client.get(path).status_code == 404
    for path in ("/api/v1/services/", "/api/v1/services/sktm/"):
        answer = client.get(path, {"kecamatan": "atlantis"})
        assert answer.status_code == 404 and answer.json()["detail"] == "Kecamatan tidak ditemukan."
