"""A designer's whole path through /api/v1/definitions/: sktm drafted without the sekcam's initials,
compared with the version in use, deployed (recorded with who, why and both fingerprints) and
rolled back; a draft that does not lint is refused with its element ids and nothing changes."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tests.engine.test_migration import SKTM
from tests.portal.designer.conftest import SHORTENED, draft_of

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _versions(code: str = "sktm") -> list[tuple[int, bool]]:
    from portal.workflow.models import ProcessDefinition

    return list(ProcessDefinition.objects.filter(code=code).order_by("version").values_list("version", "is_active"))


def _last_event() -> Any:
    from portal.workflow.models import DefinitionEvent

    return DefinitionEvent.objects.order_by("-seq").first()


def _published_steps(client: Any) -> list[str]:
    response = client.get("/api/v1/services/sktm/")
    assert response.status_code == 200, response.content
    return [step["bpmn_id"] for step in response.json()["steps"]]


def test_sktm_without_the_initials_is_drafted_compared_deployed_and_rolled_back(designer: Any, api: Any) -> None:
    from portal.workflow.models import DefinitionEvent, ProcessDefinition

    listed = designer.get("/api/v1/definitions/").json()
    sktm = next(s for s in listed["services"] if s["code"] == "sktm")
    assert (sktm["active_version"], sktm["drafts"], [v["version"] for v in sktm["versions"]]) == (1, 0, [1])
    source = designer.get("/api/v1/definitions/sktm/versions/1/source/").json()
    assert source["source"] == SKTM and source["sha256"] == ProcessDefinition.objects.get(code="sktm").sha256
    assert "Task_ParafSekcam" in _published_steps(api(None))

    draft = draft_of(designer, SHORTENED, note="paraf sekcam dihapus")

    assert [draft[k] for k in ("number", "based_on", "deployed_version", "author")] == [1, 1, None, "perancang1"]
    assert _versions() == [(1, True)]  # a draft is never live
    compared = designer.get(f"/api/v1/definitions/drafts/{draft['id']}/compare/").json()
    assert compared["against_version"] == 1 and not compared["same"]
    assert {"Call_ParafBerjenjang", "Gateway_Paraf"} <= {e["id"] for e in compared["removed"]}
    assert [(e["id"], e["lane"]) for e in compared["steps_removed"]] == [("Call_ParafBerjenjang", "sekcam")]
    reconnected = {"id": "Flow_Draf_Paraf", "kind": "sequenceFlow", "name": "", "properties": ["target"]}
    assert reconnected in compared["changed"]
    hinted = {h["field"] for h in compared["standard_hints"]}
    assert {"procedure", "completion_time", "staff_count"} <= hinted
    assert any("Paraf berjenjang" in h["message"] for h in compared["standard_hints"])

    before = DefinitionEvent.objects.count()
    deployed = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "Memangkas paraf"},
                             format="json")  # fmt: skip

    assert deployed.status_code == 200, deployed.content
    body = deployed.json()
    old, new = (ProcessDefinition.objects.get(code="sktm", version=n) for n in (1, 2))
    assert (body["version"], body["previous_version"], body["deployed_by"]) == (2, 1, "perancang1")
    assert (body["sha256"], body["previous_sha256"]) == (new.sha256, old.sha256) and new.sha256 != old.sha256
    assert body["draft"]["deployed_version"] == 2 and {"procedure"} <= {h["field"] for h in body["standard_hints"]}
    assert _versions() == [(1, False), (2, True)]
    assert (new.deployed_by.username, new.note) == ("perancang1", "Memangkas paraf")
    event = _last_event()
    assert DefinitionEvent.objects.count() == before + 1
    assert (event.type, event.code, event.actor_username) == ("definition_deployed", "sktm", "perancang1")
    assert event.payload["note"] == "Memangkas paraf"
    assert (event.payload["sha256"], event.payload["previous_sha256"]) == (new.sha256, old.sha256)
    assert "Task_ParafSekcam" not in _published_steps(api(None))  # the public procedure follows the version in use
    again = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "lagi"}, format="json")
    assert again.status_code == 409

    rolled = designer.post("/api/v1/definitions/sktm/versions/1/activate/", {"note": "Paraf dikembalikan"},
                           format="json")  # fmt: skip

    assert rolled.status_code == 200, rolled.content
    assert (rolled.json()["version"], rolled.json()["previous_version"]) == (1, 2)
    assert _versions() == [(1, True), (2, False)]  # the earlier row in use again, none added
    back = _last_event()
    assert (back.type, back.actor_username, back.payload["note"]) == ("definition_deployed", "perancang1",
                                                                     "Paraf dikembalikan")  # fmt: skip
    assert back.payload["rollback"] is True and back.payload["reactivated"] is True
    assert (back.payload["version"], back.payload["sha256"]) == (1, old.sha256)
    assert (back.payload["previous_version"], back.payload["previous_sha256"]) == (2, new.sha256)
    assert back.prev_hash == event.hash  # one chain
    assert "Task_ParafSekcam" in _published_steps(api(None))
    twice = designer.post("/api/v1/definitions/sktm/versions/1/activate/", {"note": "x"}, format="json")
    assert twice.status_code == 409


def test_a_rollback_or_deploy_needs_a_reason(designer: Any) -> None:
    draft = draft_of(designer, SHORTENED)

    assert designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {}, format="json").status_code == 400
    blank = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "  "}, format="json")
    assert blank.status_code == 400
    assert designer.post("/api/v1/definitions/sktm/versions/1/activate/", {}, format="json").status_code == 400
    assert _versions() == [(1, True)]


def _camat_lane_renamed(source: str) -> str:
    root = etree.fromstring(source.encode())
    root.find(f".//{BPMN}lane[@id='Lane_Camat']").set("name", "bupati")
    return etree.tostring(root, encoding="unicode")


def test_a_draft_that_does_not_lint_is_refused_with_the_element_and_nothing_is_deployed(designer: Any) -> None:
    from portal.designer.models import Draft
    from portal.workflow.models import DefinitionEvent

    draft = draft_of(designer, _camat_lane_renamed(SKTM))  # a draft may be unfinished: it is saved
    events = DefinitionEvent.objects.count()

    refused = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "uji"}, format="json")

    assert refused.status_code == 400, refused.content
    problems = refused.json()["problems"]
    assert any(p["element_id"] == "Lane_Camat" and p["severity"] == "error" and "bupati" in p["message"]
               for p in problems)  # fmt: skip
    assert refused.json()["detail"]
    assert _versions() == [(1, True)] and DefinitionEvent.objects.count() == events
    assert Draft.objects.get(pk=draft["id"]).deployed_version is None


def test_lint_answers_with_located_problems_for_any_text(designer: Any) -> None:
    good = designer.post("/api/v1/definitions/lint/", {"source": SHORTENED, "filename": "sktm.bpmn"}, format="json")
    bad = designer.post(
        "/api/v1/definitions/lint/", {"source": _camat_lane_renamed(SKTM), "filename": "sktm.bpmn"}, format="json"
    )
    hostile = designer.post(
        "/api/v1/definitions/lint/",
        {"source": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "filename": "x.dmn"},
        format="json",
    )

    assert good.status_code == 200 and good.json()["ok"] is True, good.content  # the shared initials are found
    assert bad.json()["ok"] is False
    lane = next(p for p in bad.json()["problems"] if p["element_id"] == "Lane_Camat")
    assert (lane["severity"], lane["code"], lane["file"]) == ("error", "lint", "sktm.bpmn")
    assert hostile.status_code == 200 and hostile.json()["ok"] is False
    (problem,) = hostile.json()["problems"]
    assert problem["code"] == "unreadable" and "DOCTYPE" in problem["message"] and "root:x:" not in problem["message"]
    wrong = designer.post("/api/v1/definitions/lint/", {"source": SKTM, "filename": "sktm.txt"}, format="json")
    assert wrong.status_code == 400


def test_saving_again_keeps_every_revision_newest_first(designer: Any) -> None:
    first = draft_of(designer, SHORTENED, note="pertama")
    second = draft_of(designer, SKTM, note="kedua")

    listed = designer.get("/api/v1/definitions/sktm/drafts/").json()

    assert [(d["number"], d["note"]) for d in listed["results"]] == [(2, "kedua"), (1, "pertama")]
    assert (first["number"], second["number"]) == (1, 2)
    detail = designer.get(f"/api/v1/definitions/drafts/{first['id']}/").json()
    assert detail["source"] == SHORTENED and detail["number"] == 1
    services = designer.get("/api/v1/definitions/").json()["services"]
    assert next(s["drafts"] for s in services if s["code"] == "sktm") == 2


def test_a_draft_started_from_a_version_no_longer_in_use_is_not_deployed(designer: Any) -> None:
    stale = draft_of(designer, SHORTENED)
    other = draft_of(designer, SHORTENED.replace('name="Tandatangani SKTM"', 'name="Tandatangani surat"'))
    moved_on = designer.post(f"/api/v1/definitions/drafts/{other['id']}/deploy/", {"note": "a"}, format="json")
    assert moved_on.status_code == 200

    refused = designer.post(f"/api/v1/definitions/drafts/{stale['id']}/deploy/", {"note": "b"}, format="json")

    assert refused.status_code == 409 and "versi" in refused.json()["detail"]
    assert _versions() == [(1, False), (2, True)]


def test_a_draft_the_same_as_the_version_in_use_deploys_nothing(designer: Any) -> None:
    same = draft_of(designer, SKTM)

    refused = designer.post(f"/api/v1/definitions/drafts/{same['id']}/deploy/", {"note": "sama"}, format="json")

    assert refused.status_code == 409
    assert _versions() == [(1, True)]


def test_a_new_service_is_listed_once_drafted_and_its_first_deploy_has_no_previous_version(designer: Any) -> None:
    from portal.workflow.models import ProcessDefinition

    source = SHORTENED.replace('id="sktm"', 'id="sktm-uji"').replace('processRef="sktm"', 'processRef="sktm-uji"')
    draft = draft_of(designer, source, code="sktm-uji")

    listed = next(s for s in designer.get("/api/v1/definitions/").json()["services"] if s["code"] == "sktm-uji")
    assert (listed["active_version"], listed["drafts"], listed["versions"]) == (None, 1, [])
    compared = designer.get(f"/api/v1/definitions/drafts/{draft['id']}/compare/").json()
    assert compared["against_version"] is None and compared["removed"] == []
    assert [h["field"] for h in compared["standard_hints"]] == ["procedure"]  # no written standard yet

    deployed = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "baru"}, format="json")

    assert deployed.status_code == 200, deployed.content
    body = deployed.json()
    assert (body["version"], body["previous_version"], body["previous_sha256"]) == (1, None, None)
    assert ProcessDefinition.objects.get(code="sktm-uji").is_active
    event = _last_event()
    assert (event.code, event.payload["previous_sha256"], event.payload["note"]) == ("sktm-uji", None, "baru")
