"""Every scenario of every process, run by the engine alone, saving and restoring at each step."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

import engine
from engine.decisions import DecisionTask
from engine.dmn import DmnFile, parse_dmn
from tests.scenario import PROCESSES, Scenario, all_scenarios, scenario_authority, scenario_definition

SCENARIOS = all_scenarios()
T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA


def _save_restore(definition: engine.Definition, instance: engine.Instance) -> engine.Instance:
    """Round-trip through JSON and check the restored instance dumps to the same state."""
    state = json.loads(json.dumps(instance.dump()))
    restored = engine.Instance.restore(definition, copy.deepcopy(state))
    assert json.loads(json.dumps(restored.dump())) == state
    assert [(h.bpmn_id, h.guid) for h in restored.ready_human_tasks()] == [
        (h.bpmn_id, h.guid) for h in instance.ready_human_tasks()
    ]
    return restored


def test_every_process_has_scenarios() -> None:
    codes = {p.stem for p in PROCESSES.glob("*.bpmn")}
    covered = {s.code for s in SCENARIOS}
    assert codes, "processes/ holds no BPMN file"
    assert codes <= covered, f"processes without scenarios: {sorted(codes - covered)}"


REACHED: dict[str, set[str]] = {}
RAN: set[str] = set()  # scenarios this process ran (under xdist each worker has its own)


MATCHED: dict[tuple[str, str], set[str]] = {}  # (decision table file, decision id) -> rule ids some scenario met


def _note_matched_rules(instance: engine.Instance) -> None:
    """The rules each completed business rule task's table matched, over the data it saw."""
    for task in instance.workflow.get_tasks(state=TaskState.COMPLETED):
        spec = task.task_spec
        if isinstance(spec, DecisionTask) and spec.decision is not None:
            table = DmnFile.from_dict(spec.decision)
            matched = table.decisions[spec.decision_id].matched_rules(task.data)
            MATCHED.setdefault((Path(table.filename).name, spec.decision_id), set()).update(matched)


def _completed_elements(instance: engine.Instance) -> set[str]:
    """Elements completed in the live task tree. Read after each command, before saving: the stored
    state keeps only what the engine needs to go on, not every task done since the start."""
    return {t.task_spec.bpmn_id for t in instance.workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(scenario: Scenario) -> None:
    definition = scenario_definition(scenario)
    stored = engine.definition_from_dict(json.loads(json.dumps(engine.definition_to_dict(definition))))
    now = T0
    data = {
        "authority": scenario_authority(scenario),
        **engine.validate_start_data(stored, scenario.start.get("data", {})),
        "applicant": scenario.start["applicant"],
    }
    instance = engine.Instance.start(stored, data, now=now)
    path = []
    reached = REACHED.setdefault(scenario.code, set())
    for number, step in enumerate(scenario.steps, start=1):
        reached |= _completed_elements(instance)
        _note_matched_rules(instance)
        instance = _save_restore(stored, instance)
        now += timedelta(minutes=10)
        if "fire_timers_after" in step:
            waiting = instance.waiting_timers()
            assert waiting, f"step {number}: no timer is waiting"
            delta = TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(step["fire_timers_after"]), now
            )
            now += delta
            # Whether it fired shows in the next step: the escalated task is ready, or the original one.
            fired = instance.fire_due_timers(now=now)
            path.extend(f"timer:{f.bpmn_id}" for f in fired)
            continue
        ready = {h.bpmn_id: h for h in instance.ready_human_tasks()}
        assert step["bpmn_id"] in ready, f"step {number}: {step['bpmn_id']} not ready; ready: {sorted(ready)}"
        human_task = ready[step["bpmn_id"]]
        assert human_task.role == step["role"], f"step {number}: lane {human_task.role}, scenario says {step['role']}"
        instance.complete_human_task(human_task.guid, step.get("data", {}), now=now)
        path.append(step["bpmn_id"])
    reached |= _completed_elements(instance)
    _note_matched_rules(instance)
    instance = _save_restore(stored, instance)
    assert instance.ready_human_tasks() == [], "human tasks left after the last step"
    assert instance.status is engine.InstanceStatus.COMPLETED
    end = instance.end_event()
    assert end is not None and end[0] == scenario.expect["end"]
    final = instance.data
    for key, value in scenario.expect.get("data", {}).items():
        assert final.get(key) == value, f"{key}: {final.get(key)!r} != {value!r}"
    RAN.add(scenario.id)


@pytest.mark.parametrize("code", sorted({s.code for s in SCENARIOS}))
def test_scenarios_reach_every_step_and_end_of_the_service(code: str) -> None:
    """Together a service's scenarios complete each of its user tasks and reach each end event."""
    for scenario in (s for s in SCENARIOS if s.code == code and s.id not in RAN):
        test_scenario(scenario)
    source = next(s.bpmn for s in SCENARIOS if s.code == code).read_bytes()
    root = etree.fromstring(source)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    wanted = {e.get("id") for tag in ("userTask", "endEvent") for e in root.iterfind(f".//bpmn:{tag}", ns)}
    missed = sorted(wanted - REACHED[code])
    assert not missed, f"no scenario of {code} reaches: {missed}"


@pytest.mark.parametrize("table", sorted(PROCESSES.glob("decisions/*.dmn")), ids=lambda p: p.name)
def test_scenarios_meet_every_rule_of_every_decision_table(table: Path) -> None:
    """Each row of a catalogue decision table is the rule some scenario of a service runs through."""
    for scenario in (s for s in SCENARIOS if s.bpmn.parent == PROCESSES and s.id not in RAN):
        test_scenario(scenario)
    for decision in parse_dmn(table.read_bytes(), table.name).decisions.values():
        met = MATCHED.get((table.name, decision.id), set())
        missed = [rule.id for rule in decision.rules if rule.id not in met]
        assert not missed, f"no scenario meets {table.name} {decision.id}: {missed}"


@pytest.mark.parametrize("shared", sorted(PROCESSES.glob("shared/*.bpmn")), ids=lambda p: p.name)
def test_scenarios_complete_every_step_of_every_shared_sub_process(shared: Path) -> None:
    """A shared sub-process's steps are done in the scenarios of the services that call it."""
    for scenario in (s for s in SCENARIOS if s.bpmn.parent == PROCESSES and s.id not in RAN):
        test_scenario(scenario)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    root = etree.fromstring(shared.read_bytes())
    steps = {e.get("id") for tag in ("userTask", "manualTask", "endEvent") for e in root.iterfind(f".//bpmn:{tag}", ns)}
    callers = {p.stem for p in PROCESSES.glob("*.bpmn") if f'calledElement="{shared.stem}"' in p.read_text("utf-8")}
    assert callers, f"no service calls {shared.name}"
    done = set().union(*(REACHED.get(code, set()) for code in callers))
    assert steps <= done, f"no scenario of {sorted(callers)} reaches {sorted(steps - done)} of {shared.name}"
