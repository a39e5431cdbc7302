"""Task ids repeat when a request's commands run again from the start (what replay needs): numbered
from the instance's seed, kept across save and restore; an instance stored without a seed keeps
random ids as before."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import timedelta
from typing import Any

import engine
from engine.ids import NAMESPACE, STATE_KEY
from tests.engine.samples import T0
from tests.scenario import Scenario, all_scenarios, scenario_authority, scenario_definition

SCENARIO = next(s for s in all_scenarios() if s.code == "sktm" and s.name == "revisi-camat")


def _run(scenario: Scenario, seed: str | None, *, round_trip: bool) -> tuple[list[list[str]], dict[str, Any]]:
    """The scenario's commands; the ready steps' ids after each, and the final state."""
    definition = scenario_definition(scenario)
    data = {"authority": scenario_authority(scenario), **engine.validate_start_data(definition, scenario.start["data"]),
            "applicant": scenario.start["applicant"]}  # fmt: skip
    now = T0
    instance = engine.Instance.start(definition, data, now=now, seed=seed)
    seen = [[h.guid for h in instance.ready_human_tasks()]]
    for step in scenario.steps:
        now += timedelta(minutes=10)
        if round_trip:
            instance = engine.Instance.restore(definition, json.loads(json.dumps(instance.dump())))
        if "fire_timers_after" in step:
            instance.fire_due_timers(now=now + timedelta(days=3))
        else:
            (ready,) = [h for h in instance.ready_human_tasks() if h.bpmn_id == step["bpmn_id"]]
            instance.complete_human_task(ready.guid, step.get("data", {}), now=now)
        seen.append([h.guid for h in instance.ready_human_tasks()])
    return seen, instance.dump()


def _without_clock(state: dict[str, Any]) -> dict[str, Any]:
    """The state without each task's wall-clock `last_state_change` (when the machine ran it, not the request)."""
    text = json.dumps(state, sort_keys=True)
    clean = json.loads(text)
    for tasks in [clean["tasks"], *(sub["tasks"] for sub in clean.get("subprocesses", {}).values())]:
        for task in tasks.values():
            task.pop("last_state_change", None)
    return clean


def test_the_same_commands_give_the_same_task_ids_saved_in_between_or_not() -> None:
    stored, final_stored = _run(SCENARIO, "seed-uji", round_trip=True)
    replayed, final_replayed = _run(SCENARIO, "seed-uji", round_trip=False)

    assert stored == replayed
    assert _without_clock(final_stored) == _without_clock(final_replayed)
    assert final_stored[STATE_KEY]["seed"] == "seed-uji" and final_stored[STATE_KEY]["drawn"] > len(SCENARIO.steps)
    first = stored[0][0]
    drawn = [str(uuid.uuid5(NAMESPACE, f"seed-uji/{n}")) for n in range(final_stored[STATE_KEY]["drawn"])]
    assert first in drawn  # the ids are the seed's, nothing random


def test_another_seed_or_none_gives_other_ids() -> None:
    one, _ = _run(SCENARIO, "seed-a", round_trip=False)
    other, _ = _run(SCENARIO, "seed-b", round_trip=False)
    random_one, state = _run(SCENARIO, None, round_trip=True)
    random_two, _ = _run(SCENARIO, None, round_trip=True)

    assert one[0] != other[0]
    assert random_one[0] != random_two[0] and STATE_KEY not in state


def test_a_state_stored_without_a_seed_restores_and_goes_on_with_random_ids() -> None:
    definition = scenario_definition(SCENARIO)
    _ids, state = _run(SCENARIO, "seed-c", round_trip=False)
    legacy = copy.deepcopy(state)
    legacy.pop(STATE_KEY)

    restored = engine.Instance.restore(definition, legacy)

    assert restored.ids is None and STATE_KEY not in restored.dump()
