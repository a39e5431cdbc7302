"""The worklist (/kerja/): my roles' ready steps, in order, filtered, claimed and released."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import officer_of, step_due_set
from tests.portal.officework.conftest import complete_api, open_step

LENGKAP = {"hasil_pemeriksaan": "lengkap", "catatan": ""}


def task_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-task="(\d+)"', html)]


def test_worklist_shows_only_the_steps_of_my_roles(browser: Any, register: Any, api: Any) -> None:
    first, second = register()["tracking_number"], register()["tracking_number"]
    complete_api(api, "loket1", first, "Task_PeriksaKelengkapan", LENGKAP)
    loket = browser("loket1").get("/kerja/")
    kasi = browser("kasi1").get("/kerja/")
    assert loket.status_code == kasi.status_code == 200
    loket_html, kasi_html = loket.content.decode(), kasi.content.decode()
    assert task_ids(loket_html) == [open_step(second, "Task_PeriksaKelengkapan").pk]
    assert task_ids(kasi_html) == [open_step(first, "Task_VerifikasiData").pk]
    assert second in loket_html and "Periksa kelengkapan berkas" in loket_html and "Siti Aminah" in loket_html
    assert "Babulu Darat" in loket_html and "Surat Keterangan Tidak Mampu" in loket_html
    assert first not in loket_html
    assert 'class="cards worklist"' in loket_html and 'data-label="Nomor registrasi"' in loket_html
    assert task_ids(browser("sekcam1").get("/kerja/").content.decode()) == []


def test_worklist_puts_mine_first_then_overdue_then_oldest(browser: Any, register: Any, users: Any) -> None:
    from portal.workflow.services.human_tasks import human_task_claim

    numbers = [register()["tracking_number"] for _ in range(4)]
    oldest, overdue, mine, newest = (open_step(n, "Task_PeriksaKelengkapan") for n in numbers)
    step_due_set(overdue, timezone.now() - timedelta(hours=1))
    human_task_claim(human_task_id=mine.pk, actor=users["loket1"])

    html = browser("loket1").get("/kerja/").content.decode()
    assert task_ids(html) == [mine.pk, overdue.pk, oldest.pk, newest.pk]
    assert html.count('class="badge overdue"') == 1 and "Terlambat" in html
    assert "WITA" in html
    assert re.search(r"kurang dari 1 menit|\d+ menit", html)


def test_worklist_filters_by_status_service_and_village(browser: Any, register: Any, users: Any) -> None:
    from portal.workflow.services.human_tasks import human_task_claim

    a = open_step(register()["tracking_number"], "Task_PeriksaKelengkapan")
    b = open_step(register(desa="Rawa Mulia")["tracking_number"], "Task_PeriksaKelengkapan")
    human_task_claim(human_task_id=b.pk, actor=users["loket1"])
    step_due_set(a, timezone.now() - timedelta(minutes=5))
    client = browser("loket1")

    def ids(**params: str) -> list[int]:
        response = client.get("/kerja/", params)
        assert response.status_code == 200
        return task_ids(response.content.decode())

    assert ids(status="milik-saya") == [b.pk]
    assert ids(status="belum-diambil") == [a.pk]
    assert ids(status="terlambat") == [a.pk]
    assert ids(status="semua") == [b.pk, a.pk]
    assert ids(layanan="sktm") == [b.pk, a.pk]
    assert ids(layanan="sku") == []
    rawa = b.instance.applicant_village.code
    assert ids(desa=rawa) == [b.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "entah"},
        {"layanan": "tidak-ada"},
        {"desa": "x" * 5000},
        {"halaman": "abc"},
        {"halaman": "99999999999999999999999"},
        {"status": ["milik-saya", "zzz"]},
        {"layanan": "' OR 1=1 --", "desa": "<script>"},
    ],
)
def test_bad_filter_values_are_ignored_never_a_server_error(browser: Any, register: Any, params: Any) -> None:
    step = open_step(register()["tracking_number"], "Task_PeriksaKelengkapan")
    response = browser("loket1").get("/kerja/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert task_ids(html) == [step.pk]
    assert "<script>" not in html


def test_claim_and_release_through_the_page(browser: Any, register: Any, users: Any) -> None:
    step = open_step(register()["tracking_number"], "Task_PeriksaKelengkapan")
    client = browser("loket1")
    response = client.post(f"/kerja/langkah/{step.pk}/ambil/", {"next": "/kerja/?status=milik-saya"})
    assert response.status_code == 302 and response["Location"] == "/kerja/?status=milik-saya"
    step.refresh_from_db()
    assert step.assignee == users["loket1"] and step.status == "claimed"
    html = client.get("/kerja/").content.decode()
    assert "Langkah diambil" in html and f'action="/kerja/langkah/{step.pk}/lepas/"' in html

    released = client.post(f"/kerja/langkah/{step.pk}/lepas/", {"next": "https://evil.example/"})
    assert released.status_code == 302 and released["Location"] == "/kerja/"  # no open redirect
    step.refresh_from_db()
    assert step.assignee is None and step.status == "ready"


def test_claiming_a_step_another_officer_holds_is_a_message(browser: Any, register: Any, users: Any) -> None:

    from portal.workflow.services.human_tasks import human_task_claim

    other = officer_of("loket2", "loket")
    step = open_step(register()["tracking_number"], "Task_PeriksaKelengkapan")
    human_task_claim(human_task_id=step.pk, actor=other)
    client = browser("loket1")
    response = client.post(f"/kerja/langkah/{step.pk}/ambil/", follow=True)
    assert response.status_code == 200
    assert "Langkah ini sudah diambil petugas lain." in response.content.decode()
    step.refresh_from_db()
    assert step.assignee == other
    # Completing it is refused too, with the reason and nothing changed.
    done = client.post(f"/kerja/langkah/{step.pk}/", {"hasil_pemeriksaan": "lengkap"})
    assert done.status_code == 400 and "sedang dikerjakan petugas lain" in done.content.decode()
    step.refresh_from_db()
    assert step.status == "claimed"


def test_non_officers_get_a_clear_403_and_anonymous_visitors_the_login(browser: Any, client: Any, users: Any) -> None:
    for username in ("warga1", "auditor1"):
        response = browser(username).get("/kerja/")
        assert response.status_code == 403
        assert "hanya untuk petugas kecamatan" in response.content.decode()
    response = client.get("/kerja/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert browser("kasi1").get("/loket/daftar/").status_code == 403


def test_menu_offers_the_worklist_and_the_counter(browser: Any, users: Any) -> None:
    html = browser("loket1").get("/kerja/").content.decode()
    assert 'href="/kerja/"' in html and 'href="/loket/daftar/"' in html
    assert 'href="/loket/daftar/"' not in browser("kasi1").get("/kerja/").content.decode()
