"""Timer event definitions that read the engine clock instead of the wall clock.

SpiffWorkflow's timers call `datetime.now()`; ours ask `clock.current_time()`, so a sweep can
fire "as of" a given moment and a replay sees the times that were recorded. They serialize
under SpiffWorkflow's own type names, so stored state stays in its standard format.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from .clock import current_time
from .errors import ScriptError


def _overflow(my_task: Any) -> ScriptError:
    return ScriptError("the timer lies past the year 9999", element_id=str(my_task.task_spec.bpmn_id or ""))


class ClockedTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.parse_time_or_duration(event_value) <= current_time():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = current_time()
            try:
                event_value = (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()
            except OverflowError:
                raise _overflow(my_task) from None
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= current_time():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedCycle(CycleTimerEventDefinition):
    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        now = current_time()
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                cycles, start, duration = _parse_cycle(expression, now)
            except OverflowError:
                raise _overflow(my_task) from None
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event <= now:
                try:
                    following = next_event + timedelta(seconds=event_value["duration"])
                except OverflowError:
                    raise _overflow(my_task) from None
                event_value["next"] = following.isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready

    def update_task(self, my_task: Any) -> None:
        if self.cycle_complete(my_task):
            for output in my_task.task_spec.outputs:
                child = my_task._add_child(output, TaskState.FUTURE)
                child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
                child.task_spec._update(child)


def _parse_cycle(expression: str, now: datetime) -> tuple[int, datetime, timedelta]:
    """Like SpiffWorkflow's recurring-interval parser, but "start now" means the engine clock."""
    components = expression.upper().replace("--", "/").strip("R").split("/")
    if len(components) == 2:
        parsed = TimerEventDefinition.parse_time_or_duration(components[1])
        if isinstance(parsed, dict):
            cycles = int(components[0]) if components[0] else -1
            duration = TimerEventDefinition.get_timedelta_from_start(parsed, now)
            return cycles, now + duration, duration
    cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
    return int(cycles), start, duration


CLOCKED = {
    TimeDateEventDefinition: ClockedTimeDate,
    DurationTimerEventDefinition: ClockedDuration,
    CycleTimerEventDefinition: ClockedCycle,
}


def clocked(definition: Any) -> Any:
    """Swap a parsed SpiffWorkflow timer definition for its clocked twin."""
    cls = CLOCKED.get(type(definition))
    if cls is None:
        return definition
    return cls(definition.name, definition.expression, description=definition.description)


def due_time(event_value: Any) -> datetime | None:
    """The due time recorded on a waiting timer task, if it has been computed."""
    if event_value is None:
        return None
    if isinstance(event_value, dict):
        event_value = event_value.get("next")
        if event_value is None:
            return None
    try:
        return TimerEventDefinition.get_datetime(str(event_value))
    except (TypeError, ValueError):
        return None
