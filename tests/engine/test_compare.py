"""Comparing two versions of a catalogue file: what a designer's edit added, removed and changed,
element by element, with layout-only edits not counted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

import engine
from tests.engine.test_migration import SKTM, without_initials
from tests.scenario import PROCESSES

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
KERAMAIAN = (PROCESSES / "decisions" / "rekomendasi_keramaian.dmn").read_bytes()
IZIN_KERAMAIAN = (PROCESSES / "izin-keramaian.bpmn").read_bytes()


def edited(source: str | bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(source.encode() if isinstance(source, str) else source)
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def one(root: etree._Element, path: str) -> etree._Element:
    (found,) = root.findall(path)
    return found


def changes(comparison: engine.Comparison) -> dict[str, tuple[str, ...]]:
    return {c.id: c.properties for c in comparison.changed}


def test_sktm_without_the_initials_lists_the_removed_call_gateway_and_flows_and_the_reconnection() -> None:
    comparison = engine.compare_bpmn(SKTM.encode(), without_initials(SKTM).encode())

    assert comparison.added == ()
    assert {e.id: e.kind for e in comparison.removed} == {
        "Call_ParafBerjenjang": "callActivity", "Gateway_Paraf": "exclusiveGateway",
        "Flow_Paraf_Gateway": "sequenceFlow", "Flow_SekcamPerbaiki": "sequenceFlow",
        "Flow_Paraf_Tandatangan": "sequenceFlow",
    }  # fmt: skip
    assert changes(comparison) == {
        "Flow_Draf_Paraf": ("target",),  # the draft now flows straight to the camat
        "Task_TandatanganCamat": ("incoming",),
        "Task_SusunDraf": ("incoming",),  # the sekcam no longer sends it back
    }
    steps = comparison.steps
    assert [(e.id, e.name, e.lane) for e in steps.removed] == [
        ("Call_ParafBerjenjang", "Paraf berjenjang (sekcam)", "sekcam")
    ]
    assert steps.added == () and steps.moved == ()
    assert steps.roles_before - steps.roles_after == {"sekcam"}


def test_layout_formatting_and_attribute_order_do_not_count() -> None:
    def relayout(root: etree._Element) -> None:
        for bounds in root.iter(f"{DC}Bounds"):
            bounds.set("x", str(float(bounds.get("x", "0")) + 40))
        for waypoint in root.iter(f"{DI}waypoint"):
            waypoint.set("y", str(float(waypoint.get("y", "0")) + 15))
        task = one(root, f".//{BPMN}userTask[@id='Task_VerifikasiData']")
        attributes = dict(task.attrib)
        task.attrib.clear()
        for key in reversed(list(attributes)):  # the same attributes, written in another order
            task.set(key, attributes[key])
        task.set("name", "Verifikasi data\n  kesejahteraan")  # a line break a modeler adds to wrap the label
        for node in root.iter():
            node.tail = None  # no indentation at all

    assert engine.compare_bpmn(SKTM.encode(), edited(SKTM, relayout)).same


def test_each_kind_of_property_is_named() -> None:
    def edit(root: etree._Element) -> None:
        one(root, f".//{BPMN}userTask[@id='Task_PeriksaKelengkapan']").set("name", "Periksa berkas")
        verify = one(root, f".//{BPMN}flowNodeRef[.='Task_VerifikasiData']")
        verify.getparent().remove(verify)
        one(root, f".//{BPMN}lane[@id='Lane_Sekcam']").append(verify)  # to the sekcam's lane
        one(root, f".//{BPMN}sequenceFlow[@id='Flow_Memenuhi']/{BPMN}conditionExpression").text = "True"
        one(root, f".//{BPMN}boundaryEvent[@id='Timer_PengingatCamat']//{BPMN}timeDate").text = "working_hours(3)"
        due = one(root, f".//{BPMN}userTask[@id='Task_TandatanganCamat']//{CAMUNDA}property[@name='paten.due']")
        due.set("value", "working_hours(8)")
        note = one(root, f".//{CAMUNDA}formField[@id='catatan_camat']//{CAMUNDA}constraint[@name='maxlength']")
        note.set("config", "300")
        form = one(root, f".//{BPMN}userTask[@id='Task_SusunDraf']//{CAMUNDA}formData")
        etree.SubElement(form, f"{CAMUNDA}formField", id="nomor_agenda", label="Nomor agenda", type="string")
        one(root, f".//{BPMN}callActivity[@id='Call_ParafBerjenjang']").set("calledElement", "paraf-dua-tingkat")
        docs = etree.Element(f"{BPMN}documentation")
        docs.text = "Dicocokkan dengan DTKS."
        one(root, f".//{BPMN}userTask[@id='Task_VerifikasiData']").insert(0, docs)
        one(root, f".//{BPMN}boundaryEvent[@id='Timer_PengingatCamat']").set("cancelActivity", "true")

    found = changes(engine.compare_bpmn(SKTM.encode(), edited(SKTM, edit)))

    assert found == {
        "Task_PeriksaKelengkapan": ("name",),
        "Task_VerifikasiData": ("lane", "documentation"),
        "Flow_Memenuhi": ("condition",),
        "Timer_PengingatCamat": ("interrupting", "timer"),
        "Task_TandatanganCamat": ("paten.due", "form:catatan_camat"),
        "Task_SusunDraf": ("form", "form:nomor_agenda"),
        "Call_ParafBerjenjang": ("called_element",),
    }


def test_a_step_moved_to_another_lane_and_a_step_added_are_step_changes() -> None:
    def edit(root: etree._Element) -> None:
        verify = one(root, f".//{BPMN}flowNodeRef[.='Task_VerifikasiData']")
        verify.getparent().remove(verify)
        one(root, f".//{BPMN}lane[@id='Lane_Camat']").append(verify)
        process = one(root, f"{BPMN}process")
        etree.SubElement(process, f"{BPMN}manualTask", id="Task_Arsipkan", name="Arsipkan berkas")
        ref = etree.SubElement(one(root, f".//{BPMN}lane[@id='Lane_Loket']"), f"{BPMN}flowNodeRef")
        ref.text = "Task_Arsipkan"

    steps = engine.compare_bpmn(SKTM.encode(), edited(SKTM, edit)).steps

    assert [(e.id, e.kind, e.lane) for e in steps.added] == [("Task_Arsipkan", "manualTask", "loket")]
    assert [(c.id, c.before.lane, c.after.lane) for c in steps.moved] == [("Task_VerifikasiData", "kasi", "camat")]
    assert steps.removed == ()


def test_a_changed_type_decision_reference_and_script_are_named() -> None:
    def edit(root: etree._Element) -> None:
        one(root, f".//{BPMN}businessRuleTask").set(f"{CAMUNDA}decisionRef", "jalur_dispensasi_nikah")
        task = one(root, f".//{BPMN}userTask[@id='Task_CekLapangan']")
        task.tag = f"{BPMN}scriptTask"
        script = etree.SubElement(task, f"{BPMN}script")
        script.text = "catatan = 'otomatis'"

    comparison = engine.compare_bpmn(IZIN_KERAMAIAN, edited(IZIN_KERAMAIAN, edit))

    found = changes(comparison)
    assert found["Task_TentukanRekomendasi"] == ("decision_ref",)
    assert found["Task_CekLapangan"][0] == "type" and "script" in found["Task_CekLapangan"]
    assert [e.id for e in comparison.steps.removed] == ["Task_CekLapangan"]  # no longer a person's step


def test_nothing_before_means_everything_is_added() -> None:
    comparison = engine.compare_bpmn(None, SKTM.encode())

    assert comparison.removed == () and comparison.changed == ()
    assert {"sktm", "Task_TandatanganCamat", "Lane_Camat", "Flow_Draf_Paraf"} <= {e.id for e in comparison.added}
    assert "Task_TandatanganCamat" in {e.id for e in comparison.steps.added}


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>', "DOCTYPE"),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
        (b"this is not XML", "malformed XML"),
        (b"", "empty"),
        (b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"/>', "not a BPMN 2.0 file"),
    ],
)
def test_an_unreadable_or_hostile_file_is_a_located_error(source: bytes, why: str) -> None:
    with pytest.raises(engine.DefinitionError) as refused:
        engine.compare_bpmn(SKTM.encode(), source, labels=("sktm v3", "draf 2"))

    (problem,) = refused.value.problems
    assert (problem.file, problem.element_id) == ("draf 2", "-")
    assert why in problem.message


def test_an_oversized_file_is_refused() -> None:
    with pytest.raises(engine.DefinitionError, match="larger than"):
        engine.compare_bpmn(None, b" " * (engine.MAX_BPMN_BYTES + 1))
    with pytest.raises(engine.DefinitionError, match="larger than"):
        engine.compare_dmn(None, b" " * (engine.MAX_DMN_BYTES + 1))


# --- decision tables ----------------------------------------------------------------------------


def _rule(root: etree._Element, rule_id: str) -> etree._Element:
    return one(root, f".//{DMN}rule[@id='{rule_id}']")


def test_a_decision_table_unchanged_but_for_its_layout_is_the_same() -> None:
    def relayout(root: etree._Element) -> None:
        for bounds in root.iter("{http://www.omg.org/spec/DMN/20180521/DC/}Bounds"):
            bounds.set("x", "999")

    assert engine.compare_dmn(KERAMAIAN, edited(KERAMAIAN, relayout)).same


def test_rules_columns_and_hit_policy_are_compared_by_id() -> None:
    def edit(root: etree._Element) -> None:
        one(root, f".//{DMN}decisionTable").set("hitPolicy", "FIRST")
        entry = _rule(root, "Rule_KecilTertutup").findall(f"{DMN}inputEntry")[0]
        one(entry, f"{DMN}text").text = "< 250"
        besar = _rule(root, "Rule_Besar")
        besar.getparent().remove(besar)
        added = etree.fromstring(etree.tostring(_rule(root, "Rule_Sedang")))
        added.set("id", "Rule_Baru")
        one(root, f".//{DMN}decisionTable").append(added)
        one(root, f".//{DMN}output[@id='Output_Tinjau']").set("label", "Lokasi ditinjau")

    comparison = engine.compare_dmn(KERAMAIAN, edited(KERAMAIAN, edit))

    assert [(e.id, e.kind) for e in comparison.added] == [("Rule_Baru", "rule")]
    assert [(e.id, e.kind) for e in comparison.removed] == [("Rule_Besar", "rule")]
    assert changes(comparison) == {
        "rekomendasi_keramaian": ("hit_policy",),  # a rule added or removed is no change of order
        "Output_Tinjau": ("label",),
        "Rule_KecilTertutup": ("input:Input_Peserta",),
    }
    assert comparison.steps == engine.StepChanges()


def test_rules_put_in_another_order_change_the_decision() -> None:
    def edit(root: etree._Element) -> None:
        table = one(root, f".//{DMN}decisionTable")
        first = _rule(root, "Rule_KecilTertutup")
        table.remove(first)
        table.append(first)

    assert changes(engine.compare_dmn(KERAMAIAN, edited(KERAMAIAN, edit))) == {"rekomendasi_keramaian": ("rule_order",)}


def test_a_bpmn_file_is_not_a_decision_table() -> None:
    with pytest.raises(engine.DefinitionError, match="not a DMN file"):
        engine.compare_dmn(KERAMAIAN, SKTM.encode())


def test_a_step_moved_into_a_sub_process_and_a_data_object_are_named() -> None:
    def edit(root: etree._Element) -> None:
        process = one(root, f"{BPMN}process")
        sub = etree.SubElement(process, f"{BPMN}subProcess", id="Sub_Lengkapi", name="Kelengkapan")
        sub.append(one(root, f".//{BPMN}userTask[@id='Task_LengkapiBerkas']"))
        etree.SubElement(process, f"{BPMN}dataObjectReference", id="Data_Berkas", name="Berkas permohonan")

    comparison = engine.compare_bpmn(SKTM.encode(), edited(SKTM, edit))

    assert [(e.id, e.kind) for e in comparison.added] == [
        ("Sub_Lengkapi", "subProcess"),
        ("Data_Berkas", "dataObjectReference"),
    ]
    assert changes(comparison) == {"Task_LengkapiBerkas": ("container",)}
    assert not comparison.steps  # the step is still there, in the same lane
