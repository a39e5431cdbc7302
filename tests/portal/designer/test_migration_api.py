"""Moving running requests through the API: the dry run, moving a list or all safe ones (each on its
own), undoing a move, and who may."""

from __future__ import annotations

from typing import Any

import pytest

from tests.migration_setup import sktm_at, sktm_shortened_deploy, step_complete

WAITS = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_TandatanganCamat",
         "Task_ParafSekcam"]  # fmt: skip
URL = "/api/v1/definitions/sktm/migration/"


@pytest.fixture
def five(users: dict[str, Any], deployed: Any) -> dict[str, Any]:
    requests = {bpmn_id: sktm_at(users, bpmn_id) for bpmn_id in WAITS}
    sktm_shortened_deploy(users["perancang1"])
    return requests


def _version(instance: Any) -> int:
    from portal.workflow.models import ProcessInstance

    return int(ProcessInstance.objects.get(pk=instance.pk).definition.version)


def test_the_dry_run_then_a_list_then_all_safe_then_an_undo(api: Any, users: dict[str, Any], five: Any) -> None:
    designer = api("perancang1")
    dry = designer.get(URL, {"from": 1, "to": 2})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["from_version"], body["to_version"], body["safe"], len(body["requests"])) == (1, 2, 4, 5)
    refused = {r["tracking_number"]: r for r in body["requests"] if not r["safe"]}
    assert list(refused) == [five["Task_ParafSekcam"].tracking_number]
    assert "tidak ada lagi" in refused[five["Task_ParafSekcam"].tracking_number]["reasons"][0]

    named = [five["Task_SusunDraf"].tracking_number, five["Task_ParafSekcam"].tracking_number, "000000-NOTHERE"]
    moved = designer.post(URL, {"from_version": 1, "to_version": 2, "requests": named}, format="json").json()
    assert moved["moved"] == [five["Task_SusunDraf"].tracking_number]
    assert set(moved["refused"]) == {five["Task_ParafSekcam"].tracking_number, "000000-NOTHERE"}
    rest = designer.post(URL, {"from_version": 1, "to_version": 2, "all_safe": True}, format="json").json()
    assert len(rest["moved"]) == 3 and rest["refused"] == {}
    assert {b: _version(r) for b, r in five.items()} == {b: 1 if b == "Task_ParafSekcam" else 2 for b in WAITS}

    number = five["Task_PeriksaKelengkapan"].tracking_number
    undone = designer.post(f"/api/v1/definitions/migrations/{number}/revert/")
    assert undone.status_code == 200 and undone.json() == {"tracking_number": number, "version": 1}
    assert designer.post(f"/api/v1/definitions/migrations/{number}/revert/").status_code == 409
    step_complete(users, five["Task_TandatanganCamat"])
    late = five["Task_TandatanganCamat"].tracking_number
    assert designer.post(f"/api/v1/definitions/migrations/{late}/revert/").status_code == 409


def test_bad_input_and_other_roles_change_nothing(api: Any, five: Any) -> None:
    designer = api("perancang1")
    for query in ({"from": 1, "to": 9}, {"from": "satu", "to": 2}, {}):
        assert designer.get(URL, query).status_code in (400, 404), query
    assert designer.get("/api/v1/definitions/tidak-ada/migration/", {"from": 1, "to": 2}).status_code == 404
    assert designer.get(URL, {"from": 2, "to": 2}).status_code == 409
    both = {"from_version": 1, "to_version": 2, "requests": ["x"], "all_safe": True}
    wrong_types = {"from_version": "1", "to_version": [2], "all_safe": True}
    for body in ({"from_version": 1, "to_version": 2}, both, wrong_types, [1, 2], "teks"):
        assert designer.post(URL, body, format="json").status_code == 400, body
    assert designer.post("/api/v1/definitions/migrations/000000-XXXXXX/revert/").status_code == 404
    for username in ("loket1", "camat1", "auditor1"):
        client = api(username)
        assert client.get(URL, {"from": 1, "to": 2}).status_code == 403
        assert (
            client.post(URL, {"from_version": 1, "to_version": 2, "all_safe": True}, format="json").status_code == 403
        )
    assert api(None).get(URL, {"from": 1, "to": 2}).status_code in (401, 403)
    assert all(_version(r) == 1 for r in five.values())
