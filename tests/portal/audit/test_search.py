"""The auditor's search finds a request by its number, the applicant's NIK or the start of any word of
the applicant's name, each an index lookup; it shows a bounded number of them, and the recent
requests page by keyset."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import SKTM_APPLICANT, officer_of

NAMES = ["Siti Nur Aminah", "Sitti Rahmawati", "Budi Santoso", "Aminah Sari", "Rudi Sitompul"]
FOUND = 'data-label="Nomor registrasi"><a href="/audit/'


@pytest.fixture
def registered(deployed: Any, users: dict[str, Any]) -> dict[str, Any]:
    """A request per name, registered at Babulu's counter, oldest first; and one at Sepaku's."""
    from portal.workflow.services.registration import request_register

    made = {}
    for n, name in enumerate(NAMES):
        made[name] = request_register(
            service_code="sktm", applicant={**SKTM_APPLICANT, "name": name, "nik": f"640903450890{n + 10:04d}"},
            data={"keperluan": "Beasiswa"}, actor=users["loket1"],
        )  # fmt: skip
    sepaku = {"nik": "6409044508900003", "name": "Siti Sepaku", "desa": "Tengin Baru", "phone": "081234567891"}
    made["sepaku"] = request_register(
        service_code="sktm", applicant=sepaku, data={"keperluan": "Beasiswa"}, actor=users["loket_sepaku"]
    )
    return made


def _auditor(users: dict[str, Any], username: str = "auditor1") -> Client:
    client = Client()
    client.force_login(users[username])
    return client


def _found(client: Client, query: str) -> list[str]:
    response = client.get("/audit/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    return [part.split("/", 1)[0] for part in html.split(FOUND)[1:]]


def test_a_name_is_found_by_the_start_of_any_of_its_words(registered: dict[str, Any], users: dict[str, Any]) -> None:
    client = _auditor(users)
    number = {name: registered[name].tracking_number for name in [*NAMES, "sepaku"]}
    newest_first = [number["Aminah Sari"], number["Siti Nur Aminah"]]
    assert _found(client, "amin") == newest_first
    assert _found(client, "AMINAH") == newest_first
    assert _found(client, "nur amin") == [number["Siti Nur Aminah"]]
    assert _found(client, "Sití") == [number["sepaku"], number["Siti Nur Aminah"]]  # accents and case aside
    assert _found(client, "mina") == []  # not the middle of a word
    assert _found(client, "s") == []  # one letter finds nothing


def test_a_request_is_found_by_its_number_in_any_case_and_by_the_nik(
    registered: dict[str, Any], users: dict[str, Any]
) -> None:
    client = _auditor(users)
    budi = registered["Budi Santoso"]
    assert _found(client, budi.tracking_number.lower()) == [budi.tracking_number]
    assert _found(client, budi.applicant_nik) == [budi.tracking_number]
    assert _found(client, budi.applicant_nik[:-1]) == []


def test_an_auditor_posted_to_an_office_finds_its_requests_only(
    registered: dict[str, Any], users: dict[str, Any]
) -> None:
    users["auditor_babulu"] = officer_of("auditor_babulu", "auditor", office="babulu")
    assert _found(_auditor(users, "auditor_babulu"), "siti") == [registered["Siti Nur Aminah"].tracking_number]


def test_a_search_shows_a_bounded_number_and_asks_for_more_of_the_name(
    registered: dict[str, Any], users: dict[str, Any], monkeypatch: Any
) -> None:
    from portal.audit import selectors

    monkeypatch.setattr(selectors, "SEARCH_MAX", 2)
    response = _auditor(users).get("/audit/", {"q": "si"})
    html = response.content.decode()
    assert html.count(FOUND) == 2 and "Lebih dari 2 permohonan cocok" in html


def test_the_recent_requests_page_newest_first(
    registered: dict[str, Any], users: dict[str, Any], monkeypatch: Any
) -> None:
    from portal.audit import selectors
    from portal.workflow.models import ProcessInstance

    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    client = _auditor(users)
    first = client.get("/audit/").content.decode()
    following = first.split('rel="next"')[0].rsplit('href="', 1)[1].rstrip('" ').replace("&amp;", "&")
    second = client.get("/audit/" + following).content.decode()
    shown = [part.split("/", 1)[0] for html in (first, second) for part in html.split(FOUND)[1:]]
    newest_first = ProcessInstance.objects.order_by("-created_at", "-id").values_list("tracking_number", flat=True)
    assert shown == list(newest_first)
    dash = "\u2013"
    assert f"1{dash}4 dari 6" in first and f"5{dash}6 dari 6" in second and 'rel="prev"' in second


def test_filters_narrow_by_service_village_officer_and_date(registered: dict[str, Any], users: dict[str, Any]) -> None:
    from django.utils import timezone

    from portal.directory.models import Village
    from portal.workflow.models import ProcessInstance
    from portal.workflow.services.registration import request_register

    sku = request_register(
        service_code="sku", applicant={**SKTM_APPLICANT, "name": "Wati Usaha", "desa": "Sebakung Jaya"},
        data={"nama_usaha": "Warung Wati", "jenis_usaha": "Warung makan", "alamat_usaha": "RT 03 Sebakung Jaya"},
        actor=users["loket1"],
    )  # fmt: skip
    today = timezone.localdate().isoformat()
    client = _auditor(users)

    def shown(**query: str) -> set[str]:
        html = client.get("/audit/", query).content.decode()
        return {tn for tn in ProcessInstance.objects.values_list("tracking_number", flat=True) if f">{tn}<" in html}

    babulu = {r.tracking_number for name, r in registered.items() if name != "sepaku"}
    assert shown(layanan="sku") == {sku.tracking_number}
    sebakung = Village.objects.get(name="Sebakung Jaya").code
    assert shown(desa=sebakung) == {sku.tracking_number}
    assert shown(petugas="loket_sepaku") == {registered["sepaku"].tracking_number}
    assert shown(dari=today, sampai=today, layanan="sktm") == babulu | {registered["sepaku"].tracking_number}
    assert shown(dari="2020-01-01", sampai="2020-12-31") == set()
    assert shown(q="Aminah", layanan="sku") == set()  # a search narrowed by the filters
    bad = client.get("/audit/", {"dari": "kemarin", "desa": "tidak-ada"})
    assert bad.status_code == 200 and "Semua desa" in bad.content.decode()
