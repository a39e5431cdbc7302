"""What a service's diagram uses from other files (the Library: decision tables, shared
sub-processes), and business rule tasks: a decision table (engine/dmn.py) evaluated over the
process's data.

A service's diagram names a decision with `camunda:decisionRef` on a business rule task; the
answer is kept in the process's data under `camunda:resultVariable` (by default the decision's
id), shaped by the table's hit policy (one value, a mapping of the outputs, or a list of them).
The decision's table (with the decisions it requires) is copied into the parsed definition, so a
request keeps the table it started with however the file changes later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask

from .dmn import Decision, DmnError, DmnEvaluationError, DmnFile, parse_dmn
from .errors import Problem, ScriptError
from .xmlsafe import MAX_BPMN_BYTES

CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
TYPENAME = "PatenDecisionTask"


@dataclass(frozen=True)
class Library:
    """What a service's diagram may use besides its own file: decision tables by decision id, and
    shared sub-processes (processes/shared/*.bpmn) by process id, for its call activities."""

    decisions: Mapping[str, Decision] = field(default_factory=dict)
    # process id -> (file name, source) of a shared sub-process file
    processes: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)
    # decision or process id -> the file it comes from (its name and content's SHA-256)
    sources: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_files(cls, files: Iterable[tuple[str, bytes]]) -> Library:
        """The decisions of `.dmn` files and the executable processes of `.bpmn` ones; DmnError with
        every problem of every file (an id defined twice included)."""
        from .parsing import sha256_of

        decisions: dict[str, Decision] = {}
        processes: dict[str, tuple[str, bytes]] = {}
        sources: dict[str, tuple[str, str]] = {}
        problems: list[Problem] = []

        def claim(key: str, filename: str, source: bytes) -> None:
            if key in sources:
                problems.append(Problem(filename, key, f"'{key}' is also defined in {sources[key][0]}"))
            sources[key] = (filename, sha256_of(source))

        for filename, source in files:
            if filename.lower().endswith(".bpmn"):
                for pid in _executable_ids(source, filename, problems):
                    claim(pid, filename, source)
                    processes[pid] = (filename, source)
                continue
            try:
                parsed = parse_dmn(source, filename)
            except DmnError as exc:
                problems += exc.problems
                continue
            for decision_id, decision in parsed.decisions.items():
                claim(decision_id, filename, source)
                decisions[decision_id] = decision
        if problems:
            raise DmnError(problems)
        return cls(decisions, processes, sources)

    @classmethod
    def from_directory(cls, directory: str | os.PathLike[str]) -> Library:
        """The decisions of `decisions/*.dmn` and the sub-processes of `shared/*.bpmn` under a
        directory (processes/), each missing folder giving none."""
        folder = Path(directory)
        paths = [*sorted((folder / "decisions").glob("*.dmn")), *sorted((folder / "shared").glob("*.bpmn"))]
        return cls.from_files((f"{p.parent.name}/{p.name}", p.read_bytes()[: MAX_BPMN_BYTES + 1]) for p in paths)

    def merged(self, other: Library) -> Library:
        """This library with `other`'s entries added, `other` winning where both define an id."""
        return Library({**self.decisions, **other.decisions}, {**self.processes, **other.processes},
                       {**self.sources, **other.sources})  # fmt: skip


def _executable_ids(source: bytes, filename: str, problems: list[Problem]) -> list[str]:
    from .xmlsafe import UnsafeXml, parse_xml

    try:
        root = parse_xml(source, max_bytes=MAX_BPMN_BYTES)
    except UnsafeXml as exc:
        problems.append(Problem(filename, "-", f"refused: {exc}"))
        return []
    found = [
        str(p.get("id"))
        for p in root.iterfind("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
        if p.get("id") and p.get("isExecutable", "true").strip().lower() == "true"
    ]
    if not found:
        problems.append(Problem(filename, "-", "no executable process to call"))
    return found


class DecisionTask(ScriptEngineTask, BpmnSpecMixin):
    """A business rule task: evaluates its decision over the task's data, keeps the answer."""

    def __init__(self, wf_spec: Any, bpmn_id: str, decision: dict[str, Any] | None, decision_id: str,
                 result_variable: str, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision = decision  # the DMN file's decisions as DmnFile.to_dict() keeps them
        self.decision_id = decision_id
        self.result_variable = result_variable
        self._built: DmnFile | None = None

    def _execute(self, task: Any) -> bool:
        if self.decision is None:
            raise ScriptError(f"decision '{self.decision_id}' is not deployed", element_id=str(self.bpmn_id or ""))
        if self._built is None:
            self._built = DmnFile.from_dict(self.decision)
        try:
            task.data[self.result_variable] = self._built.evaluate(self.decision_id, task.data)
        except DmnEvaluationError as exc:
            raise ScriptError(f"decision '{self.decision_id}': {exc}", element_id=str(self.bpmn_id or "")) from exc
        return True


class DecisionTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct.update(decision=spec.decision, decision_id=spec.decision_id, result_variable=spec.result_variable)
        return dct


class DecisionTaskParser(TaskParser):
    """Reads a business rule task: its decision must be in the parser's library."""

    @staticmethod
    def get_decision_ref(node: Any) -> str:
        """What SpiffWorkflow's DMN-aware parser asks of a business rule task while collecting dependencies."""
        return (node.get(f"{CAMUNDA}decisionRef") or "").strip()

    def create_task(self) -> DecisionTask:
        ref = self.get_decision_ref(self.node)
        library: Library = getattr(self.process_parser.parser, "library", None) or Library()
        decision = library.decisions.get(ref)
        result = (self.node.get(f"{CAMUNDA}resultVariable") or "").strip() or ref
        # A decision not in the library is lint's finding, at this element; the task then never runs.
        stored = DmnFile(decision.filename, dict(decision.peers) or {ref: decision}).to_dict() if decision else None
        return DecisionTask(self.spec, self.bpmn_id, stored, ref, result, **self.bpmn_attributes)
