"""Saving and loading workflows (the serializer seam).

A definition's spec is stored once per version; an instance's state is SpiffWorkflow's own
dictionary format without the spec, and gets the definition's already-built spec on load. The
state holds only the part of the task tree the engine needs to go on (engine/compaction.py); a
state written in full, as before compaction existed, loads the same way and is compacted when
it is next saved.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer, DefaultRegistry
from SpiffWorkflow.bpmn.serializer.default import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG

from .compaction import compact_state
from .decisions import TYPENAME as DECISION_TYPENAME
from .decisions import DecisionTask, DecisionTaskConverter
from .forms import Form
from .messages import TYPENAME as MESSAGE_TYPENAME
from .messages import Message, MessageConverter
from .parsing import Decision, Definition
from .timers import CLOCKED

SERIALIZER_VERSION = SPIFF_SERIALIZER_VERSION
SPEC_FORMAT = 1


class _Prebuilt:
    """Marks a spec object that needs no restoring."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


class _Registry(DefaultRegistry):
    def restore(self, dct: Any, **kwargs: Any) -> Any:
        if isinstance(dct, _Prebuilt):
            return dct.spec
        return super().restore(dct, **kwargs)


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out of instance state; on restore the caller supplies built specs."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _registry(spec_free: bool) -> Any:
    registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG, registry=_Registry())
    for original, ours in CLOCKED.items():
        TimerConditionalEventDefinitionConverter(ours, registry, typename=original.__name__)
    MessageConverter(Message, registry, typename=MESSAGE_TYPENAME)
    DecisionTaskConverter(DecisionTask, registry, typename=DECISION_TYPENAME)
    if spec_free:
        _SpecFreeWorkflowConverter(BpmnWorkflow, registry)
    return registry


_SERIALIZER = BpmnWorkflowSerializer(_registry(spec_free=True))
_FULL_REGISTRY = _registry(spec_free=False)


def workflow_to_state(workflow: Any, *, compact: bool = True) -> dict[str, Any]:
    """Instance state as a JSON-ready dict, without the spec (`compact=False`: the whole task tree)."""
    state: dict[str, Any] = _SERIALIZER.to_dict(workflow)
    if compact:
        compact_state(workflow, state)
    state[BpmnWorkflowSerializer.VERSION_KEY] = SERIALIZER_VERSION
    return state


def workflow_from_state(definition: Definition, state: dict[str, Any]) -> Any:
    """Rebuild a workflow from stored state and its definition's spec."""
    dct = dict(state)
    version = dct.pop(BpmnWorkflowSerializer.VERSION_KEY, SERIALIZER_VERSION)
    if version != SERIALIZER_VERSION:
        raise ValueError(f"state written by serializer {version}, this engine reads {SERIALIZER_VERSION}")
    dct["spec"] = _Prebuilt(definition.spec)
    dct["subprocess_specs"] = {k: _Prebuilt(v) for k, v in definition.subprocess_specs.items()}
    dct["tasks"] = _in_tree_order(dct["tasks"])
    dct["subprocesses"] = {
        key: {**sub, "tasks": _in_tree_order(sub["tasks"])} for key, sub in dct.get("subprocesses", {}).items()
    }
    return _SERIALIZER.from_dict(dct)


def _in_tree_order(tasks: dict[str, Any]) -> dict[str, Any]:
    """The task mapping with every parent before its children.

    A task's data is stored as a delta against its parent's, so SpiffWorkflow must restore the
    parent first; it follows the mapping's order, which a store may not keep (PostgreSQL's jsonb
    sorts keys). Depth-first from the roots, children in their recorded order.
    """
    ordered: dict[str, Any] = {}
    stack = [key for key, task in reversed(tasks.items()) if task.get("parent") not in tasks]
    while stack:
        key = stack.pop()
        if key in ordered or key not in tasks:
            continue
        ordered[key] = tasks[key]
        stack.extend(reversed(tasks[key].get("children", [])))
    for key, task in tasks.items():  # unreachable entries (none in a sound state) keep their place
        ordered.setdefault(key, task)
    return ordered


def definition_to_dict(definition: Definition) -> dict[str, Any]:
    """The definition's spec and forms as stored once per version."""
    return {
        "format": SPEC_FORMAT,
        "serializer_version": SERIALIZER_VERSION,
        "code": definition.code,
        "name": definition.name,
        "sha256": definition.sha256,
        "spec": _FULL_REGISTRY.convert(definition.spec),
        "subprocess_specs": {k: _FULL_REGISTRY.convert(v) for k, v in definition.subprocess_specs.items()},
        "start_form": definition.start_form.to_list(),
        "forms": {k: v.to_list() for k, v in definition.forms.items()},
        "lanes": definition.lanes,
        "element_names": definition.element_names,
        "letter_conditions": definition.letter_conditions,
        "clock_conditions": definition.clock_conditions,
        "due_expressions": definition.due_expressions,
        "reminders": {k: [step, list(roles)] for k, (step, roles) in definition.reminders.items()},
        "positions": {k: list(v) for k, v in definition.positions.items()},
        "duties": definition.duties,
        "decisions": {k: v.to_dict() for k, v in definition.decisions.items()},
        "letter_number_fields": definition.letter_number_fields,
        "message_senders": {k: list(v) for k, v in definition.message_senders.items()},
    }


def definition_from_dict(dct: dict[str, Any]) -> Definition:
    """Rebuild a Definition from what `definition_to_dict` stored."""
    if dct.get("format") != SPEC_FORMAT:
        raise ValueError(f"unknown stored definition format {dct.get('format')!r}")
    return Definition(
        code=dct["code"],
        name=dct["name"],
        sha256=dct["sha256"],
        spec=_FULL_REGISTRY.restore(dct["spec"]),
        subprocess_specs={k: _FULL_REGISTRY.restore(v) for k, v in dct["subprocess_specs"].items()},
        start_form=Form.from_list(dct["start_form"]),
        forms={k: Form.from_list(v) for k, v in dct["forms"].items()},
        lanes=dct["lanes"],
        element_names=dct["element_names"],
        letter_conditions=dct["letter_conditions"],
        clock_conditions=dct.get("clock_conditions", {}),
        due_expressions=dct.get("due_expressions", {}),
        reminders={k: (str(v[0]), tuple(v[1])) for k, v in dct.get("reminders", {}).items()},
        positions={k: (float(v[0]), float(v[1])) for k, v in dct["positions"].items()},
        duties=dict(dct.get("duties", {})),  # versions stored before `paten.duty` existed have none
        decisions={k: Decision.from_dict(v) for k, v in dct.get("decisions", {}).items()},
        letter_number_fields=dict(dct.get("letter_number_fields", {})),
        message_senders={k: tuple(v) for k, v in dct.get("message_senders", {}).items()},
    )
