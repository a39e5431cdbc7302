"""A request whose timer fires into a failing script: an incident, for the incident tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import SKTM_APPLICANT

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs_uji" targetNamespace="http://paten.test">
  <bpmn:process id="uji-gangguan" name="Uji gangguan" isExecutable="true">
    <bpmn:startEvent id="Mulai"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Tunggu" />
    <bpmn:intermediateCatchEvent id="Tunggu" name="Tunggu satu jam">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Tunggu" targetRef="Hitung" />
    <bpmn:scriptTask id="Hitung" name="Hitung biaya" scriptFormat="python">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:script>@@SCRIPT@@</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Hitung" targetRef="Selesai" />
    <bpmn:endEvent id="Selesai" name="Selesai"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
BROKEN = DIAGRAM.replace("@@SCRIPT@@", "biaya = tarif_yang_tidak_ada * 2")
FIXED = DIAGRAM.replace("@@SCRIPT@@", "biaya = 0")


def deploy(source: str, *, note: str) -> Any:
    from portal.workflow.services.definitions import definitions_deploy

    (result,) = definitions_deploy(files=[("uji-gangguan.bpmn", source.encode())], by_name="perancang1", note=note)
    return result.definition


def failed_request(users: dict[str, Any]) -> Any:
    """A request whose timer fired into a failing script, in a sweep."""
    import time_machine

    from portal.workflow.models import ProcessInstance
    from portal.workflow.services.registration import request_register
    from portal.workflow.services.timers import timers_fire_due

    deploy(BROKEN, note="biaya dihitung dari tarif")
    with time_machine.travel(T0, tick=False):
        registered = request_register(service_code="uji-gangguan", applicant=SKTM_APPLICANT, data={},
                                      actor=users["loket1"])  # fmt: skip
    assert timers_fire_due(now=T0 + timedelta(hours=2)) == 0  # the firing failed and was undone
    return ProcessInstance.objects.get(pk=registered.pk)
