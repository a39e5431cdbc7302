"""Drafts of the files services share: a decision table drafted, compared rule by rule, deployed
(its service rebuilt with it) and rolled back (the earlier rows in use again); a step added to the
shared initials chain names every service whose written standard may need editing."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tests.scenario import PROCESSES

KERAMAIAN = (PROCESSES / "decisions" / "rekomendasi_keramaian.dmn").read_text("utf-8")
INITIALS = (PROCESSES / "shared" / "paraf-berjenjang.bpmn").read_text("utf-8")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
PART = "/api/v1/definitions/parts"


def _active(kind: str, code: str) -> int:
    from portal.workflow.models import DefinitionPart

    return DefinitionPart.objects.get(kind=kind, code=code, is_active=True).version


def _service(code: str) -> tuple[int, int]:
    """(the version in use, how many versions there are)"""
    from portal.workflow.models import ProcessDefinition

    versions = ProcessDefinition.objects.filter(code=code)
    return versions.get(is_active=True).version, versions.count()


def test_a_decision_table_is_drafted_compared_deployed_and_rolled_back(designer: Any) -> None:
    from portal.workflow.models import DefinitionEvent, DefinitionPart

    raised = KERAMAIAN.replace("&gt; 1000", "&gt; 2000").replace("[300..1000]", "[300..2000]")
    response = designer.post(f"{PART}/decisions/rekomendasi_keramaian/drafts/", {"source": raised}, format="json")
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["kind"], draft["based_on"]) == ("decisions", 1)

    compared = designer.get(f"/api/v1/definitions/drafts/{draft['id']}/compare/").json()

    assert {c["id"]: c["properties"] for c in compared["changed"]} == {
        rule: ["input:Input_Peserta"] for rule in ("Rule_Sedang", "Rule_SedangJalan", "Rule_Besar", "Rule_BesarJalan")
    }
    assert compared["standard_hints"] == [] and compared["steps_removed"] == []

    deployed = designer.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", {"note": "ambang Polda"},
                             format="json")  # fmt: skip

    assert deployed.status_code == 200, deployed.content
    body = deployed.json()
    assert (body["kind"], body["code"], body["version"], body["previous_version"]) == (
        "decisions", "rekomendasi_keramaian", 2, 1,
    )  # fmt: skip
    assert [s["code"] for s in body["services"]] == ["izin-keramaian"]  # rebuilt with the new table
    assert _active("decisions", "rekomendasi_keramaian") == 2 and _service("izin-keramaian") == (2, 2)
    event = DefinitionEvent.objects.filter(type="part_deployed").order_by("-seq").first()
    old = DefinitionPart.objects.get(code="rekomendasi_keramaian", version=1)
    assert (event.actor_username, event.payload["note"], event.payload["previous_sha256"]) == (
        "perancang1", "ambang Polda", old.sha256,
    )  # fmt: skip

    rolled = designer.post(f"{PART}/decisions/rekomendasi_keramaian/versions/1/activate/", {"note": "batal"},
                           format="json")  # fmt: skip

    assert rolled.status_code == 200, rolled.content
    assert (rolled.json()["version"], rolled.json()["previous_version"]) == (1, 2)
    assert _active("decisions", "rekomendasi_keramaian") == 1
    assert _service("izin-keramaian") == (1, 2)  # its first version, built with the first table, in use again
    assert DefinitionPart.objects.filter(code="rekomendasi_keramaian").count() == 2
    source = designer.get(f"{PART}/decisions/rekomendasi_keramaian/versions/2/source/").json()
    assert source["source"] == raised and source["kind"] == "decisions"


def _initials_with_a_second_step(source: str) -> str:
    root = etree.fromstring(source.encode())
    process = root.find(f"{BPMN}process")
    first = root.find(f".//{BPMN}sequenceFlow[@id='Flow_Draf_Paraf']")
    first.set("targetRef", "Task_ParafKasubag")
    task = etree.SubElement(process, f"{BPMN}userTask", id="Task_ParafKasubag", name="Paraf kasubag umum")
    etree.SubElement(task, f"{BPMN}incoming").text = "Flow_Draf_Paraf"
    etree.SubElement(task, f"{BPMN}outgoing").text = "Flow_Kasubag_Sekcam"
    etree.SubElement(process, f"{BPMN}sequenceFlow", id="Flow_Kasubag_Sekcam", sourceRef="Task_ParafKasubag",
                     targetRef="Task_ParafSekcam")  # fmt: skip
    etree.SubElement(root.find(f".//{BPMN}lane"), f"{BPMN}flowNodeRef").text = "Task_ParafKasubag"
    return etree.tostring(root, encoding="unicode")


def test_a_step_added_to_a_shared_file_names_the_standards_of_the_services_using_it(designer: Any) -> None:
    response = designer.post(f"{PART}/shared/paraf-berjenjang/drafts/",
                             {"source": _initials_with_a_second_step(INITIALS)}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content

    compared = designer.get(f"/api/v1/definitions/drafts/{response.json()['id']}/compare/").json()

    assert [(e["id"], e["lane"]) for e in compared["steps_added"]] == [("Task_ParafKasubag", "sekcam")]
    procedure = [h["message"] for h in compared["standard_hints"] if h["field"] == "procedure"]
    assert any("Surat Keterangan Tidak Mampu" in m and "Paraf kasubag umum" in m for m in procedure)
    from portal.workflow.models import ProcessDefinition

    calling = ProcessDefinition.objects.filter(is_active=True, parts__code="paraf-berjenjang").distinct()
    assert len(procedure) == calling.count() > 1  # one for every service calling the initials chain
    assert {"completion_time"} <= {h["field"] for h in compared["standard_hints"]}
