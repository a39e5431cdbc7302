"""The engine Definition of a stored version, built from its stored spec once per process."""

from __future__ import annotations

import threading
from collections import OrderedDict

import engine

from .models import ProcessDefinition

_CACHE_LOCK = threading.Lock()
_DEFINITIONS: OrderedDict[tuple[int, str], engine.Definition] = OrderedDict()
_CACHE_SIZE = 64


def definition_runtime(definition: ProcessDefinition) -> engine.Definition:
    """The runnable definition of a version (versions are immutable, so it is cached by id and hash)."""
    key = (definition.pk, definition.sha256)
    with _CACHE_LOCK:
        cached = _DEFINITIONS.get(key)
        if cached is not None:
            _DEFINITIONS.move_to_end(key)
            return cached
    built = engine.definition_from_dict(definition.spec_json)
    with _CACHE_LOCK:
        _DEFINITIONS[key] = built
        while len(_DEFINITIONS) > _CACHE_SIZE:
            _DEFINITIONS.popitem(last=False)
    return built


def step_properties(definition: engine.Definition, bpmn_id: str) -> dict[str, object]:
    """What the diagram declares of a user task that its pages need, stored on its HumanTask row."""
    decision = definition.decisions.get(bpmn_id)
    return {
        "decision": decision.to_dict() if decision is not None else None,
        "duty": definition.duty_of(bpmn_id),
        "starts_clock": bpmn_id in definition.clock_conditions,
        "issues_letter": bpmn_id in definition.letter_conditions,
        "letter_number_field": definition.letter_number_fields.get(bpmn_id),
    }
