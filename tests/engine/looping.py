"""Driving an instance through commands, saving and restoring it between them as the portal does
(compacted, or in full as states were stored before compaction), or keeping it in memory (what
SpiffWorkflow alone does): the three can then be compared step by step.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import engine
from engine.serialization import workflow_from_state, workflow_to_state
from tests.engine.loop_diagrams import review_loop, review_loop_source

COMPACT, FULL, MEMORY = "compact", "full", "memory"  # how a driver keeps its instance between commands


def saved(instance: engine.Instance, *, compact: bool = True) -> dict[str, Any]:
    """The instance's state as stored: through JSON, compacted or whole."""
    return json.loads(json.dumps(workflow_to_state(instance.workflow, compact=compact)))


def restored(definition: engine.Definition, state: dict[str, Any]) -> engine.Instance:
    return engine.Instance(definition, workflow_from_state(definition, copy.deepcopy(state)))


def snapshot(instance: engine.Instance) -> tuple[Any, ...]:
    """What the portal reads of an instance after a command (ids apart: they differ between runs)."""
    timers = tuple((t.bpmn_id, t.due_at) for t in instance.waiting_timers())
    ready = tuple(h.bpmn_id for h in instance.ready_human_tasks())
    return instance.status, instance.end_event(), ready, timers, instance.data


class Driver:
    """Runs commands on one instance; between two commands it is saved and restored (`mode`
    COMPACT or FULL, as the portal does) or kept in memory (MEMORY: SpiffWorkflow on its own)."""

    def __init__(self, instance: engine.Instance, now: datetime, mode: str = COMPACT) -> None:
        self.definition = instance.definition
        self.now = now
        self.mode = mode
        self.instance = instance
        self.sizes: list[int] = []
        self.trace: list[tuple[Any, ...]] = []
        self._after()

    @classmethod
    def start(cls, definition: engine.Definition, now: datetime, data: dict[str, Any], mode: str = COMPACT) -> Driver:
        return cls(engine.Instance.start(definition, dict(data), now=now), now, mode)

    def _after(self) -> None:
        if self.mode != MEMORY:
            state = saved(self.instance, compact=self.mode == COMPACT)
            self.sizes.append(len(json.dumps(state)))
            self.instance = restored(self.definition, state)
            # saving what was just restored gives the same state: compaction is stable
            assert saved(self.instance, compact=self.mode == COMPACT) == state
        self.trace.append(snapshot(self.instance))

    def complete(self, bpmn_id: str, data: dict[str, Any], *, minutes: int = 10) -> None:
        self.now += timedelta(minutes=minutes)
        ready = {h.bpmn_id: h.guid for h in self.instance.ready_human_tasks()}
        assert bpmn_id in ready, f"{bpmn_id} is not ready; ready: {sorted(ready)}"
        self.instance.complete_human_task(ready[bpmn_id], data, now=self.now)
        self._after()

    def wait(self, delta: timedelta) -> list[str]:
        """Let time pass and fire the timers then due, as the portal's sweep does."""
        self.now += delta
        fired = [f.bpmn_id for f in self.instance.fire_due_timers(now=self.now)]
        self._after()
        return fired

    def wait_for(self, bpmn_id: str) -> list[str]:
        """Let time pass until the armed timer `bpmn_id` is due (a minute more), and fire."""
        (due,) = [t.due_at for t in self.instance.waiting_timers() if t.bpmn_id == bpmn_id]
        assert due is not None
        return self.wait(due - self.now + timedelta(minutes=1))

    def advance(self, delta: timedelta) -> None:
        """Let time pass and run the engine: the timers of an event-based gateway are not among
        `waiting_timers()` (its events wait inside the gateway), so the sweep would not fire them."""
        self.now += delta
        with engine.frozen_at(self.now):
            self.instance.workflow.refresh_timers()
            self.instance.workflow.do_engine_steps()
        self._after()

    def ready(self) -> list[str]:
        return [h.bpmn_id for h in self.instance.ready_human_tasks()]

    def outcome(self) -> tuple[engine.InstanceStatus, tuple[str, str] | None, dict[str, Any]]:
        return self.instance.status, self.instance.end_event(), self.instance.data


def return_file(driver: Driver, number: int, *, remind: bool = True, fix: bool = True) -> None:
    """One returned round of the review loop: the reminder fires (when `remind`), the counter
    returns the file, the applicant fixes it (when `fix`)."""
    if remind:
        assert driver.wait(timedelta(hours=3)) == ["Timer_Pengingat"]
    driver.complete("Task_Periksa", {"hasil": "kembali", "catatan": f"putaran {number}"})
    if fix:
        driver.complete("Task_Perbaiki", {"perbaikan": f"perbaikan {number}"})


def review_rounds(driver: Driver, rounds: int, *, remind: bool = True) -> Driver:
    """`rounds` checks of the review loop: every check but the last returns the file."""
    for number in range(1, rounds):
        return_file(driver, number, remind=remind)
    if remind:
        assert driver.wait(timedelta(hours=3)) == ["Timer_Pengingat"]
    driver.complete("Task_Periksa", {"hasil": "lengkap", "catatan": f"putaran {rounds}"})
    return driver


def run_review(rounds: int, now: datetime, mode: str = COMPACT, *, remind: bool = True) -> Driver:
    return review_rounds(Driver.start(review_loop(), now, {"putaran": 0}, mode), rounds, remind=remind)


# --- a state stored in full, before compaction existed ------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "states"
FULL_STATE_BPMN = FIXTURES / "putaran-uji.bpmn"
FULL_STATE = FIXTURES / "putaran-uji.full-state.json"
FULL_STATE_ROUNDS = 10


def write_full_state_fixture(now: datetime) -> None:
    """Write the review loop's BPMN and its state saved in full after FULL_STATE_ROUNDS returned
    files (each round's reminder fired), the next check waiting with its reminder armed."""
    driver = Driver.start(review_loop(), now, {"putaran": 0}, FULL)
    for number in range(1, FULL_STATE_ROUNDS + 1):
        return_file(driver, number)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    FULL_STATE_BPMN.write_bytes(review_loop_source())
    record = {"now": driver.now.isoformat(), "state": saved(driver.instance, compact=False)}
    FULL_STATE.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":  # python -m tests.engine.looping: rewrite the fixture (not needed normally)
    from tests.engine.samples import T0

    write_full_state_fixture(T0)
