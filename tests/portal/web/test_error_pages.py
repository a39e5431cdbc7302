"""Refusals and missing pages are explained in Indonesian, in the portal's layout."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_a_page_for_another_role_is_an_indonesian_403(client: Client, users: Any) -> None:
    client.force_login(users["kasi1"])
    for url in ("/persetujuan/", "/pelimpahan/"):
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert "Tidak diizinkan" in html and "Forbidden" not in html and 'href="/masuk/"' not in html


def test_an_unknown_page_is_an_indonesian_404(client: Client, db: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
