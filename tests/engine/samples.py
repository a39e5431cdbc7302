"""A small valid service diagram (bpmn.io / Camunda 7 dialect) and helpers to mutate it in tests.

Process `layanan-uji`: the counter checks the file (enum form), an exclusive gateway with a
default flow sends incomplete files to an end; complete files go to the camat, whose task has an
interrupting "PT4H" boundary timer escalating to the sekcam; both paths meet a script task that
records data, then the end.
"""

from __future__ import annotations

from datetime import UTC, datetime

import engine

CODE = "layanan-uji"
FILENAME = f"{CODE}.bpmn"
T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA

START_DATA = {"keperluan": "Beasiswa", "jumlah": 3}

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Definitions_Uji" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler">
  <bpmn:collaboration id="Collaboration_Uji">
    <bpmn:participant id="Participant_Uji" name="Layanan uji" processRef="layanan-uji" />
  </bpmn:collaboration>
  <bpmn:process id="layanan-uji" name="Layanan uji" isExecutable="true">
    <bpmn:laneSet id="LaneSet_Uji">
      <bpmn:lane id="Lane_Loket" name="loket">
        <bpmn:flowNodeRef>StartEvent_Mulai</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_Periksa</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_Lengkap</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_Ditolak</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_Sekcam" name="sekcam">
        <bpmn:flowNodeRef>Task_Eskalasi</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_Catat</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_Selesai</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_Camat" name="camat">
        <bpmn:flowNodeRef>Task_Setujui</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_Eskalasi</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_Mulai" name="Permohonan diajukan">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="keperluan" label="Keperluan" type="string">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="minlength" config="3" />
              <camunda:constraint name="maxlength" config="50" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="jumlah" label="Jumlah" type="long">
            <camunda:validation>
              <camunda:constraint name="min" config="0" />
              <camunda:constraint name="max" config="10" />
            </camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:outgoing>Flow_Mulai_Periksa</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_Mulai_Periksa" sourceRef="StartEvent_Mulai" targetRef="Task_Periksa" />
    <bpmn:userTask id="Task_Periksa" name="Periksa berkas">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="hasil" label="Hasil" type="enum">
            <camunda:validation>
              <camunda:constraint name="required" />
            </camunda:validation>
            <camunda:value id="lengkap" name="Lengkap" />
            <camunda:value id="tidak_lengkap" name="Tidak lengkap" />
          </camunda:formField>
          <camunda:formField id="catatan" label="Catatan" type="string">
            <camunda:validation>
              <camunda:constraint name="maxlength" config="100" />
            </camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_Mulai_Periksa</bpmn:incoming>
      <bpmn:outgoing>Flow_Periksa_Gateway</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_Periksa_Gateway" sourceRef="Task_Periksa" targetRef="Gateway_Lengkap" />
    <bpmn:exclusiveGateway id="Gateway_Lengkap" name="Lengkap?" default="Flow_TidakLengkap">
      <bpmn:incoming>Flow_Periksa_Gateway</bpmn:incoming>
      <bpmn:outgoing>Flow_Lengkap</bpmn:outgoing>
      <bpmn:outgoing>Flow_TidakLengkap</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_Lengkap" sourceRef="Gateway_Lengkap" targetRef="Task_Setujui">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">hasil == "lengkap"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_TidakLengkap" sourceRef="Gateway_Lengkap" targetRef="EndEvent_Ditolak" />
    <bpmn:endEvent id="EndEvent_Ditolak" name="Berkas dikembalikan">
      <bpmn:incoming>Flow_TidakLengkap</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:userTask id="Task_Setujui" name="Setujui">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="setuju" label="Setuju" type="boolean">
            <camunda:validation>
              <camunda:constraint name="required" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="tanggal_surat" label="Tanggal surat" type="date" />
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_Lengkap</bpmn:incoming>
      <bpmn:outgoing>Flow_Setujui_Catat</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Timer_Eskalasi" name="4 jam" attachedToRef="Task_Setujui">
      <bpmn:outgoing>Flow_Timer_Eskalasi</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDef_Eskalasi">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT4H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="Flow_Timer_Eskalasi" sourceRef="Timer_Eskalasi" targetRef="Task_Eskalasi" />
    <bpmn:userTask id="Task_Eskalasi" name="Tandatangani a.n. camat">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="setuju" label="Setuju" type="boolean">
            <camunda:validation>
              <camunda:constraint name="required" />
            </camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_Timer_Eskalasi</bpmn:incoming>
      <bpmn:outgoing>Flow_Eskalasi_Catat</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_Setujui_Catat" sourceRef="Task_Setujui" targetRef="Script_Catat" />
    <bpmn:sequenceFlow id="Flow_Eskalasi_Catat" sourceRef="Task_Eskalasi" targetRef="Script_Catat" />
    <bpmn:scriptTask id="Script_Catat" name="Catat" scriptFormat="python">
      <bpmn:incoming>Flow_Setujui_Catat</bpmn:incoming>
      <bpmn:incoming>Flow_Eskalasi_Catat</bpmn:incoming>
      <bpmn:outgoing>Flow_Catat_Selesai</bpmn:outgoing>
      <bpmn:script>dicatat = True
total = jumlah * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_Catat_Selesai" sourceRef="Script_Catat" targetRef="EndEvent_Selesai" />
    <bpmn:endEvent id="EndEvent_Selesai" name="Selesai">
      <bpmn:incoming>Flow_Catat_Selesai</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_Uji">
    <bpmndi:BPMNPlane id="BPMNPlane_Uji" bpmnElement="Collaboration_Uji">
      <bpmndi:BPMNShape id="Participant_Uji_di" bpmnElement="Participant_Uji" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="900" height="450" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

SCRIPT = "dicatat = True\ntotal = jumlah * 2"


def mutate(*replacements: tuple[str, str], source: str = TEMPLATE) -> str:
    """Apply (old, new) replacements; each `old` must occur exactly once so a stale test fails loudly."""
    for old, new in replacements:
        count = source.count(old)
        assert count == 1, f"expected exactly one {old!r} in the template, found {count}"
        source = source.replace(old, new)
    return source


def sample(*replacements: tuple[str, str]) -> bytes:
    return mutate(*replacements).encode("utf-8")


def with_script(script: str) -> bytes:
    return sample((f"<bpmn:script>{SCRIPT}</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"))


def with_timer(expression: str, kind: str = "timeDuration") -> bytes:
    return sample(
        (
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT4H"</bpmn:timeDuration>',
            f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>',
        )
    )


def load(source: bytes | None = None) -> engine.Definition:
    return engine.load_definition(source if source is not None else TEMPLATE.encode(), FILENAME)


def unchecked(source: bytes) -> engine.Definition:
    """Build a runnable definition WITHOUT lint, as if stored before a rule existed."""
    from engine.parsing import build_definition
    from engine.xmlsafe import parse_xml

    return build_definition(parse_xml(source), FILENAME, CODE, engine.sha256_of(source))
