"""Turning BPMN bytes into a runnable, storable Definition (the parser seam)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ReceiveTask,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)

from .decisions import DecisionTask, DecisionTaskParser, Library
from .forms import Form, FormField, Option
from .messages import MessagesParsed
from .timers import clocked

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
BPMN = "{" + NS["bpmn"] + "}"
CAMUNDA = "{" + NS["camunda"] + "}"
# The elements a person completes: a user task (with its form), a manual task and a plain task
# (no form: the officer confirms the work is done).
HUMAN_STEP_TAGS = frozenset({f"{BPMN}userTask", f"{BPMN}manualTask", f"{BPMN}task"})


class _ClockedTimers:
    def parse_timer_event(self, event: Any) -> Any:
        return clocked(super().parse_timer_event(event))  # type: ignore[misc]


class _StartEventParser(_ClockedTimers, MessagesParsed, CamundaStartEventParser):
    pass


class _EndEventParser(_ClockedTimers, MessagesParsed, CamundaEndEventParser):
    pass


class _CatchEventParser(_ClockedTimers, MessagesParsed, CamundaIntermediateCatchEventParser):
    pass


class _ThrowEventParser(_ClockedTimers, MessagesParsed, CamundaIntermediateThrowEventParser):
    pass


class _BoundaryEventParser(_ClockedTimers, MessagesParsed, CamundaBoundaryEventParser):
    pass


class _ReceiveTaskParser(_ClockedTimers, MessagesParsed, ReceiveTaskParser):
    pass


class ServiceParser(CamundaParser):
    """The Camunda parser with timers that read the engine clock and one kind of message (engine/messages.py)."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (_StartEventParser, StartEvent),
        full_tag("endEvent"): (_EndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (_CatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (_ThrowEventParser, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (_BoundaryEventParser, BoundaryEvent),
        full_tag("receiveTask"): (_ReceiveTaskParser, ReceiveTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
    }

    def __init__(self, library: Library | None = None) -> None:
        super().__init__()
        self.library = library or Library()


def form_of(node: etree._Element) -> Form:
    """Read `camunda:formData` under a start event or user task."""
    fields: list[FormField] = []
    for xml_field in node.iterfind(".//camunda:formData/camunda:formField", NS):
        options: list[Option] = []
        constraints: dict[str, str | None] = {}
        for child in xml_field:
            if child.tag == f"{CAMUNDA}value":
                options.append(Option(str(child.get("id") or ""), str(child.get("name") or "")))
            elif child.tag == f"{CAMUNDA}validation":
                for c in child:
                    if c.get("name"):
                        constraints[str(c.get("name"))] = c.get("config")
        fid = str(xml_field.get("id") or "")
        fields.append(
            FormField(
                id=fid,
                label=str(xml_field.get("label") or fid),
                type=str(xml_field.get("type") or "string"),
                required="required" in constraints,
                default=xml_field.get("defaultValue"),
                options=tuple(options),
                constraints=constraints,
            )
        )
    return Form(tuple(fields))


def sha256_of(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


@dataclass(frozen=True)
class Decision:
    """How a signing or approval step is decided, as the diagram declares it (`paten.decision.*`).

    `field` is the step's enum field; `approve` the value that approves (and issues the letter, on
    a signing step), `return_` the value that sends the file back, `note` the text field for the
    reason (optional).
    """

    field: str
    approve: str
    return_: str
    note: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "approve": self.approve, "return": self.return_, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Decision:
        return cls(str(d["field"]), str(d["approve"]), str(d["return"]), d.get("note") or None)


@dataclass
class Definition:
    """A parsed service process, ready to start instances; immutable once built."""

    code: str
    name: str
    sha256: str
    spec: Any
    subprocess_specs: dict[str, Any]
    start_form: Form
    forms: dict[str, Form]
    lanes: dict[str, str | None]
    element_names: dict[str, str] = field(default_factory=dict)
    # bpmn id -> condition (restricted Python over the task's data) under which completing
    # that user task issues the service's letter (the `paten.letter` property).
    letter_conditions: dict[str, str] = field(default_factory=dict)
    # bpmn id -> condition under which completing that user task declares the file complete,
    # which starts the service-level clock (the `paten.clock` property).
    clock_conditions: dict[str, str] = field(default_factory=dict)
    # bpmn id -> expression giving the step's due time as ISO 8601 text (the `paten.due` property),
    # e.g. `working_hours(4)`; evaluated when the step becomes ready.
    due_expressions: dict[str, str] = field(default_factory=dict)
    # timer boundary event id -> (the step it is attached to, extra roles to remind): when such a
    # non-interrupting timer fires, the step's holders (and those roles) get a reminder
    # (the `paten.remind` property, its value the extra roles, comma-separated, or empty).
    reminders: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # bpmn id -> (x, y) of the element's shape in the diagram, for drawing the procedure.
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    # bpmn id -> "verify" or "approve" (the `paten.duty` property): separation of duties keeps
    # whoever verified a request from approving it. A step with `paten.letter` approves by default.
    duties: dict[str, str] = field(default_factory=dict)
    # bpmn id -> how the step is decided (the `paten.decision.*` properties): read by the camat's
    # inbox to approve or send back from the list.
    decisions: dict[str, Decision] = field(default_factory=dict)
    # bpmn id -> the field of that step (the hand-over) that must carry the number of the letter
    # issued for the request (the `paten.letter_number` property); the portal fills it in.
    letter_number_fields: dict[str, str] = field(default_factory=dict)
    # message name -> the roles that may send it from outside (the `paten.sender` property of the
    # elements that wait for it; `pemohon`: the applicant herself).
    message_senders: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def procedure(self) -> list[tuple[str, str, str | None]]:
        """The human steps as (bpmn id, name, role), in the diagram's left-to-right order."""
        far = (float("inf"), float("inf"))
        steps = sorted(self.forms, key=lambda bid: (self.positions.get(bid, far), bid))
        return [(bid, self.element_names.get(bid, bid), self.lanes.get(bid)) for bid in steps]

    def duty_of(self, bpmn_id: str) -> str | None:
        """The step's duty for separation of duties: its `paten.duty`, else "approve" if it issues the letter."""
        duty = self.duties.get(bpmn_id)
        if duty:
            return duty
        return DUTY_APPROVE if bpmn_id in self.letter_conditions else None

    def form_for(self, bpmn_id: str) -> Form:
        return self.forms.get(bpmn_id, Form())

    @functools.cached_property
    def has_timers(self) -> bool:
        """Whether any process of this definition can ever wait on a timer."""
        specs = [self.spec, *self.subprocess_specs.values()]
        return any(
            isinstance(ts, CatchingEvent) and has_timer(ts.event_definition)
            for spec in specs
            if spec is not None
            for ts in spec.task_specs.values()
        )


def has_timer(definition: Any) -> bool:
    """Whether an event waits on a timer: its own, or one of a multiple event's (an event-based
    gateway gathers the events after it into one)."""
    if isinstance(definition, TimerEventDefinition):
        return True
    return any(isinstance(part, TimerEventDefinition) for part in getattr(definition, "event_definitions", None) or [])


LETTER_PROPERTY = "paten.letter"
CLOCK_PROPERTY = "paten.clock"
DUE_PROPERTY = "paten.due"
REMIND_PROPERTY = "paten.remind"
DUTY_PROPERTY = "paten.duty"
DECISION_PROPERTIES = {
    "field": "paten.decision.field",
    "approve": "paten.decision.approve",
    "return": "paten.decision.return",
    "note": "paten.decision.note",
}
LETTER_NUMBER_PROPERTY = "paten.letter_number"
SENDER_PROPERTY = "paten.sender"
# The elements that wait for a message: catch, start and boundary events with a message
# definition, and receive tasks.
MESSAGE_CATCH_TAGS = frozenset(
    {f"{BPMN}intermediateCatchEvent", f"{BPMN}startEvent", f"{BPMN}boundaryEvent", f"{BPMN}receiveTask"}
)
DUTY_VERIFY = "verify"
DUTY_APPROVE = "approve"
DUTIES = (DUTY_VERIFY, DUTY_APPROVE)
CONDITION_PROPERTIES = (LETTER_PROPERTY, CLOCK_PROPERTY)


def property_of(node: etree._Element, name: str) -> str | None:
    """The value of a `camunda:property` of an element, or None."""
    for prop in node.iterfind("bpmn:extensionElements/camunda:properties/camunda:property", NS):
        if prop.get("name") == name:
            return str(prop.get("value") or "")
    return None


def decision_of(node: etree._Element) -> Decision | None:
    """The step's declared decision; None when it declares none or leaves out a required part."""
    parts = {key: (property_of(node, name) or "").strip() for key, name in DECISION_PROPERTIES.items()}
    if not (parts["field"] and parts["approve"] and parts["return"]):
        return None
    return Decision(parts["field"], parts["approve"], parts["return"], parts["note"] or None)


def message_name(root: etree._Element, node: etree._Element) -> str | None:
    """The name of the message an element waits for or throws (its bpmn:message's name), or None."""
    definition = node.find("bpmn:messageEventDefinition", NS)
    ref = node.get("messageRef") if node.tag == f"{BPMN}receiveTask" else None
    if definition is None and ref is None:
        return None
    ref = ref or (definition.get("messageRef") if definition is not None else None)
    if not ref:
        return str(node.get("name") or node.get("id") or "")
    found = next((m for m in root.iterfind("bpmn:message", NS) if m.get("id") == ref), None)
    return str((found.get("name") if found is not None else None) or ref)


def senders_of(node: etree._Element) -> tuple[str, ...]:
    value = property_of(node, SENDER_PROPERTY) or ""
    return tuple(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))


def message_senders(root: etree._Element, process: etree._Element) -> dict[str, tuple[str, ...]]:
    senders: dict[str, tuple[str, ...]] = {}
    for node in process.iter(*MESSAGE_CATCH_TAGS):
        name = message_name(root, node)
        if name is not None:
            senders[name] = tuple(dict.fromkeys((*senders.get(name, ()), *senders_of(node))))
    return senders


def _step_positions(
    root: etree._Element, reached: list[tuple[etree._Element, etree._Element, str]], steps: Mapping[str, Any]
) -> dict[str, tuple[float, float]]:
    """Where each human step sits in the service's diagram; a called process's steps sit at the call
    activity that calls it, in their own diagram's order, so the procedure lists them in their place."""
    own = shape_positions(root)
    anchors: dict[str, tuple[float, float]] = {}
    for call in root.iter(f"{BPMN}callActivity"):
        target, where = call.get("calledElement"), own.get(str(call.get("id")))
        if target and where is not None:
            anchors.setdefault(target, where)
    positions = {k: v for k, v in own.items() if k in steps}
    for file_root, process, _name in reached:
        anchor = anchors.get(str(process.get("id")))
        if anchor is None or file_root is root:
            continue
        inner = shape_positions(file_root)
        ids = {str(e.get("id")) for e in process.iter() if e.get("id") in steps and e.get("id") not in positions}
        for rank, bid in enumerate(sorted(ids, key=lambda b: (inner.get(b, (0.0, 0.0)), b)), start=1):
            positions[bid] = (anchor[0] + rank / 100, anchor[1])
    return positions


def shape_positions(root: etree._Element) -> dict[str, tuple[float, float]]:
    positions: dict[str, tuple[float, float]] = {}
    for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"):
        bounds = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        element = shape.get("bpmnElement")
        if bounds is None or not element:
            continue
        try:
            positions[element] = (float(bounds.get("x", "0")), float(bounds.get("y", "0")))
        except ValueError:
            continue
    return positions


def process_element(root: etree._Element, process_id: str) -> etree._Element | None:
    for p in root.iterfind(".//bpmn:process", NS):
        if p.get("id") == process_id:
            return p
    return None


@dataclass
class _StepProperties:
    """What the `paten.*` properties of a process's user tasks say, by bpmn id."""

    letters: dict[str, str] = field(default_factory=dict)
    clocks: dict[str, str] = field(default_factory=dict)
    dues: dict[str, str] = field(default_factory=dict)
    duties: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    number_fields: dict[str, str] = field(default_factory=dict)

    def read(self, node: etree._Element, nid: str) -> None:
        condition = property_of(node, LETTER_PROPERTY)
        if condition is not None:
            self.letters[nid] = condition.strip() or "True"
        condition = property_of(node, CLOCK_PROPERTY)
        if condition is not None:
            self.clocks[nid] = condition.strip() or "True"
        expression = property_of(node, DUE_PROPERTY)
        if expression:
            self.dues[nid] = expression.strip()
        duty = property_of(node, DUTY_PROPERTY)
        if duty and duty.strip() in DUTIES:
            self.duties[nid] = duty.strip()
        decision = decision_of(node)
        if decision is not None:
            self.decisions[nid] = decision
        number_field = (property_of(node, LETTER_NUMBER_PROPERTY) or "").strip()
        if number_field:
            self.number_fields[nid] = number_field


def called_processes(
    root: etree._Element, code: str, library: Library | None
) -> list[tuple[etree._Element, etree._Element, str]]:
    """(file root, process, file name) of the service's process and of every process its call
    activities reach, in this file or in the library's shared files, each once."""
    from .xmlsafe import MAX_BPMN_BYTES, parse_xml

    library = library or Library()
    files: dict[str, etree._Element] = {}
    found: list[tuple[etree._Element, etree._Element, str]] = []
    seen: set[str] = set()
    todo = [(root, code, "")]
    while todo:
        file_root, pid, filename = todo.pop(0)
        process = process_element(file_root, pid)
        if process is None and pid in library.processes:
            filename, source = library.processes[pid]
            file_root = files.setdefault(filename, parse_xml(source, max_bytes=MAX_BPMN_BYTES))
            process = process_element(file_root, pid)
        if process is None or pid in seen:
            continue
        seen.add(pid)
        found.append((file_root, process, filename))
        for node in process.iter(f"{BPMN}callActivity"):
            todo.append((file_root, (node.get("calledElement") or "").strip(), filename))
    return found


def build_definition(
    root: etree._Element, filename: str, code: str, sha256: str, library: Library | None = None
) -> Definition:
    """Parse the process `code` from an already-hardened XML tree (its decisions and shared
    sub-processes from `library`); SpiffWorkflow errors propagate."""
    parser = ServiceParser(library)
    parser.add_bpmn_xml(root, filename=filename)
    reached = called_processes(root, code, library)
    for shared_root, shared_name in {id(r): (r, n) for r, _p, n in reached if r is not root}.values():
        parser.add_bpmn_xml(shared_root, filename=shared_name)
    spec = parser.get_spec(code)
    subprocess_specs = parser.get_subprocess_specs(code)
    process = reached[0][1]
    elements = _Elements()
    for file_root, each, _name in reached:
        elements.read(file_root, each, service=each is process)
    lanes = {
        ts.bpmn_id: ts.lane
        for one in (spec, *subprocess_specs.values())
        for ts in one.task_specs.values()
        if getattr(ts, "bpmn_id", None)
    }
    steps, forms = elements.steps, elements.forms
    return Definition(
        code=code, name=str(process.get("name") or code), sha256=sha256, spec=spec,
        subprocess_specs=subprocess_specs, start_form=elements.start_form, forms=forms, lanes=lanes,
        element_names=elements.names, letter_conditions=steps.letters, clock_conditions=steps.clocks,
        due_expressions=steps.dues, reminders=elements.reminders,
        positions=_step_positions(root, reached, forms),
        duties=steps.duties, decisions=steps.decisions, letter_number_fields=steps.number_fields,
        message_senders=elements.senders,
    )  # fmt: skip


@dataclass
class _Elements:
    """What the service's process and the processes it calls say of their elements, by bpmn id."""

    start_form: Form = field(default_factory=Form)
    forms: dict[str, Form] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    steps: _StepProperties = field(default_factory=_StepProperties)
    reminders: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    senders: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def read(self, root: etree._Element, process: etree._Element, *, service: bool) -> None:
        for node in process.iter():
            if not isinstance(node.tag, str) or node.get("id") is None:
                continue
            nid = str(node.get("id"))
            if node.get("name"):
                self.names[nid] = str(node.get("name"))
            if node.tag in HUMAN_STEP_TAGS:
                self.forms[nid] = form_of(node) if node.tag == f"{BPMN}userTask" else Form()
                self.steps.read(node, nid)
            elif node.tag == f"{BPMN}startEvent" and node.getparent() is process and service:
                self.start_form = form_of(node)
            elif node.tag == f"{BPMN}boundaryEvent":
                roles = property_of(node, REMIND_PROPERTY)
                if roles is not None:
                    extra = tuple(r.strip() for r in roles.split(",") if r.strip())
                    self.reminders[nid] = (str(node.get("attachedToRef") or ""), extra)
        for name, senders in message_senders(root, process).items():
            self.senders[name] = tuple(dict.fromkeys((*self.senders.get(name, ()), *senders)))
