"""Moving a running instance onto a newer version of its process, with SpiffWorkflow's diff and
migrate utilities, only when that is safe.

Safe means, as in Camunda's migration: every step the instance waits at (a person's step, a timer,
a message) is in the new version as the same kind of element, in the same lane, with the same
form, and so is the sub-process it is inside. Steps already done are history (the request's log
keeps them); what comes after the waiting steps may change freely: that is the point of the new
version (a step removed further on is skipped). The waiting steps keep their ids, so the rows
outside the engine that name them stay right. A finished call into a sub-process the new version
no longer calls is let go with the old version.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .parsing import Definition
from .serialization import _FULL_REGISTRY

_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_SAME = ("typename", "lane", "bpmn_id")  # what an open step must keep; its outputs may change


@dataclass(frozen=True)
class Refusal:
    """Why an instance may not move: a code, the element it concerns, and its name."""

    code: str  # "removed" (the element it waits at is gone), "changed" (its kind, lane or form)
    bpmn_id: str
    name: str


@dataclass(frozen=True)
class MigrationPlan:
    refusals: tuple[Refusal, ...]
    waiting: tuple[str, ...]  # the bpmn ids the instance waits at
    waiting_names: tuple[str, ...] = ()  # their names, in the same order

    @property
    def safe(self) -> bool:
        return not self.refusals


def _name(spec: Any) -> str:
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _changed(old: Any, new: Any, old_def: Definition, new_def: Definition) -> bool:
    before, after = _FULL_REGISTRY.convert(old), _FULL_REGISTRY.convert(new)
    if any(before.get(key) != after.get(key) for key in _SAME):
        return True
    bpmn_id = str(getattr(old, "bpmn_id", None) or "")
    return bool(bpmn_id) and old_def.form_for(bpmn_id) != new_def.form_for(bpmn_id)


def _diffs(workflow: Any, new: Definition) -> list[tuple[Any, SpecDiff | None]]:
    """Each (sub)workflow with the diff of its spec against the new version's (None: its process is gone)."""
    pairs: list[tuple[Any, SpecDiff | None]] = [(workflow, SpecDiff(_FULL_REGISTRY, workflow.spec, new.spec))]
    for sub in workflow.subprocesses.values():
        target = new.subprocess_specs.get(sub.spec.name)
        pairs.append((sub, SpecDiff(_FULL_REGISTRY, sub.spec, target) if target is not None else None))
    return pairs


def _refusals_of(sub: Any, diff: SpecDiff | None, old_def: Definition, new_def: Definition) -> list[Refusal]:
    refusals = []
    for task in sub.get_tasks(skip_subprocesses=True):
        spec = task.task_spec
        if not getattr(spec, "bpmn_id", None):
            continue  # the engine's own start and end tasks
        target = diff.alignment.get(spec) if diff is not None else None
        exact = target is not None and target.name == spec.name
        if task.state & _OPEN and not exact:
            refusals.append(Refusal("removed", spec.bpmn_id, _name(spec)))
        elif task.state & _OPEN and _changed(spec, target, old_def, new_def):
            refusals.append(Refusal("changed", spec.bpmn_id, _name(spec)))
    return refusals


def migration_plan(instance: Any, new: Definition) -> MigrationPlan:
    """Whether `instance` (engine.Instance) may move onto `new`, and if not, why."""
    workflow = instance.workflow
    refusals: list[Refusal] = []
    for sub, diff in _diffs(workflow, new):
        refusals += _refusals_of(sub, diff, instance.definition, new)
    specs = {t.task_spec.bpmn_id: t.task_spec for t in workflow.get_tasks(state=_OPEN) if t.task_spec.bpmn_id}
    waiting = tuple(sorted(specs))
    unique = tuple(dict.fromkeys(refusals))
    return MigrationPlan(unique, waiting, tuple(_name(specs[b]) for b in waiting))


def migrate(instance: Any, new: Definition) -> None:
    """Move `instance` onto `new` (the caller checked migration_plan, and runs this inside the
    instance's command, which advances it afterwards). Steps it waits at keep their ids."""
    workflow = instance.workflow
    for sub, diff in _diffs(workflow, new):
        if diff is None:  # a finished call into a process the new version does not have (the plan saw to it)
            workflow.subprocesses.pop(next(k for k, v in workflow.subprocesses.items() if v is sub))
            continue
        target = new.spec if sub is workflow else new.subprocess_specs[sub.spec.name]
        # A waiting timer keeps when it falls due: its clock started when the request reached it.
        clocks = {t.id: copy.deepcopy(t.internal_data) for t in sub.get_tasks(state=TaskState.WAITING)}
        # Waiting steps are re-predicted from the new version; each keeps its task and so its id.
        migrate_workflow(WorkflowDiff(sub, diff), sub, target)
        for task_id, internal in clocks.items():
            if task_id in sub.tasks:
                sub.tasks[task_id].internal_data = internal
    workflow.subprocess_specs = dict(new.subprocess_specs)
    instance.definition = new
