"""Bounded instance state: the stored task tree keeps what the engine needs to go on, not its past.

SpiffWorkflow keeps every task ever run in the tree, so a request that loops back grows its state
(and the cost of every later load and save) with each round. History already lives in the
portal's event log; what a workflow needs to continue is:

* every unfinished task (ready, waiting, started, predicted; its unfinished children are
  unfinished tasks too) with its parent: a waiting timer or join inherits its parent's data each
  time it is updated, so the parent must be the real one, not an older ancestor; a running
  multi-instance task keeps its finished instances (as many as its items);
* the parent of every kept join task (parallel, inclusive and end joins read the state, spec and
  data of their siblings' parents) and, for a waiting structured join (the join after a task with
  boundary events), the split it looks for and that split's children;
* for a live parallel join, the nearest ancestor of each of its inputs: a join inside a loop
  counts a branch that arrived in an earlier round by finding it among its ancestors;
* the root and its children (where SpiffWorkflow adds triggered paths), `last_task`, and the
  finished tasks the runtime reads: the latest completed task (the data a page shows) and the
  last end event reached (the request's outcome);
* subprocess workflows whose task is kept, each compacted by the same rules.

Everything else is left out of the stored dict; a kept task whose parent is left out hangs under
its nearest kept ancestor, with its data stored as a delta against that ancestor's. Leaving out
whole chains this way keeps the ancestor relation among kept tasks (what a join's "is this an
earlier round?" test reads) and the depth-first order of the tree. Task ids do not change.
The live workflow is not touched: only the dict is rewritten. Compacting a state restored from a
compacted state keeps every task, so saving twice gives the same state.

Known differences from the full tree, both from finished join tasks of earlier rounds being gone:
* a join that fires merges the data of its finished sibling join tasks; an end join cancelled
  long ago on a side branch (a reminder that ended, superseded by a later one) is no longer
  there, so data written only on that branch is not merged into the final data;
* a parallel join inside a loop waits for all its branches in every round; with the full tree
  an earlier round's cancelled join task counts as an arrived branch and the join fires early.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR


def latest_completed(workflow: Any) -> Any:
    """The completed task that changed state last (ties: the last in tree order), or None."""
    return _latest(workflow)[0]


def last_end_event(workflow: Any) -> Any:
    """The end event of the top process reached last, or None."""
    return _latest(workflow)[1]


def _latest(workflow: Any) -> tuple[Any, Any]:
    """(latest completed task, last end event of `workflow` itself) in one walk of the tree."""
    latest = end = None
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if latest is None or task.last_state_change >= latest.last_state_change:
            latest = task
        is_end = isinstance(task.task_spec, EndEvent) and task.workflow is workflow
        if is_end and (end is None or task.last_state_change > end.last_state_change):
            end = task  # ties: the first, as max() picks
    return latest, end


def compact_state(workflow: Any, state: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a workflow's serialized `state` (in place) to the part the engine needs; returns it."""
    read = [t for t in _latest(workflow) if t is not None]
    kept = _kept(workflow, read)
    state["tasks"] = _rewritten(workflow, state["tasks"], kept)
    subprocesses = state.get("subprocesses", {})
    state["subprocesses"] = _live_subprocesses(workflow, subprocesses, kept, read) if subprocesses else {}
    return state


def _live_subprocesses(workflow: Any, subprocesses: dict[str, Any], kept: set[Any], read: list[Any]) -> dict[str, Any]:
    """The subprocesses whose task is kept (in whichever workflow holds it), each compacted."""
    result: dict[str, Any] = {}
    holders = {str(task.id) for task in kept}
    grew = True
    while grew:  # a subprocess may be called from inside another one
        grew = False
        for key, sub in subprocesses.items():
            if key in result or key not in holders:
                continue
            sub_workflow = workflow.subprocesses[UUID(key)]
            sub_kept = _kept(sub_workflow, read)
            holders |= {str(task.id) for task in sub_kept}
            result[key] = {**sub, "tasks": _rewritten(sub_workflow, sub["tasks"], sub_kept)}
            grew = True
    return {key: result[key] for key in subprocesses if key in result}


def _kept(workflow: Any, read: list[Any]) -> set[Any]:
    """The tasks of `workflow` (one task tree, subprocesses apart) the state must hold."""
    root = workflow.task_tree
    seeds = [root, *root.children, *(t for t in workflow.tasks.values() if t.has_state(_LIVE))]
    seeds += [t for t in (workflow.last_task, *read) if t is not None and t.workflow is workflow]
    kept: set[Any] = set()  # tasks hash by identity: cheaper than by id
    todo = list(seeds)
    while todo:
        task = todo.pop()
        if task is None or task in kept or task.workflow is not workflow:
            continue
        kept.add(task)
        todo.extend(_needs(task))
    return kept


def _needs(task: Any) -> list[Any]:
    """The other tasks a kept `task` reads."""
    needs: list[Any] = []
    spec = task.task_spec
    if task.has_state(_LIVE):
        needs.append(task.parent)
        if isinstance(spec, MultiInstanceTask):  # its instances, finished ones too (as many as its items)
            needs += task.children
        if isinstance(spec, Join) and spec.split_task is not None:
            split = task.find_ancestor(spec.split_task)
            if split is not None:
                needs += [split, *split.children]
        if isinstance(spec, ParallelGateway):
            needs += _nearest_inputs(task, spec)
    elif isinstance(spec, Join):
        needs.append(task.parent)
    return needs


def _nearest_inputs(task: Any, spec: Any) -> list[Any]:
    """The nearest ancestor of each of a parallel join's inputs: a join inside a loop counts an
    earlier round's branch as arrived by finding it among its ancestors (ParallelGateway's threshold)."""
    wanted, found = set(spec.inputs), []
    ancestor = task.parent
    while ancestor is not None and wanted:
        if ancestor.task_spec in wanted:
            wanted.discard(ancestor.task_spec)
            found.append(ancestor)
        ancestor = ancestor.parent
    return found


def _rewritten(workflow: Any, tasks: dict[str, Any], kept: set[Any]) -> dict[str, Any]:
    """The serialized task mapping with only `kept` tasks, each linked to its nearest kept ancestor
    (in depth-first order: the order a task's data needs, its parent's restored first)."""
    links = _links(workflow.task_tree, kept)
    keys = {task: str(task.id) for task in links}
    result: dict[str, Any] = {}
    for task, (parent, children) in links.items():
        key = keys[task]
        entry = {**tasks[key], "children": [keys[child] for child in children]}
        if parent is not None and parent.id != task._parent:
            entry["parent"] = keys[parent]
            entry["data"] = {}
            entry["delta"] = {
                "updates": DeepMerge.get_updated_keys(parent.data, task.data),
                "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
            }
        result[key] = entry
    return result


def _links(root: Any, kept: set[Any]) -> dict[Any, tuple[Any, list[Any]]]:
    """For each kept task under `root`: its nearest kept ancestor and the kept tasks hanging below it."""
    links: dict[Any, tuple[Any, list[Any]]] = {root: (None, [])}
    stack = [(child, root) for child in reversed(root.children) if child is not None]
    while stack:
        task, anchor = stack.pop()
        if task in kept:
            links[anchor][1].append(task)
            links[task] = (anchor, [])
            anchor = task
        stack.extend((child, anchor) for child in reversed(task.children) if child is not None)
    return links
