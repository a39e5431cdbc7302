"""Every scenario again, this time through process_deploy and the REST API with real role users.

The designer-drawn `rekomendasi-uji` service (parallel split/join, conditions, forms and an
interrupting boundary timer) is deployed from tests/fixtures with no code change, and its
escalation is driven by `fire_timers --at`.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

import engine
from portal.operations.services import catalogue_load
from tests.conftest import authority_set
from tests.scenario import PROCESSES, Scenario, all_scenarios, scenario_authority, scenario_definition, scenario_files

USER_OF_ROLE = {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1", "pemohon": "loket1"}


@pytest.mark.parametrize("scenario", all_scenarios(), ids=lambda s: s.id)
def test_scenario_through_api(scenario: Scenario, api: Any, users: Any) -> None:
    out = io.StringIO()
    call_command("process_deploy", *map(str, scenario_files(scenario)), stdout=out)
    assert any(line.startswith(f"{scenario.code} version 1 sha256 ") for line in out.getvalue().splitlines())
    catalogue_load(directory=PROCESSES)
    authority = scenario_authority(scenario)
    authority_set(scenario.code, authority["status"], office=authority["office"])

    created = api("loket1").post(
        "/api/v1/requests/",
        {"service": scenario.code, "applicant": scenario.start["applicant"], "data": scenario.start.get("data", {})},
        format="json",
    )
    assert created.status_code == 201, created.content
    tn = created.json()["tracking_number"]
    clock = timezone.now()
    definition = scenario_definition(scenario)
    data_so_far = {"applicant": scenario.start["applicant"], **scenario.start.get("data", {})}
    expected_letters = []
    for number, step in enumerate(scenario.steps, start=1):
        if "fire_timers_after" in step:
            delta = TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(step["fire_timers_after"]), clock
            )
            clock = timezone.now() + delta + timedelta(seconds=1)
            call_command("fire_timers", at=clock.isoformat(), stdout=io.StringIO())
            continue
        username = USER_OF_ROLE[step["role"]]
        listed = api(username).get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
        matching = [t for t in listed if t["bpmn_id"] == step["bpmn_id"]]
        assert matching, f"step {number}: {step['bpmn_id']} not offered to {username}; offered: {listed}"
        task = matching[0]
        assert task["role"] == step["role"]
        data = dict(step.get("data", {}))
        number_field = definition.letter_number_fields.get(step["bpmn_id"])
        if number_field and expected_letters:
            data.pop(number_field, None)  # the hand-over fills in the number of the letter issued
        done = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
        assert done.status_code == 200, f"step {number}: {done.content!r}"
        data_so_far.update(step.get("data", {}))
        if engine.letter_due(definition, step["bpmn_id"], data_so_far):
            expected_letters.append("camat" if step["role"] == "camat" else "atas_nama")

    final = api("loket1").get(f"/api/v1/requests/{tn}/").json()
    assert final["status"] == "completed", final
    assert final["current_steps"] == []
    from portal.workflow.models import InstanceEvent, ProcessInstance

    instance = ProcessInstance.objects.get(tracking_number=tn)
    assert instance.outcome_bpmn_id == scenario.expect["end"]
    from portal.audit.replay import request_replay

    assert request_replay(instance) is None  # its log, replayed, gives back what was recorded
    timer_events = InstanceEvent.objects.filter(instance=instance, type="timer_fired").count()
    escalated = any("fire_timers_after" in s for s in scenario.steps) and scenario.name.startswith(
        ("eskalasi", "pengingat")
    )
    assert timer_events == (1 if escalated else 0)
    # The signing step issued exactly the letters its condition called for, in the signer's capacity.
    letters = final["letters"]
    assert len(letters) == len(expected_letters)
    from portal.letters.models import Letter

    capacities = list(Letter.objects.filter(instance=instance).order_by("id").values_list("signer_capacity", flat=True))
    assert capacities == expected_letters
    if letters:  # the number handed over is the number issued
        from portal.workflow.models import HumanTask

        handover = HumanTask.objects.filter(instance=instance, properties__letter_number_field="nomor_surat").last()
        if handover is not None and handover.completed_data:
            assert handover.completed_data["nomor_surat"] == letters[-1]["number"]
