"""Checking a BPMN file before it is deployed; every finding is located, nothing escapes."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .clock import frozen_at
from .decisions import Library
from .errors import DefinitionError, Problem, Severity
from .forms import CONSTRAINTS, FIELD_TYPES, is_identifier
from .messages import message_variable
from .parsing import (
    BPMN,
    CAMUNDA,
    CONDITION_PROPERTIES,
    DECISION_PROPERTIES,
    DUE_PROPERTY,
    DUTIES,
    DUTY_PROPERTY,
    HUMAN_STEP_TAGS,
    LETTER_NUMBER_PROPERTY,
    LETTER_PROPERTY,
    MESSAGE_CATCH_TAGS,
    NS,
    REMIND_PROPERTY,
    SENDER_PROPERTY,
    Decision,
    Definition,
    build_definition,
    called_processes,
    decision_of,
    form_of,
    message_name,
    property_of,
    senders_of,
    sha256_of,
)
from .roles import LANE_ROLES
from .scripting import HELPERS, assigned_names, check_source, evaluate
from .timers import TIME_CYCLE, TIME_DATE, TIME_DURATION, iso_literal, looks_iso
from .xmlsafe import MAX_BPMN_BYTES, UnsafeXml, parse_xml

RESERVED_FIELD_IDS = frozenset(HELPERS) | {"applicant", "authority"}
_HUMAN_KIND = {f"{BPMN}userTask": "user task", f"{BPMN}manualTask": "manual task", f"{BPMN}task": "task"}
_HUMAN_STEP = "human step (a user, manual or plain task)"
_TIMER_KINDS = {TIME_DATE: "a date-time", TIME_DURATION: "a duration", TIME_CYCLE: "a repeating interval"}
_ISO = "write ISO 8601 such as P2D, or an expression such as working_days(2)"
_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")  # five to seven fields: a cron line (Quartz or Unix)
_LINT_CLOCK = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def service_code_of(filename: str) -> str:
    """The service code a file must define: its name without directory and extension."""
    base = os.path.basename(filename)
    return base[: -len(".bpmn")] if base.lower().endswith(".bpmn") else os.path.splitext(base)[0]


def _is_executable(process: etree._Element) -> bool:
    # SpiffWorkflow treats a missing attribute as executable; so do we, to agree with what runs.
    return process.get("isExecutable", "true").strip().lower() == "true"


def _one_line(message: str) -> str:
    """Messages quote parsers and diagrams; keep each finding on one output line."""
    return " ".join(message.split())


def _text(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


class _Checker:
    def __init__(self, filename: str, *, naming: bool = True) -> None:
        self.filename = filename
        # PATEN's naming rules: lanes named by roles, the process id the file's name. Set aside
        # (naming=False) to run other projects' diagrams, which follow neither.
        self.naming = naming
        self.library = Library()  # the decision tables business rule tasks may use
        self.problems: list[Problem] = []
        self.process_ids: set[str] = set()  # executable processes a call activity may call

    def error(self, element_id: str | None, message: str) -> None:
        self.problems.append(Problem(self.filename, _one_line(element_id or "") or "-", _one_line(message)))

    def warn(self, element_id: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.filename, _one_line(element_id or "") or "-", _one_line(message), Severity.WARNING)
        )

    def check_process(self, process: etree._Element) -> None:
        pid = process.get("id")
        self.check_reserved_ids(process)
        lane_of: dict[str, str] = {}
        for lane in process.iterfind(".//bpmn:lane", NS):
            name = (lane.get("name") or "").strip()
            refs = [_text(r) for r in lane.iterfind("bpmn:flowNodeRef", NS)]
            if lane.find("bpmn:childLaneSet", NS) is not None and not refs:
                continue
            if self.naming and name not in LANE_ROLES:
                self.error(
                    lane.get("id"),
                    f"lane name '{name}' is not a known role (use one of: {', '.join(sorted(LANE_ROLES))})",
                )
            for ref in refs:
                lane_of[ref] = name
        for node in process.iter(*HUMAN_STEP_TAGS):
            if self.naming and not self._in_lane(node, process, lane_of):
                kind = _HUMAN_KIND[node.tag]
                self.error(node.get("id"), f"{kind} is outside any lane: put it in the lane of the role that does it")
            if node.tag == f"{BPMN}userTask":
                self.check_form(node)
        for node in process.iterfind("bpmn:startEvent", NS):
            self.check_form(node)
        for tag in ("serviceTask", "sendTask"):
            for node in process.iter(f"{BPMN}{tag}"):
                self.error(node.get("id"), f"{tag} is not supported: diagrams may not call external systems; draw a "
                           "user task for the officer who does it, or a message the other side sends in")  # fmt: skip
        for node in process.iter(f"{BPMN}complexGateway"):
            self.error(node.get("id"), "complex gateways are not supported by the engine")
        for node in process.iter(f"{BPMN}callActivity"):
            called = (node.get("calledElement") or "").strip()
            if not called:
                self.error(node.get("id"), "call activity has no calledElement")
            elif called not in self.process_ids and called not in self.library.processes:
                self.error(node.get("id"), f"call activity calls '{called}', neither an executable process of this "
                           "file nor a deployed shared sub-process (processes/shared/*.bpmn)")  # fmt: skip
        for node in process.iter(f"{BPMN}businessRuleTask"):
            self.check_decision_task(process, node)
        self.check_flows(process)
        self.check_messages(process)
        self.check_properties(process)
        for node in process.iter(f"{BPMN}scriptTask"):
            script = _text(node.find("bpmn:script", NS))
            for why in check_source(script, "exec"):
                self.error(node.get("id"), f"script refused: {why}")
        for definition in process.iter(f"{BPMN}timerEventDefinition"):
            parent = definition.getparent()
            if any(a.tag == f"{BPMN}extensionElements" for a in definition.iterancestors()):
                continue  # a Camunda listener's timeout: listeners do not run here (warned below)
            self.check_timer(definition, parent.get("id") if parent is not None else pid)
        for listener in process.iter(f"{CAMUNDA}taskListener", f"{CAMUNDA}executionListener"):
            owner = next((a for a in listener.iterancestors() if a.get("id")), None)
            self.warn(owner.get("id") if owner is not None else pid, "Camunda listeners do not run here: ignored")

    def check_messages(self, process: etree._Element) -> None:
        """Who may send each message a service waits for, under a plain name; what event gateways wait for."""
        root = process.getroottree().getroot()
        declared: dict[str, tuple[str, ...]] = {}
        for node in process.iter(*MESSAGE_CATCH_TAGS):
            name = message_name(root, node)
            if name is None:
                continue
            if self.naming:
                self.check_sender(node, name, declared)
        for gateway in process.iter(f"{BPMN}eventBasedGateway"):
            self.check_event_gateway(process, gateway)

    def check_sender(self, node: etree._Element, name: str, declared: dict[str, tuple[str, ...]]) -> None:
        where = node.get("id")
        if not (name.isidentifier() and name.isascii()) or name in RESERVED_FIELD_IDS:
            self.error(where, f"message name '{name[:60]}' must be a plain name (letters, digits, _; not reserved): "
                       "what the message carries is kept under it")  # fmt: skip
        senders = senders_of(node)
        if not senders:
            self.error(where, f"nobody may send the message '{name[:60]}': set '{SENDER_PROPERTY}' to the roles "
                       "that send it (pemohon: the applicant)")  # fmt: skip
        for role in senders:
            if role not in LANE_ROLES:
                self.error(
                    where, f"'{SENDER_PROPERTY}' names '{role[:40]}', not a role ({', '.join(sorted(LANE_ROLES))})"
                )
        if name in declared and set(declared[name]) != set(senders):
            self.error(where, f"the message '{name[:60]}' is waited for elsewhere with other senders: give every "
                       "wait for it the same senders")  # fmt: skip
        declared.setdefault(name, senders)

    def check_event_gateway(self, process: etree._Element, gateway: etree._Element) -> None:
        """An event-based gateway waits for the events after it: catch events or receive tasks."""
        gid = gateway.get("id")
        targets = {f.get("targetRef") for f in process.iter(f"{BPMN}sequenceFlow") if f.get("sourceRef") == gid}
        nodes = [n for n in process.iter() if isinstance(n.tag, str) and n.get("id") in targets]
        for node in nodes:
            if node.tag not in (f"{BPMN}intermediateCatchEvent", f"{BPMN}receiveTask"):
                self.error(gid, f"an event-based gateway leads only to catch events or receive tasks, not to "
                           f"'{node.get('id')}'")  # fmt: skip
        if len(nodes) < 2:
            self.error(gid, "an event-based gateway needs two or more events to choose between")

    def check_decision_task(self, process: etree._Element, node: etree._Element) -> None:
        """A business rule task names a deployed decision, and the decision reads data the process has."""
        ref = (node.get(f"{CAMUNDA}decisionRef") or "").strip()
        if not ref:
            self.error(node.get("id"), "business rule task has no camunda:decisionRef (the id of a decision table)")
            return
        decision = self.library.decisions.get(ref)
        if decision is None:
            known = ", ".join(sorted(self.library.decisions)) or "none"
            self.error(node.get("id"), f"decision '{ref[:60]}' is not deployed (processes/decisions/*.dmn; known: "
                       f"{known})")  # fmt: skip
            return
        missing = sorted(decision.names_read() - _data_names(process))
        if missing and self.naming:
            self.error(node.get("id"), f"decision '{ref}' reads {', '.join(missing)}, which no form, script, "
                       "message or decision of this process gives")  # fmt: skip

    def check_reserved_ids(self, process: etree._Element) -> None:
        """SpiffWorkflow names its own tasks `Start`, `End` and `<process>.EndJoin`: an element with
        such an id is silently replaced by them and the process never leaves its start."""
        reserved = {"Start", "End", f"{process.get('id')}.EndJoin"}
        for node in process.iter():
            if isinstance(node.tag, str) and node.get("id") in reserved:
                self.error(node.get("id"), "this id is reserved by the engine; rename the element")

    def check_properties(self, process: etree._Element) -> None:
        """The `paten.*` properties: each on the kind of element it belongs to, each value usable."""
        for node in process.iter():
            if not isinstance(node.tag, str):
                continue
            for name in CONDITION_PROPERTIES:
                condition = property_of(node, name)
                if condition is None:
                    continue
                if node.tag not in HUMAN_STEP_TAGS:
                    self.error(node.get("id"), f"'{name}' belongs on a {_HUMAN_STEP}")
                for why in check_source(condition.strip() or "True", "eval"):
                    self.error(node.get("id"), f"'{name}' condition refused: {why}")
            remind = property_of(node, REMIND_PROPERTY)
            if remind is not None:
                self.check_reminder(node, remind)
            duty = property_of(node, DUTY_PROPERTY)
            if duty is not None:
                if node.tag not in HUMAN_STEP_TAGS:
                    self.error(node.get("id"), f"'{DUTY_PROPERTY}' belongs on a {_HUMAN_STEP}")
                if duty.strip() not in DUTIES:
                    self.error(
                        node.get("id"),
                        f"'{DUTY_PROPERTY}' must be one of {', '.join(DUTIES)}, not '{duty.strip()[:40]}'",
                    )
            self.check_decision(node)
            self.check_letter_number(node)
            due = property_of(node, DUE_PROPERTY)
            if due is not None:
                if node.tag not in HUMAN_STEP_TAGS:
                    self.error(node.get("id"), f"'{DUE_PROPERTY}' belongs on a {_HUMAN_STEP}")
                for why in check_source(due.strip() or "None", "eval"):
                    self.error(node.get("id"), f"'{DUE_PROPERTY}' expression refused: {why}")

    def check_decision(self, node: etree._Element) -> None:
        """`paten.decision.*`: the enum field, the value that approves, the one that returns, a note."""
        given = {key: property_of(node, name) for key, name in DECISION_PROPERTIES.items()}
        if all(v is None for v in given.values()):
            return
        where = node.get("id")
        if node.tag != f"{BPMN}userTask":
            self.error(where, "'paten.decision.*' belongs on a user task")
            return
        missing = [DECISION_PROPERTIES[k] for k in ("field", "approve", "return") if not (given[k] or "").strip()]
        if missing:
            self.error(where, f"decision incomplete: set {', '.join(missing)}")
            return
        decision = decision_of(node)
        assert decision is not None
        fields = {f.id: f for f in form_of(node).fields}
        chosen = fields.get(decision.field)
        if chosen is None or chosen.type != "enum":
            self.error(where, f"decision field '{decision.field[:60]}' is not an enum field of this step's form")
            return
        values = [o.id for o in chosen.options]
        for key, value in (("approve", decision.approve), ("return", decision.return_)):
            if value not in values:
                self.error(
                    where,
                    f"{DECISION_PROPERTIES[key]} '{value[:60]}' is not a value of '{decision.field}' "
                    f"(one of: {', '.join(values)})",
                )
        if decision.approve == decision.return_:
            self.error(where, "the decision's approve and return values must differ")
        if decision.note is not None:
            note = fields.get(decision.note)
            if note is None or note.type != "string" or note.id == decision.field:
                self.error(where, f"decision note '{decision.note[:60]}' is not a text field of this step's form")
        letter = property_of(node, LETTER_PROPERTY)
        if letter is not None and decision.approve in values and decision.return_ in values:
            self.check_decision_letter(where, letter.strip() or "True", decision)

    def check_decision_letter(self, where: str | None, condition: str, decision: Decision) -> None:
        """On a signing step, approving must issue the letter and returning must not."""
        if check_source(condition, "eval"):
            return  # already reported
        for value, should in ((decision.approve, True), (decision.return_, False)):
            try:
                with frozen_at(_LINT_CLOCK):
                    issues = bool(evaluate(condition, {decision.field: value}))
            except Exception:  # noqa: BLE001 - the condition reads other data: checked at run time
                return
            if issues is not should:
                verb = "issue" if should else "not issue"
                self.error(where, f"'{LETTER_PROPERTY}' must {verb} the letter when '{decision.field}' is '{value}'")

    def check_letter_number(self, node: etree._Element) -> None:
        value = property_of(node, LETTER_NUMBER_PROPERTY)
        if value is None:
            return
        where = node.get("id")
        if node.tag != f"{BPMN}userTask":
            self.error(where, f"'{LETTER_NUMBER_PROPERTY}' belongs on a user task")
            return
        field = next((f for f in form_of(node).fields if f.id == value.strip()), None)
        if field is None or field.type != "string":
            self.error(where, f"'{LETTER_NUMBER_PROPERTY}' names '{value.strip()[:60]}', not a text field of this step")

    def check_reminder(self, node: etree._Element, roles: str) -> None:
        where = node.get("id")
        is_timer = node.find("bpmn:timerEventDefinition", NS) is not None
        if node.tag != f"{BPMN}boundaryEvent" or not is_timer:
            self.error(where, f"'{REMIND_PROPERTY}' belongs on a timer boundary event")
        elif node.get("cancelActivity", "true").strip().lower() != "false":
            self.error(where, f"'{REMIND_PROPERTY}' needs a non-interrupting timer (the step it reminds of stays open)")
        for role in (r.strip() for r in roles.split(",")):
            if role and role not in LANE_ROLES:
                self.error(
                    where, f"'{REMIND_PROPERTY}' names '{role[:40]}', not a role ({', '.join(sorted(LANE_ROLES))})"
                )

    @staticmethod
    def _in_lane(node: etree._Element, process: etree._Element, lane_of: dict[str, str]) -> bool:
        current: etree._Element | None = node
        while current is not None and current is not process:
            if current.get("id") in lane_of:
                return True
            current = current.getparent()
        return False

    def check_form(self, node: etree._Element) -> None:
        seen: set[str] = set()
        for xml_field in node.iterfind(".//camunda:formData/camunda:formField", NS):
            fid = xml_field.get("id") or ""
            where = node.get("id")
            if not is_identifier(fid):
                self.error(where, f"form field id '{fid}' must be a name of letters, digits and _")
            elif fid in RESERVED_FIELD_IDS:
                self.error(where, f"form field id '{fid}' is reserved")
            if fid in seen:
                self.error(where, f"form field '{fid}' is defined twice")
            seen.add(fid)
            ftype = xml_field.get("type") or ""
            if ftype not in FIELD_TYPES:
                self.error(
                    where,
                    f"form field '{fid}' has unknown type '{ftype}' (use one of: {', '.join(sorted(FIELD_TYPES))})",
                )
        for field in form_of(node).fields:
            if field.type == "enum" and not field.options:
                self.error(node.get("id"), f"form field '{field.id}' is an enum without values")
            for name in field.constraints:
                if name not in CONSTRAINTS:
                    self.warn(node.get("id"), f"form field '{field.id}': constraint '{name}' is ignored")

    def check_flows(self, process: etree._Element) -> None:
        flows = list(process.iter(f"{BPMN}sequenceFlow"))
        outgoing: dict[str, list[etree._Element]] = {}
        for flow in flows:
            outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
            if not (flow.get("id") or "").strip():
                where = f"{flow.get('sourceRef') or '?'}->{flow.get('targetRef') or '?'}"
                self.error(where, "sequence flow has no id: the engine would drop it and the path would end here")
            condition = flow.find("bpmn:conditionExpression", NS)
            if condition is not None and _text(condition):
                for why in check_source(_text(condition), "eval"):
                    self.error(flow.get("id"), f"condition refused: {why}")
        self.check_dead_ends(process, outgoing)
        for tag in ("exclusiveGateway", "inclusiveGateway"):
            for gateway in process.iter(f"{BPMN}{tag}"):
                flows_out = outgoing.get(gateway.get("id") or "", [])
                if len(flows_out) < 2:
                    continue
                default = gateway.get("default")
                for flow in flows_out:
                    if flow.get("id") == default:
                        continue
                    if not _text(flow.find("bpmn:conditionExpression", NS)):
                        self.error(
                            flow.get("id"),
                            f"outgoing flow of gateway '{gateway.get('id')}' has no condition and is not its default",
                        )

    def check_dead_ends(self, process: etree._Element, outgoing: dict[str, list[etree._Element]]) -> None:
        """A process (or embedded subprocess) whose start reaches no end event never ends:
        SpiffWorkflow ends a process only at its end events."""
        scopes = [process, *(n for n in process.iter(f"{BPMN}subProcess") if n.get("triggeredByEvent") != "true")]
        for scope in scopes:
            children = {c.get("id"): c for c in scope if isinstance(c.tag, str) and c.get("id")}
            starts = [c for c in children.values() if c.tag == f"{BPMN}startEvent"]
            if not starts:
                continue  # SpiffWorkflow's parser says so, located
            attached: dict[str, list[str]] = {}
            for child in children.values():
                if child.tag == f"{BPMN}boundaryEvent":
                    attached.setdefault(child.get("attachedToRef") or "", []).append(str(child.get("id")))
            seen: set[str] = set()
            todo = [str(s.get("id")) for s in starts]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                todo += [str(f.get("targetRef")) for f in outgoing.get(current, [])] + attached.get(current, [])
            if not any(children[n].tag == f"{BPMN}endEvent" for n in seen if n in children):
                self.error(scope.get("id"), "no end event can be reached from the start: the request would never "
                           "end; draw the path on to an end event")  # fmt: skip

    def check_timer(self, definition: etree._Element, element_id: str | None) -> None:
        nodes = [(kind, definition.find(f"bpmn:{kind}", NS)) for kind in _TIMER_KINDS]
        found = [(kind, _text(node)) for kind, node in nodes if node is not None]
        if not found:
            self.error(element_id, "timer has no timeDate, timeDuration or timeCycle")
            return
        kind, expression = found[0]
        label = _TIMER_KINDS[kind]
        if not expression:
            self.error(element_id, "timer has an empty expression")
            return
        if looks_iso(expression):
            try:
                iso_literal(expression, kind)
            except Exception:  # noqa: BLE001 - any parser failure means the text is not such a value
                self.error(element_id, f"timer value '{expression[:80]}' is not {label} in ISO 8601")
            return
        if "${" in expression or "#{" in expression:
            self.error(element_id, f"timer written as a Camunda expression (${{...}}), which does not run here: {_ISO}")
            return
        if kind == TIME_CYCLE and _CRON.match(expression):
            self.error(element_id, "timer written as a cron line, which does not run here: write a repeating "
                       "interval such as R/PT1H or R3/P1D")  # fmt: skip
            return
        self.check_timer_expression(expression, kind, element_id)

    def check_timer_expression(self, expression: str, kind: str, element_id: str | None) -> None:
        refused = check_source(expression, "eval")
        if refused:
            self.error(element_id, f"timer expression does not evaluate: {'; '.join(refused)}")
            return
        try:
            with frozen_at(_LINT_CLOCK):
                value = evaluate(expression, {})
        except NameError as exc:
            self.warn(element_id, f"timer expression depends on process data ({exc}); checked at run time")
            return
        except Exception as exc:  # noqa: BLE001 - any failure of designer code is a finding
            self.error(element_id, f"timer expression does not evaluate: {type(exc).__name__}: {exc}")
            return
        if not isinstance(value, str):
            self.error(element_id, f"timer expression must give ISO 8601 text such as P2D, not {type(value).__name__}")
            return
        try:
            if iso_literal(value, kind) is None:
                raise ValueError(value)
            if kind == TIME_DURATION:
                parsed = TimerEventDefinition.parse_iso_duration(value)
                _ = _LINT_CLOCK + TimerEventDefinition.get_timedelta_from_start(parsed, _LINT_CLOCK)
        except OverflowError:
            self.error(element_id, f"timer value '{value}' lies past the year 9999")
        except Exception:  # noqa: BLE001
            self.error(element_id, f"timer value '{value}' is not {_TIMER_KINDS[kind]} in ISO 8601")


def _spiff_problem(checker: _Checker, exc: BaseException, fallback_id: str) -> None:
    if isinstance(exc, ValidationException):
        message = str(exc.args[0]) if exc.args else str(exc)
        checker.error(exc.id or fallback_id, f"SpiffWorkflow cannot run this: {message}")
    else:
        checker.error(fallback_id, f"SpiffWorkflow cannot run this: {type(exc).__name__}: {exc}")


def _analyse(
    source: bytes, filename: str, code: str | None, *, naming: bool = True, library: Library | None = None
) -> tuple[list[Problem], Definition | None]:
    checker = _Checker(filename, naming=naming)
    checker.library = library or Library()
    expected = code if code is not None else service_code_of(filename)
    try:
        root = parse_xml(source, max_bytes=MAX_BPMN_BYTES)
    except UnsafeXml as exc:
        checker.error("-", f"refused: {exc}")
        return checker.problems, None
    if root.tag != f"{BPMN}definitions":
        checker.error(root.get("id"), "not a BPMN 2.0 file: the root element must be bpmn:definitions")
        return checker.problems, None
    processes = list(root.iterfind("bpmn:process", NS))
    executable = [p for p in processes if _is_executable(p)]
    if not executable:
        checker.error(root.get("id"), 'no executable process (set isExecutable="true" on the service\'s process)')
        return checker.problems, None
    checker.process_ids = {str(p.get("id")) for p in executable}
    if not naming and code is None:
        called = {_text_attr(node, "calledElement") for node in root.iter(f"{BPMN}callActivity")}
        expected = str(next((p for p in executable if p.get("id") not in called), executable[0]).get("id"))
    target = next((p for p in executable if p.get("id") == expected), None)
    if target is None:
        ids = ", ".join(repr(p.get("id")) for p in executable)
        checker.error(
            executable[0].get("id"),
            f"process id {ids} is not the file's service code '{expected}' (name the file <process id>.bpmn)",
        )
    # What runs: the service's process and the processes of this file it calls (all, when there is
    # no service process to start from, so that every mistake is still reported).
    checked = executable if target is None else _called_from(target, executable)
    if target is not None:
        _check_calls(checker, root, expected)
    for process in checked:
        checker.check_process(process)
    for process in executable:
        if naming and process not in checked:
            checker.warn(process.get("id"), "this process never runs: it is not the service's and nothing calls it")
    if root.find(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram") is None:
        checker.warn(root.get("id"), "no diagram layout: the file will not display in a modeler")
    return checker.problems, _built(checker, root, filename, checked, expected, sha256_of(source))


def _data_names(process: etree._Element) -> set[str]:
    """The names a process's data may hold: form fields, what scripts assign, decisions' and
    messages' results, and what the portal gives every request."""
    root = process.getroottree().getroot()
    names = set(RESERVED_FIELD_IDS) | {"letter"}
    for field in root.iter(f"{CAMUNDA}formField"):
        names.add(str(field.get("id") or ""))
    for task in root.iter(f"{BPMN}businessRuleTask"):
        names.add((task.get(f"{CAMUNDA}resultVariable") or "").strip() or (task.get(f"{CAMUNDA}decisionRef") or ""))
    for message in root.iterfind("bpmn:message", NS):
        names.add(message_variable(str(message.get("name") or message.get("id") or "")))
    for script in root.iter(f"{BPMN}script"):
        names |= assigned_names(_text(script))
    return names


def _check_calls(checker: _Checker, root: etree._Element, code: str) -> None:
    """Call activities into shared files: no cycle, and no element id the service uses too."""
    try:
        reached = called_processes(root, code, checker.library)
    except Exception as exc:  # noqa: BLE001 - a shared file that cannot be read is a finding
        checker.error(code, f"a called sub-process cannot be read: {type(exc).__name__}: {exc}")
        return
    by_id = {str(p.get("id")): p for _r, p, _n in reached}
    for _root, process, filename in reached:
        for node in process.iter(f"{BPMN}callActivity"):
            called = (node.get("calledElement") or "").strip()
            if called in by_id and process in _calls_reaching(by_id, called):
                checker.error(node.get("id"), f"call activity calls '{called}', which calls back here: a cycle")
        if filename:  # a shared file's steps share the service's ids (forms, steps and lanes by id)
            mine = {n.get("id") for _r, p, f in reached if not f for n in _flow_nodes(p)}
            for node in _flow_nodes(process):
                if node.get("id") in mine:
                    checker.error(node.get("id"), f"this id is used in the service and in {filename}: rename one")


def _flow_nodes(process: etree._Element) -> list[etree._Element]:
    """The elements of a process the engine runs (tasks, events, gateways, sub-processes), with an id."""
    kinds = ("Task", "task", "Event", "Gateway", "Activity", "subProcess", "transaction")
    return [
        n for n in process.iter()
        if isinstance(n.tag, str) and n.get("id") and etree.QName(n).localname.endswith(kinds)
    ]  # fmt: skip


def _calls_reaching(by_id: dict[str, etree._Element], start: str) -> list[etree._Element]:
    """The processes reachable through call activities from process `start` (itself included)."""
    seen: list[etree._Element] = []
    todo = [start]
    while todo:
        process = by_id.get(todo.pop())
        if process is None or process in seen:
            continue
        seen.append(process)
        todo += [(n.get("calledElement") or "").strip() for n in process.iter(f"{BPMN}callActivity")]
    return seen


def _text_attr(node: etree._Element, name: str) -> str:
    return (node.get(name) or "").strip()


def _called_from(target: etree._Element, executable: list[etree._Element]) -> list[etree._Element]:
    """`target` and the processes of the file its call activities reach, in the file's order."""
    by_id = {str(p.get("id")): p for p in executable}
    reached = {str(target.get("id"))}
    todo = [target]
    while todo:
        for node in todo.pop().iter(f"{BPMN}callActivity"):
            called = _text_attr(node, "calledElement")
            if called in by_id and called not in reached:
                reached.add(called)
                todo.append(by_id[called])
    return [p for p in executable if str(p.get("id")) in reached]


def _built(
    checker: _Checker, root: etree._Element, filename: str, processes: list[etree._Element], expected: str, sha: str
) -> Definition | None:
    """Each process built by SpiffWorkflow's parser (its failures located); the service's definition."""
    definition = None
    for process in processes:
        pid = str(process.get("id"))
        try:
            built = build_definition(root, filename, pid, sha, checker.library)
        except RecursionError:
            checker.error(pid, "SpiffWorkflow cannot run this: the process nests too deeply")
            continue
        except Exception as exc:  # noqa: BLE001 - every parser failure becomes a located finding
            _spiff_problem(checker, exc, pid)
            continue
        if pid == expected:
            definition = built
    return definition


def lint(
    source: bytes, filename: str, *, code: str | None = None, naming: bool = True, library: Library | None = None
) -> list[Problem]:
    """All problems found in a BPMN file; never raises for any input.

    `code`: the process to run (default: the file's name). `naming=False` sets aside PATEN's naming
    rules (lanes named by roles, the process named as its file; the first executable process is
    run unless `code` names one), to check other projects' diagrams. `library`: the decision tables
    its business rule tasks may use."""
    try:
        return _analyse(source, filename, code, naming=naming, library=library)[0]
    except RecursionError:  # before Exception, of which it is a subclass
        return [Problem(filename, "-", "could not be checked: the document nests too deeply")]
    except Exception as exc:  # noqa: BLE001 - lint promises a verdict for any input
        return [Problem(filename, "-", _one_line(f"could not be checked: {type(exc).__name__}: {exc}"))]


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def load_definition(
    source: bytes, filename: str, *, code: str | None = None, naming: bool = True, library: Library | None = None
) -> Definition:
    """Lint and parse; return the runnable definition or raise DefinitionError with every error."""
    try:
        problems, definition = _analyse(source, filename, code, naming=naming, library=library)
    except Exception as exc:
        raise DefinitionError([Problem(filename, "-", f"could not be checked: {type(exc).__name__}: {exc}")]) from exc
    errors = errors_of(problems)
    if errors or definition is None:
        raise DefinitionError(errors or [Problem(filename, "-", "no runnable process found")])
    return definition
