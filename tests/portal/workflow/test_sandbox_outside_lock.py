"""Diagram code that needs the sandbox runs while the request is not locked, so the rest of the office
goes on meanwhile; the command is then written once, with the code's answer.

Each time the sandbox is asked to run something, a second thread tries to lock the same request
with no wait (PostgreSQL: SELECT ... FOR UPDATE NOWAIT; SQLite: an IMMEDIATE write transaction with
a short busy timeout). It gets the lock every time; without the mechanism it would not.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from tests.conftest import SKTM_APPLICANT

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_lambat" targetNamespace="http://paten.test">
  <bpmn:process id="uji-lambat" name="Uji skrip" isExecutable="true">
    <bpmn:laneSet id="Lanes"><bpmn:lane id="Lane_Loket" name="loket">
      <bpmn:flowNodeRef>Mulai</bpmn:flowNodeRef><bpmn:flowNodeRef>Periksa</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Hitung</bpmn:flowNodeRef><bpmn:flowNodeRef>Selesai</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="Mulai"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Periksa" />
    <bpmn:userTask id="Periksa" name="Periksa berkas">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="catatan" label="Catatan" type="string" />
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Periksa" targetRef="Hitung" />
    <bpmn:scriptTask id="Hitung" name="Hitung" scriptFormat="python">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:script>panjang = len(str(catatan).ljust(40))
huruf = [c for c in str(catatan).upper()]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Hitung" targetRef="Selesai" />
    <bpmn:endEvent id="Selesai" name="Selesai"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _lockable_from_elsewhere(instance_id: int) -> bool:
    """Whether another connection can take the request's lock right now, without waiting."""
    from django.db import DatabaseError

    from portal.workflow.models import ProcessInstance

    got: list[bool] = []

    def attempt() -> None:
        try:
            if connection.vendor == "sqlite":
                connection.ensure_connection()
                connection.cursor().execute("PRAGMA busy_timeout = 200")
            with transaction.atomic():
                ProcessInstance.objects.select_for_update(nowait=True).filter(pk=instance_id).exists()
                ProcessInstance.objects.filter(pk=instance_id).update(updated_at=ProcessInstance.objects.get(
                    pk=instance_id).updated_at)  # fmt: skip
            got.append(True)
        except DatabaseError:
            got.append(False)
        finally:
            connection.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(timeout=30)
    return got == [True]


@pytest.fixture
def at_step(users: dict[str, Any], deployed: Any) -> Any:
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.registration import request_register

    definitions_deploy(files=[("uji-lambat.bpmn", DIAGRAM.encode())], by_name="perancang1", note="uji")
    instance = request_register(service_code="uji-lambat", applicant=SKTM_APPLICANT, data={}, actor=users["loket1"])
    return HumanTask.objects.get(instance=instance, bpmn_id="Periksa", status__in=OPEN_HUMAN_TASK)


def _watching(monkeypatch: pytest.MonkeyPatch, instance_id: int) -> list[bool]:
    from engine import sandbox

    seen: list[bool] = []
    real = sandbox._exchange

    def watched(*args: Any, **kwargs: Any) -> bytes:
        seen.append(_lockable_from_elsewhere(instance_id))
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox, "_exchange", watched)
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_script_runs_with_the_request_unlocked_and_the_step_is_written_once(
    droppable_audit_log: Any, at_step: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import InstanceEvent, ProcessInstance
    from portal.workflow.services.human_tasks import human_task_complete

    seen = _watching(monkeypatch, at_step.instance_id)
    human_task_complete(human_task_id=at_step.pk, actor=users["loket1"], data={"catatan": "lengkap"})

    assert seen == [True]  # asked once, and the request was free while it ran
    instance = ProcessInstance.objects.get(pk=at_step.instance_id)
    assert instance.status == "completed"
    types = list(InstanceEvent.objects.filter(instance=instance).order_by("seq").values_list("type", flat=True))
    assert types.count("human_task_completed") == 1 and types[-1] == "instance_completed"
    assert chain_verify(instance) == []


@pytest.mark.django_db(transaction=True)
def test_without_it_the_script_would_run_under_the_lock(
    droppable_audit_log: Any, at_step: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.workflow.services.human_tasks import human_task_complete

    seen = _watching(monkeypatch, at_step.instance_id)
    undecorated = human_task_complete.__wrapped__  # type: ignore[attr-defined]
    undecorated(human_task_id=at_step.pk, actor=users["loket1"], data={"catatan": "lengkap"})
    assert seen == [False]  # the check itself can tell a held lock from a free one
