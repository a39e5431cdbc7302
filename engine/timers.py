"""Timer event definitions that read the engine clock instead of the wall clock.

SpiffWorkflow's timers call `datetime.now()`; ours ask `clock.current_time()`, so a sweep can
fire "as of" a given moment and a replay sees the times that were recorded. They serialize
under SpiffWorkflow's own type names, so stored state stays in its standard format.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from .clock import OFFICE_TZ, current_time
from .errors import ScriptError

TIME_DATE, TIME_DURATION, TIME_CYCLE = "timeDate", "timeDuration", "timeCycle"

# ISO 8601 as modelers write it, unquoted: a duration (P2D, PT4H30M, P1W), a moment (2026-12-01,
# 2026-12-01T09:00, 2026-12-01T09:00:00+08:00, ...Z) or a repeating interval (R3/PT1H, R/P1D,
# R2/2026-12-01T09:00/PT1H). Only these characters; anything else is read as an expression.
_ISO_CHARS = re.compile(r"^[0-9A-Za-z:+\-./,]+$")
_ISO_START = re.compile(r"^(P|R\d*/|\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_NAIVE_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$", re.IGNORECASE)


def looks_iso(expression: str) -> bool:
    """Whether the text is written as an ISO 8601 value (valid or not) rather than as an expression."""
    text = expression.strip()
    return bool(_ISO_CHARS.match(text) and _ISO_START.match(text))


def office_moment(text: str) -> str:
    """A moment as written, with WITA (the office's zone) when it names none: a designer writing
    2026-12-01T09:00 means nine o'clock at the office."""
    text = text.strip()
    if _NAIVE_MOMENT.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=OFFICE_TZ).isoformat()
    return text


def _office_cycle(text: str) -> str:
    return "/".join(office_moment(part) if _NAIVE_MOMENT.match(part) else part for part in text.strip().split("/"))


def iso_literal(expression: str, kind: str) -> str | None:
    """The timer's value when its expression is an ISO 8601 literal of `kind` (moments without a
    zone in WITA); None when it is not written as one. A literal that does not parse raises ValueError."""
    if not looks_iso(expression):
        return None
    text = expression.strip()
    if kind == TIME_DURATION:
        TimerEventDefinition.parse_iso_duration(text)  # raises on a malformed duration
        if not text.upper().startswith("P"):
            raise ValueError("not a duration")
        return text
    if kind == TIME_DATE:
        value = office_moment(text)
        TimerEventDefinition.get_datetime(value)
        return value
    value = _office_cycle(text)
    if not value.upper().startswith("R"):
        raise ValueError("not a repeating interval")
    TimerEventDefinition.parse_iso_recurring_interval(value)
    return value


def timer_value(my_task: Any, expression: str, kind: str) -> Any:
    """What a timer's expression gives: an ISO literal as written, else the expression's value
    (moments without a zone in WITA)."""
    try:
        literal = iso_literal(expression, kind)
    except Exception as exc:  # lint refuses these; a definition stored before it may still hold one
        message = f"timer value '{expression.strip()}' is not valid ISO 8601"
        raise ScriptError(message, element_id=_where(my_task)) from exc
    if literal is not None:
        return literal
    value = my_task.workflow.script_engine.evaluate(my_task, expression)
    if isinstance(value, str) and kind == TIME_DATE:
        return office_moment(value)
    if isinstance(value, str) and kind == TIME_CYCLE:
        return _office_cycle(value)
    return value


def _where(my_task: Any) -> str:
    return str(my_task.task_spec.bpmn_id or "")


def _overflow(my_task: Any) -> ScriptError:
    return ScriptError("the timer lies past the year 9999", element_id=_where(my_task))


def _keys(definition: Any, my_task: Any) -> tuple[str, str]:
    """Where a timer keeps its due time and whether it fired, on its task: one timer of a multiple
    event (the timers after an event-based gateway) keys them by its place, so each keeps its own."""
    parts = getattr(my_task.task_spec.event_definition, "event_definitions", None) or []
    for number, part in enumerate(parts):
        if part is definition and number > 0:
            return f"event_value.{number}", f"event_fired.{number}"
    return "event_value", "event_fired"


def _fired(my_task: Any, due: datetime, fired_key: str) -> bool:
    if due <= current_time():
        my_task.internal_data[fired_key] = True
    return bool(my_task.internal_data.get(fired_key, False))


class ClockedTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        value_key, fired_key = _keys(self, my_task)
        event_value = my_task.internal_data.get(value_key)
        if event_value is None:
            event_value = timer_value(my_task, self.expression, TIME_DATE)
            my_task.internal_data[value_key] = event_value
        return _fired(my_task, TimerEventDefinition.parse_time_or_duration(event_value), fired_key)


class ClockedDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task: Any) -> bool:
        value_key, fired_key = _keys(self, my_task)
        event_value = my_task.internal_data.get(value_key)
        if event_value is None:
            expression = timer_value(my_task, self.expression, TIME_DURATION)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = current_time()
            try:
                event_value = (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()
            except OverflowError:
                raise _overflow(my_task) from None
            my_task.internal_data[value_key] = event_value
        return _fired(my_task, TimerEventDefinition.get_datetime(event_value), fired_key)


def task_due(my_task: Any) -> datetime | None:
    """The earliest due time a waiting timer task has recorded (of each of a multiple event's timers)."""
    found = [
        due
        for key, value in my_task.internal_data.items()
        if key == "event_value" or key.startswith("event_value.")
        if (due := due_time(value)) is not None
    ]
    return min(found) if found else None


class ClockedCycle(CycleTimerEventDefinition):
    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        now = current_time()
        if event_value is None:
            expression = timer_value(my_task, self.expression, TIME_CYCLE)
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
