"""Running a service instance: start, human tasks, timers. Every call takes the command's time."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask as ManualTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.none_task import NoneTask as NoneTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import wire
from .clock import ensure_aware_utc, frozen_at
from .compaction import last_end_event, latest_completed
from .errors import ExecutionError, HumanTaskNotReady, MessageNotAwaited, ScriptError
from .forms import Form
from .ids import STATE_KEY as ID_STATE_KEY
from .ids import IdSource, drawing_from, install
from .messages import Message
from .migration import MigrationPlan, migrate, migration_plan
from .parsing import Definition, has_timer
from .sandbox import SandboxDeferred
from .scripting import RestrictedScriptEngine, evaluate
from .serialization import workflow_from_state, workflow_to_state
from .timers import task_due

_SCRIPT_ENGINE = RestrictedScriptEngine()
install()  # SpiffWorkflow's tasks take their ids from engine/ids.py
# What a person completes: user tasks (a form), manual and plain tasks (no form: confirmed done).
_HUMAN_SPECS = (UserTaskMixin, ManualTaskMixin, NoneTaskMixin)
_E = TypeVar("_E", bound=BaseException)


class InstanceStatus(enum.Enum):
    RUNNING = "running"
    COMPLETED = "completed"


@dataclass(frozen=True)
class HumanTaskInfo:
    """A human step (a user task, or a manual or plain task with an empty form) waiting for a person of `role`."""

    guid: str
    bpmn_id: str
    name: str
    role: str | None
    form: Form


@dataclass(frozen=True)
class WaitingTimer:
    guid: str
    bpmn_id: str
    name: str
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingMessage:
    """A message some element waits for: a catch event, a receive task, a boundary event, or an
    event-based gateway (which waits for the events after it)."""

    guid: str
    bpmn_id: str
    name: str


@dataclass(frozen=True)
class FiredTimer:
    guid: str
    bpmn_id: str
    due_at: datetime | None


def _advance(workflow: Any) -> None:
    """Run engine steps until only people or timers are left (timers refresh at the end)."""
    with _engine_errors():
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()


@contextlib.contextmanager
def _engine_errors(element: str = "") -> Iterator[None]:
    """SpiffWorkflow's exceptions as ours, located at the element that failed (else `element`)."""
    try:
        yield
    except (ScriptError, SandboxDeferred):
        raise
    except SpiffWorkflowException as exc:
        deferred = _cause_of(exc, SandboxDeferred)
        if deferred is not None:
            raise deferred from None  # not a failure: the caller runs the code outside its locks and retries
        task = getattr(exc, "task", None)
        if task is not None:
            element = getattr(task.task_spec, "bpmn_id", "") or element
        cause = _cause_of(exc, ScriptError)
        if cause is not None:
            raise ScriptError(str(cause), element_id=cause.element_id or element) from exc
        raise ExecutionError(str(exc), element_id=element) from exc
    except (KeyError, TypeError, ValueError, NameError, AttributeError, ZeroDivisionError, OverflowError) as exc:
        # OverflowError: date arithmetic past the year 9999 that no timer of ours caught first.
        raise ExecutionError(f"{type(exc).__name__}: {exc}", element_id=element) from exc


def _cause_of(exc: BaseException, kind: type[_E]) -> _E | None:
    """The `kind` exception SpiffWorkflow wrapped (it keeps it only as the exception's context)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class Instance:
    """One running workflow. Not thread-safe; load, act, dump within one command."""

    def __init__(self, definition: Definition, workflow: Any, ids: IdSource | None = None) -> None:
        self.definition = definition
        self.workflow = workflow
        self.ids = ids  # where its tasks' ids come from (engine/ids.py); None: random, as stored before
        workflow.script_engine = _SCRIPT_ENGINE

    @contextlib.contextmanager
    def _acting(self, now: datetime) -> Iterator[None]:
        """A command on the instance: at the time `now`, its new tasks numbered from its own ids."""
        with frozen_at(now), drawing_from(self.ids):
            yield

    @classmethod
    def start(cls, definition: Definition, data: dict[str, Any], *, now: datetime, seed: str | None = None) -> Instance:
        """Start a new instance with `data` as its initial workflow data; `seed` (the request's
        number) makes its task ids repeat when the same commands run again."""
        ids = IdSource(seed) if seed else None
        try:
            with drawing_from(ids):
                workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=_SCRIPT_ENGINE)
        except SpiffWorkflowException as exc:
            raise ExecutionError(f"the process cannot start: {exc}") from exc
        start = workflow.task_tree
        start.data.update(data)
        instance = cls(definition, workflow, ids)
        with instance._acting(now):
            _advance(workflow)
        return instance

    @classmethod
    def restore(cls, definition: Definition, state: dict[str, Any]) -> Instance:
        """Rebuild from `dump()` output (the dict may be consumed)."""
        ids = IdSource.from_dict(state.pop(ID_STATE_KEY, None))
        return cls(definition, workflow_from_state(definition, state), ids)

    def dump(self) -> dict[str, Any]:
        """State for storage, in SpiffWorkflow's format, without the spec (and the ids drawn so far)."""
        state = workflow_to_state(self.workflow)
        if self.ids is not None:
            state[ID_STATE_KEY] = self.ids.to_dict()
        return state

    @property
    def status(self) -> InstanceStatus:
        return InstanceStatus.COMPLETED if self.workflow.completed else InstanceStatus.RUNNING

    @property
    def data(self) -> dict[str, Any]:
        """Workflow data: the last completed task's data once finished, else the root's view."""
        if self.workflow.completed:
            return dict(self.workflow.data)
        latest = latest_completed(self.workflow)
        return dict(latest.data if latest is not None else self.workflow.task_tree.data)

    def end_event(self) -> tuple[str, str] | None:
        """(bpmn id, name) of the end event that finished the top process, if any.

        A side branch (a reminder's, say) may reach an end event of its own earlier; the one that
        finished the process is the last reached.
        """
        end = last_end_event(self.workflow)
        if end is None:
            return None
        spec = end.task_spec
        return spec.bpmn_id, spec.bpmn_name or spec.bpmn_id

    def _human_tasks(self) -> list[Any]:
        return [
            t
            for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
            if isinstance(t.task_spec, _HUMAN_SPECS)
        ]

    def ready_human_tasks(self) -> list[HumanTaskInfo]:
        """User tasks waiting for a person, in a stable order."""
        result = []
        for t in self._human_tasks():
            spec = t.task_spec
            result.append(
                HumanTaskInfo(
                    guid=str(t.id),
                    bpmn_id=spec.bpmn_id,
                    name=spec.bpmn_name or spec.bpmn_id,
                    role=spec.lane,
                    form=self.definition.form_for(spec.bpmn_id),
                )
            )
        return sorted(result, key=lambda h: (h.bpmn_id, h.guid))

    def _ready_task(self, guid: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(str(guid)))
        except (ValueError, KeyError, TypeError, TaskNotFoundException):
            task = None
        if task is None or task.state != TaskState.READY or not isinstance(task.task_spec, _HUMAN_SPECS):
            raise HumanTaskNotReady(f"human task {guid} is not waiting")
        return task

    def validate_human_task(self, guid: str, data: Any) -> dict[str, Any]:
        """Check `data` against the task's form without changing anything."""
        task = self._ready_task(guid)
        return self.definition.form_for(task.task_spec.bpmn_id).validate(data)

    def complete_human_task(
        self, guid: str, data: Any, *, now: datetime, system_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Validate `data` against the task's form, complete it, advance; returns the cleaned data.

        `system_data` is added to the workflow data beside the form's values, unvalidated: what
        the caller itself produced at this step (the issued letter's number, say).
        """
        task = self._ready_task(guid)
        cleaned = self.definition.form_for(task.task_spec.bpmn_id).validate(data)
        with self._acting(now):
            task.data.update(cleaned)
            if system_data:
                task.data.update(system_data)
            with _engine_errors(task.task_spec.bpmn_id):
                task.run()
            _advance(self.workflow)
        return cleaned

    def _timer_tasks(self) -> list[Any]:
        result = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            spec = task.task_spec
            if isinstance(spec, CatchingEvent) and has_timer(spec.event_definition):
                result.append(task)
        return result

    def waiting_messages(self) -> list[WaitingMessage]:
        """The messages the instance waits for now, by element."""
        found = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            spec = task.task_spec
            if not isinstance(spec, CatchingEvent):
                continue
            definition = spec.event_definition
            for part in [definition, *(getattr(definition, "event_definitions", None) or [])]:
                if isinstance(part, MessageEventDefinition):
                    found.append(WaitingMessage(str(task.id), spec.bpmn_id, str(part.name)))
        return sorted(found, key=lambda m: (m.name, m.bpmn_id, m.guid))

    def deliver_message(self, name: str, data: dict[str, Any], *, now: datetime) -> list[str]:
        """Deliver message `name` carrying `data` (kept as the process's data under the message's
        variable, see parsing.message_variable) and advance; returns the ids of the elements that
        were waiting for it. MessageNotAwaited, with nothing changed, when none was."""
        waiting = [m.bpmn_id for m in self.waiting_messages() if m.name == name]
        if not waiting:
            raise MessageNotAwaited(f"nothing in this request waits for the message '{name}' now")
        wire.checked({"data": data})
        event = BpmnEvent(Message(name), payload=data)
        with self._acting(now):
            with _engine_errors(waiting[0]):
                self.workflow.catch(event)
            _advance(self.workflow)
        return waiting

    def waiting_timers(self) -> list[WaitingTimer]:
        """Timers armed and not yet fired, with their due times."""
        timers = []
        for task in self._timer_tasks():
            spec = task.task_spec
            timers.append(
                WaitingTimer(
                    guid=str(task.id),
                    bpmn_id=spec.bpmn_id,
                    name=spec.bpmn_name or spec.bpmn_id,
                    due_at=task_due(task),
                )
            )
        return sorted(timers, key=lambda t: (t.due_at is None, t.due_at, t.guid))

    def migrate_to(self, new: Definition, *, now: datetime) -> MigrationPlan:
        """Move onto `new` if migration_plan says it is safe (then advance as the new version
        says); the plan either way. The instance is unchanged when it is not safe."""
        plan = migration_plan(self, new)
        if not plan.safe:
            return plan
        with self._acting(now):
            migrate(self, new)
            _advance(self.workflow)
        return plan

    def fire_due_timers(self, *, now: datetime) -> list[FiredTimer]:
        """Fire every timer due at or before `now`; returns what fired."""
        now = ensure_aware_utc(now)
        due = [t for t in self.waiting_timers() if t.due_at is not None and t.due_at <= now]
        if not due:
            return []
        with self._acting(now):
            _advance(self.workflow)
        # A timer fired if it waits no more, or (a cycle) waits for its next time.
        still_waiting = {t.guid: t.due_at for t in self.waiting_timers()}
        return [
            FiredTimer(t.guid, t.bpmn_id, t.due_at)
            for t in due
            if t.guid not in still_waiting or still_waiting[t.guid] != t.due_at
        ]


def letter_due(definition: Definition, bpmn_id: str, data: dict[str, Any]) -> bool:
    """Whether completing user task `bpmn_id` with workflow `data` issues the service's letter."""
    return _property_holds(definition.letter_conditions, bpmn_id, data, "letter")


def clock_starts(definition: Definition, bpmn_id: str, data: dict[str, Any]) -> bool:
    """Whether completing user task `bpmn_id` with `data` declares the file complete (starts the SLA clock)."""
    return _property_holds(definition.clock_conditions, bpmn_id, data, "clock")


def step_due(definition: Definition, bpmn_id: str, data: dict[str, Any], *, now: datetime) -> datetime | None:
    """The due time of user task `bpmn_id` becoming ready at `now`, from its `paten.due` expression."""
    expression = definition.due_expressions.get(bpmn_id)
    if not expression:
        return None
    with frozen_at(now):
        try:
            value = evaluate(expression, data)
        except (ScriptError, SandboxDeferred):
            raise
        except Exception as exc:
            raise ExecutionError(f"due expression failed: {type(exc).__name__}: {exc}", element_id=bpmn_id) from exc
    try:
        return ensure_aware_utc(datetime.fromisoformat(str(value)))
    except (TypeError, ValueError) as exc:
        raise ExecutionError(
            f"due expression must give an aware ISO date-time, not {value!r}", element_id=bpmn_id
        ) from exc


def _property_holds(conditions: dict[str, str], bpmn_id: str, data: dict[str, Any], what: str) -> bool:
    condition = conditions.get(bpmn_id)
    if condition is None:
        return False
    try:
        return bool(evaluate(condition, data))
    except (ScriptError, SandboxDeferred):
        raise
    except Exception as exc:
        raise ExecutionError(f"{what} condition failed: {type(exc).__name__}: {exc}", element_id=bpmn_id) from exc


def validate_start_data(definition: Definition, data: Any) -> dict[str, Any]:
    """Check request data against the start event's form; raises FormValidationError."""
    return definition.start_form.validate(data)
