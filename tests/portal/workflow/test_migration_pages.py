"""The designer's page for moving running requests: the dry run's table, moving a selection or all
safe ones, undoing a move, and who may open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.migration_setup import sktm_at, sktm_shortened_deploy, step_complete

WAITS = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_TandatanganCamat",
         "Task_ParafSekcam"]  # fmt: skip


@pytest.fixture
def five(users: dict[str, Any], deployed: Any) -> dict[str, Any]:
    requests = {bpmn_id: sktm_at(users, bpmn_id) for bpmn_id in WAITS}
    return {"old": deployed["sktm"], "new": sktm_shortened_deploy(users["perancang1"]), "requests": requests}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _version_of(instance: Any) -> int:
    from portal.workflow.models import ProcessInstance

    return int(ProcessInstance.objects.get(pk=instance.pk).definition.version)


def test_the_page_shows_each_verdict_and_moves_the_ones_chosen(users: dict[str, Any], five: dict[str, Any]) -> None:
    designer = _client("perancang1")
    page = designer.get("/perancang/sktm/pindah/?dari=1&ke=2")
    assert page.status_code == 200
    html = page.content.decode()
    assert "4 dari 5 permohonan berjalan aman dipindahkan" in html
    assert html.count('data-safe="1"') == 4 and html.count('data-safe="0"') == 1
    assert "tidak ada lagi di versi tujuan" in html
    assert designer.get("/perancang/").content.decode().count("pindahkan ke versi 2") == 1

    requests = five["requests"]
    chosen = [requests["Task_PeriksaKelengkapan"], requests["Task_ParafSekcam"]]  # a refused one sneaked in
    done = designer.post("/perancang/sktm/pindah/jalankan/", {"dari": 1, "ke": 2,
                         "permohonan": [r.tracking_number for r in chosen]}, follow=True)  # fmt: skip
    text = done.content.decode()
    assert "1 permohonan dipindahkan ke versi 2" in text
    assert f"{requests['Task_ParafSekcam'].tracking_number} tidak dipindahkan" in text
    assert [_version_of(r) for r in chosen] == [2, 1]
    assert f"pindah-{requests['Task_PeriksaKelengkapan'].tracking_number}" in text  # may be undone

    designer.post("/perancang/sktm/pindah/jalankan/", {"dari": 1, "ke": 2, "semua": "aman"})
    assert {bpmn_id: _version_of(r) for bpmn_id, r in requests.items()} == {
        b: 1 if b == "Task_ParafSekcam" else 2 for b in WAITS
    }


def test_a_move_is_undone_from_the_page_until_the_request_moves_on(users: dict[str, Any], five: dict[str, Any]) -> None:
    designer = _client("perancang1")
    first, second = five["requests"]["Task_VerifikasiData"], five["requests"]["Task_SusunDraf"]
    designer.post("/perancang/sktm/pindah/jalankan/", {"dari": 1, "ke": 2, "semua": "aman"})
    undone = designer.post(f"/perancang/sktm/pindah/kembalikan/{first.tracking_number}/", follow=True)
    assert f"{first.tracking_number} kembali ke versi 1" in undone.content.decode()
    assert _version_of(first) == 1
    from portal.workflow.models import ProcessInstance

    step_complete(users, ProcessInstance.objects.get(pk=second.pk))
    refused = designer.post(f"/perancang/sktm/pindah/kembalikan/{second.tracking_number}/", follow=True)
    assert "sudah bergerak" in refused.content.decode()
    assert _version_of(second) == 2


def test_only_designers_and_admins_and_bad_versions_are_answered_plainly(
    users: dict[str, Any], five: dict[str, Any]
) -> None:
    number = five["requests"]["Task_PeriksaKelengkapan"].tracking_number
    for username in ("loket1", "camat1", "auditor1"):
        client = _client(username)
        assert client.get("/perancang/sktm/pindah/").status_code == 403
        assert client.post("/perancang/sktm/pindah/jalankan/", {"dari": 1, "ke": 2, "semua": "aman"}).status_code == 403
        assert client.post(f"/perancang/sktm/pindah/kembalikan/{number}/").status_code == 403
    assert _version_of(five["requests"]["Task_PeriksaKelengkapan"]) == 1
    designer = _client("perancang1")
    assert designer.get("/perancang/sktm/pindah/").status_code == 200  # default: newest older -> active
    for query in ("?dari=9&ke=2", "?dari=x", "?dari=2&ke=2"):
        assert designer.get(f"/perancang/sktm/pindah/{query}").status_code == 404
    assert designer.get("/perancang/tidak-ada/pindah/").status_code == 404
    assert designer.post("/perancang/sktm/pindah/kembalikan/000000-XXXXXX/").status_code == 404
    nothing = designer.post("/perancang/sktm/pindah/jalankan/", {"dari": 1, "ke": 2}, follow=True)
    assert "Tidak ada permohonan yang dipilih" in nothing.content.decode()
    assert _client("admin").get("/perancang/sktm/pindah/?dari=1&ke=2").status_code == 200
