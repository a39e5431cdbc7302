"""The `paten.duty` property: parsed, stored, linted."""

from __future__ import annotations

from pathlib import Path

import engine
from tests.scenario import catalogue_library

ROOT = Path(__file__).resolve().parents[2]
SKTM = (ROOT / "processes" / "sktm.bpmn").read_bytes()


def test_sktm_verify_step_and_letter_step_have_duties_that_survive_storage() -> None:
    definition = engine.load_definition(SKTM, "sktm.bpmn", library=catalogue_library())
    assert definition.duty_of("Task_VerifikasiData") == engine.DUTY_VERIFY
    assert definition.duty_of("Task_TandatanganCamat") == engine.DUTY_APPROVE  # paten.letter counts as approve
    assert definition.duty_of("Task_SusunDraf") is None
    restored = engine.definition_from_dict(engine.definition_to_dict(definition))
    assert restored.duties == {"Task_VerifikasiData": "verify"}
    stored = engine.definition_to_dict(definition)
    del stored["duties"]  # a version stored before the property existed
    assert engine.definition_from_dict(stored).duty_of("Task_TandatanganCamat") == engine.DUTY_APPROVE


def test_lint_refuses_unknown_duty_values_and_duties_off_user_tasks() -> None:
    bad_value = SKTM.replace(b'name="paten.duty" value="verify"', b'name="paten.duty" value="sign"')
    problems = engine.lint(bad_value, "sktm.bpmn", library=catalogue_library())
    assert any(p.element_id == "Task_VerifikasiData" and "paten.duty" in p.message for p in problems)
    on_gateway = SKTM.replace(
        b'<bpmn:exclusiveGateway id="Gateway_MemenuhiSyarat" name="Memenuhi syarat?">',
        b'<bpmn:exclusiveGateway id="Gateway_MemenuhiSyarat" name="Memenuhi syarat?"><bpmn:extensionElements>'
        b'<camunda:properties><camunda:property name="paten.duty" value="verify" /></camunda:properties>'
        b"</bpmn:extensionElements>",
    )
    problems = engine.lint(on_gateway, "sktm.bpmn", library=catalogue_library())
    assert any(p.element_id == "Gateway_MemenuhiSyarat" and "belongs on a human step" in p.message for p in problems)
    assert engine.errors_of(engine.lint(SKTM, "sktm.bpmn", library=catalogue_library())) == []
