"""The shared layout: navigation by role, login and logout, the language switch."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.conftest import PASSWORD


def test_anonymous_visitors_get_the_public_home_with_public_links(client: Client, deployed: Any) -> None:
    html = client.get("/").content.decode()
    assert "Surat Keterangan Tidak Mampu" in html
    for link in ('href="/layanan/"', 'href="/lacak/"', 'href="/maklumat/"', 'href="/masuk/"'):
        assert link in html
    assert 'class="skip"' in html and 'lang="id"' in html


def test_login_errors_are_in_indonesian_and_reveal_nothing(client: Client, users: Any) -> None:
    page = client.get("/masuk/").content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    wrong = client.post("/masuk/", {"username": "loket1", "password": "salah"}).content.decode()
    unknown = client.post("/masuk/", {"username": "tidak-ada", "password": "salah"}).content.decode()
    assert "Nama pengguna atau kata sandi salah." in wrong
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub("", wrong) == csrf.sub("", unknown).replace("tidak-ada", "loket1")


def test_login_lands_each_role_on_its_home_and_logout_needs_a_post(client: Client, users: Any) -> None:
    from portal.web.navigation import home_for

    response = client.post("/masuk/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == home_for(users["admin"]) == "/admin/"
    assert client.get("/keluar/").status_code == 405
    assert client.post("/keluar/").status_code == 302
    assert client.get("/").status_code == 200


def test_the_menu_offers_only_pages_that_exist_for_the_roles_held(client: Client, users: Any) -> None:
    from django.urls import NoReverseMatch, reverse

    from portal.web.navigation import ENTRIES, entries_for

    for username in ("loket1", "kasi1", "camat1", "warga1", "auditor1", "admin"):
        for entry, url in entries_for(users[username]):
            assert reverse(entry.url_name) == url
    routed = []
    for entry in ENTRIES:
        try:
            routed.append(reverse(entry.url_name))
        except NoReverseMatch:
            continue
    assert "/lacak/" in routed and "/layanan/" in routed


def test_english_can_be_chosen(client: Client, db: Any) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()


def test_officers_are_not_offered_the_citizens_submission_page(users: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from portal.web.navigation import entries_for

    def names(user: Any) -> set[str]:
        return {entry.url_name for entry, _ in entries_for(user)}

    assert "citizen-submit" in names(AnonymousUser()) and "citizen-submit" in names(users["warga1"])
    assert "citizen-submit" not in names(users["kasi1"]) and "citizen-submit" not in names(users["loket1"])
    assert "worklist" in names(users["kasi1"]) and "approvals" in names(users["camat1"])
