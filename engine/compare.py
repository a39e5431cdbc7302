"""Two versions of a diagram or a decision table compared element by element, layout aside.

A designer reviewing a draft sees which elements were added, removed or changed, and for each
changed element which of its properties differ. Elements are matched by id; positions, sizes and
waypoints (BPMNDI, DMNDI) never count, nor do comments, attribute order or line breaks in names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from .dmn import CAMUNDA_NS as CAMUNDA_DMN
from .dmn import DMN_NAMESPACES, MAX_DMN_BYTES
from .errors import DefinitionError, Problem
from .parsing import BPMN, CAMUNDA
from .xmlsafe import MAX_BPMN_BYTES, UnsafeXml, parse_xml

# The steps a person takes part in: the human steps, and call activities (a chain of them elsewhere).
STEP_KINDS = frozenset({"userTask", "manualTask", "task", "callActivity"})
_NODE_SUFFIXES = ("Task", "task", "Event", "Gateway")
_NODE_KINDS = frozenset({"subProcess", "callActivity", "transaction", "adHocSubProcess"})
_OTHER_KINDS = frozenset({
    "process", "sequenceFlow", "lane", "dataObject", "dataObjectReference", "dataStore", "dataStoreReference",
    "message", "signal", "error", "escalation",
})  # fmt: skip
# Attributes under names a reader knows; any other attribute counts under its own name.
_ATTRIBUTES = {
    "sourceRef": "source", "targetRef": "target", "attachedToRef": "attached_to", "cancelActivity": "interrupting",
    "calledElement": "called_element", f"{CAMUNDA}decisionRef": "decision_ref", "isExecutable": "executable",
    f"{CAMUNDA}resultVariable": "result_variable", "scriptFormat": "script_format", "default": "default",
    "triggeredByEvent": "event_subprocess", "messageRef": "message", "isInterrupting": "interrupting",
}  # fmt: skip
# Attributes a modeler may leave out for their default: (property, default) by element kind.
_DEFAULTS = {"boundaryEvent": ("interrupting", "true"), "startEvent": ("interrupting", "true"),
             "process": ("executable", "true")}  # fmt: skip
_SKIPPED_CHILDREN = frozenset({f"{BPMN}incoming", f"{BPMN}outgoing", f"{BPMN}flowNodeRef", f"{BPMN}laneSet",
                               f"{BPMN}childLaneSet"})  # fmt: skip
_TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")


@dataclass(frozen=True)
class Element:
    """One element of a version: its id, kind (the XML tag's local name), name, and lane (a role)."""

    id: str
    kind: str
    name: str = ""
    lane: str = ""


@dataclass(frozen=True)
class Change:
    """An element in both versions, and which of its properties differ (`name`, `lane`, `form:<field>`...)."""

    before: Element
    after: Element
    properties: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.after.id

    @property
    def name(self) -> str:
        return self.after.name or self.before.name

    @property
    def kind(self) -> str:
        return self.after.kind


@dataclass(frozen=True)
class StepChanges:
    """The steps (user, manual and plain tasks, call activities) the new version adds or removes, those
    that moved to another lane, and the lanes (roles) having a step before and after."""

    added: tuple[Element, ...] = ()
    removed: tuple[Element, ...] = ()
    moved: tuple[Change, ...] = ()
    roles_before: frozenset[str] = frozenset()
    roles_after: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved)


@dataclass(frozen=True)
class Comparison:
    added: tuple[Element, ...] = ()
    removed: tuple[Element, ...] = ()
    changed: tuple[Change, ...] = ()
    steps: StepChanges = field(default_factory=StepChanges)

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)


# An element found in a version: what it is, and its properties as comparable text.
_Found = dict[str, tuple[Element, dict[str, str]]]


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _canonical(node: etree._Element) -> str:
    """The element as comparable text: attributes in order, whitespace folded; BPMN's own ids left out
    (a modeler gives an event definition a fresh id when it is drawn again)."""
    skip_id = node.tag.startswith(BPMN)
    pairs = sorted((str(k), str(v)) for k, v in node.attrib.items())
    attrs = ",".join(f"{k}={v}" for k, v in pairs if not (skip_id and k == "id"))
    inner = "".join(_canonical(c) for c in node if isinstance(c.tag, str))
    return f"<{node.tag!s} {attrs}>{_words(node.text)}{inner}</>"


def _read(source: bytes, label: str, max_bytes: int) -> etree._Element:
    try:
        return parse_xml(source, max_bytes=max_bytes)
    except UnsafeXml as exc:
        raise DefinitionError([Problem(label, "-", f"cannot be read: {_words(str(exc))}")]) from exc


# --- BPMN ---------------------------------------------------------------------------------------


def _keyed(node: etree._Element) -> bool:
    if not isinstance(node.tag, str) or not node.tag.startswith(BPMN) or not node.get("id"):
        return False
    local = _local(node)
    return local in _OTHER_KINDS or local in _NODE_KINDS or local.endswith(_NODE_SUFFIXES)


@dataclass
class _Context:
    """What an element's properties need from the rest of its file: lanes and the flows in and out."""

    lane_of: dict[str, str] = field(default_factory=dict)
    flows_in: dict[str, list[str]] = field(default_factory=dict)
    flows_out: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: etree._Element) -> _Context:
        context = cls()
        for lane in root.iter(f"{BPMN}lane"):  # document order: a child lane comes after its parent
            name = _words(lane.get("name")) or str(lane.get("id") or "")
            for ref in lane.iterfind(f"{BPMN}flowNodeRef"):
                context.lane_of[_words(ref.text)] = name
        for flow in root.iter(f"{BPMN}sequenceFlow"):
            flow_id = str(flow.get("id") or "")
            context.flows_out.setdefault(str(flow.get("sourceRef") or ""), []).append(flow_id)
            context.flows_in.setdefault(str(flow.get("targetRef") or ""), []).append(flow_id)
        return context


def _container(node: etree._Element) -> str:
    for ancestor in node.iterancestors():
        if _keyed(ancestor) and _local(ancestor) != "lane":
            return str(ancestor.get("id"))
    return ""


def _extension_properties(extension: etree._Element, props: dict[str, str]) -> None:
    for child in extension:
        if not isinstance(child.tag, str):
            continue
        if child.tag == f"{CAMUNDA}properties":
            for prop in child.iterfind(f"{CAMUNDA}property"):
                props[str(prop.get("name") or "")] = str(prop.get("value") or "")
        elif child.tag == f"{CAMUNDA}formData":
            fields = list(child.iterfind(f"{CAMUNDA}formField"))
            props["form"] = ",".join(str(f.get("id") or "") for f in fields)  # the fields' order
            for form_field in fields:
                props[f"form:{form_field.get('id') or ''}"] = _canonical(form_field)
        else:
            key = f"camunda:{_local(child)}" if child.tag.startswith(CAMUNDA) else _local(child)
            props[key] = props.get(key, "") + _canonical(child)


def _child_properties(node: etree._Element, props: dict[str, str]) -> None:
    for child in node:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_CHILDREN or _keyed(child):
            continue
        local = _local(child)
        if child.tag == f"{BPMN}extensionElements":
            _extension_properties(child, props)
        elif local == "documentation":
            props["documentation"] = (props.get("documentation", "") + " " + _words(child.text)).strip()
        elif local == "conditionExpression":
            props["condition"] = f"{child.get('language') or ''}:{(child.text or '').strip()}"
        elif local == "script":
            props["script"] = "\n".join(line.rstrip() for line in (child.text or "").strip().splitlines())
        elif local == "timerEventDefinition":
            parts = [(p, (child.findtext(f"{BPMN}{p}") or "").strip()) for p in _TIMER_PARTS]
            props["timer"] = ";".join(f"{p}={text}" for p, text in parts if child.find(f"{BPMN}{p}") is not None)
        elif local.endswith("EventDefinition"):
            props["event"] = props.get("event", "") + _canonical(child)
        else:
            props[local] = props.get(local, "") + _canonical(child)


def _bpmn_properties(node: etree._Element, context: _Context) -> dict[str, str]:
    node_id = str(node.get("id"))
    local = _local(node)
    props = {"name": _words(node.get("name")), "container": _container(node)}
    if local not in _OTHER_KINDS:  # a flow node
        props["lane"] = context.lane_of.get(node_id, "")
        props["incoming"] = ",".join(sorted(context.flows_in.get(node_id, [])))
        props["outgoing"] = ",".join(sorted(context.flows_out.get(node_id, [])))
    if local == "lane":
        parent = next(node.iterancestors(f"{BPMN}lane"), None)
        props["parent_lane"] = str(parent.get("id")) if parent is not None else ""
    for key, value in ((str(k), str(v)) for k, v in node.attrib.items()):
        if key not in ("id", "name"):
            local_key = etree.QName(key).localname
            props[_ATTRIBUTES.get(key) or (f"camunda:{local_key}" if key.startswith(CAMUNDA) else local_key)] = (
                value.strip()
            )
    if local in _DEFAULTS:  # written out or left to its default: the same thing
        props.setdefault(_DEFAULTS[local][0], _DEFAULTS[local][1])
    _child_properties(node, props)
    return props


def _bpmn_elements(root: etree._Element) -> _Found:
    context = _Context.of(root)
    found: _Found = {}
    for node in root.iter():
        if not _keyed(node) or str(node.get("id")) in found:
            continue
        node_id = str(node.get("id"))
        element = Element(node_id, _local(node), _words(node.get("name")), context.lane_of.get(node_id, ""))
        found[node_id] = (element, _bpmn_properties(node, context))
    return found


def _bpmn_root(source: bytes, label: str) -> etree._Element:
    root = _read(source, label, MAX_BPMN_BYTES)
    if root.tag != f"{BPMN}definitions":
        raise DefinitionError([Problem(label, "-", "not a BPMN 2.0 file: the root element must be bpmn:definitions")])
    return root


def compare_bpmn(old: bytes | None, new: bytes, *, labels: tuple[str, str] = ("old", "new")) -> Comparison:
    """What changed from `old` to `new` (None: nothing before); DefinitionError if either cannot be read."""
    try:
        before = _bpmn_elements(_bpmn_root(old, labels[0])) if old is not None else {}
        after = _bpmn_elements(_bpmn_root(new, labels[1]))
    except RecursionError as exc:
        raise DefinitionError([Problem(labels[1], "-", "cannot be read: the document nests too deeply")]) from exc
    added, removed, changed = _matched(before, after)
    return Comparison(added, removed, changed, _steps(before, after, added, removed, changed))


def _matched(before: _Found, after: _Found) -> tuple[tuple[Element, ...], tuple[Element, ...], tuple[Change, ...]]:
    added = tuple(element for key, (element, _p) in after.items() if key not in before)
    removed = tuple(element for key, (element, _p) in before.items() if key not in after)
    changed: list[Change] = []
    for key, (element, props) in after.items():
        if key not in before:
            continue
        old_element, old_props = before[key]
        differ = ["type"] if old_element.kind != element.kind else []
        differ += [name for name in _union(props, old_props) if props.get(name, "") != old_props.get(name, "")]
        if differ:
            changed.append(Change(old_element, element, tuple(differ)))
    return added, removed, tuple(changed)


def _union(first: Iterable[str], second: Iterable[str]) -> Iterator[str]:
    yield from dict.fromkeys([*first, *second])


def _steps(
    before: _Found, after: _Found, added: tuple[Element, ...], removed: tuple[Element, ...],
    changed: tuple[Change, ...],
) -> StepChanges:  # fmt: skip
    retyped = [c for c in changed if "type" in c.properties]
    return StepChanges(
        added=(*(e for e in added if e.kind in STEP_KINDS),
               *(c.after for c in retyped if c.after.kind in STEP_KINDS and c.before.kind not in STEP_KINDS)),
        removed=(*(e for e in removed if e.kind in STEP_KINDS),
                 *(c.before for c in retyped if c.before.kind in STEP_KINDS and c.after.kind not in STEP_KINDS)),
        moved=tuple(c for c in changed if "lane" in c.properties and {c.before.kind, c.after.kind} <= STEP_KINDS),
        roles_before=frozenset(e.lane for e, _p in before.values() if e.kind in STEP_KINDS and e.lane),
        roles_after=frozenset(e.lane for e, _p in after.values() if e.kind in STEP_KINDS and e.lane),
    )  # fmt: skip


# --- DMN ----------------------------------------------------------------------------------------


def _dmn_root(source: bytes, label: str) -> tuple[etree._Element, Callable[[str], str]]:
    root = _read(source, label, MAX_DMN_BYTES)
    namespace = etree.QName(root).namespace or ""
    if _local(root) != "definitions" or namespace not in DMN_NAMESPACES:
        raise DefinitionError([Problem(label, "-", "not a DMN file: the root element must be DMN's definitions")])
    return root, lambda local: f"{{{namespace}}}{local}"


def _text_of(node: etree._Element | None, tag: Callable[[str], str]) -> str:
    return "" if node is None else (node.findtext(tag("text")) or "").strip()


def _columns(table: etree._Element, tag: Callable[[str], str], found: _Found, decision: str) -> None:
    for column in table.iterfind(tag("input")):
        column_id, label = str(column.get("id") or ""), _words(column.get("label"))
        expression = column.find(tag("inputExpression"))
        found[column_id] = (Element(column_id, "input", label), {
            "label": label, "expression": _text_of(expression, tag),
            "type_ref": (expression.get("typeRef") or "") if expression is not None else "",
            "variable": column.get(f"{{{CAMUNDA_DMN}}}inputVariable") or "",
            "values": _text_of(column.find(tag("inputValues")), tag), "decision": decision,
        })  # fmt: skip
    for column in table.iterfind(tag("output")):
        column_id, name = str(column.get("id") or ""), _words(column.get("name"))
        found[column_id] = (Element(column_id, "output", name), {
            "name": name, "label": _words(column.get("label")), "type_ref": column.get("typeRef") or "",
            "values": _text_of(column.find(tag("outputValues")), tag), "decision": decision,
        })  # fmt: skip


def _rules(table: etree._Element, tag: Callable[[str], str], found: _Found, decision: str) -> None:
    inputs = [str(c.get("id") or "") for c in table.iterfind(tag("input"))]
    outputs = [str(c.get("id") or "") for c in table.iterfind(tag("output"))]
    for rule in table.iterfind(tag("rule")):
        description = _words(rule.findtext(tag("description")))
        props = {"description": description, "decision": decision}
        for column, entry in zip(inputs, rule.iterfind(tag("inputEntry")), strict=False):
            props[f"input:{column}"] = _text_of(entry, tag)
        for column, entry in zip(outputs, rule.iterfind(tag("outputEntry")), strict=False):
            props[f"output:{column}"] = _text_of(entry, tag)
        found[str(rule.get("id") or "")] = (Element(str(rule.get("id") or ""), "rule", description), props)


def _decision(decision: etree._Element, tag: Callable[[str], str], found: _Found) -> None:
    decision_id = str(decision.get("id") or "")
    requirements = decision.iterfind(f"{tag('informationRequirement')}/*")
    literal = decision.find(tag("literalExpression"))
    props = {
        "name": _words(decision.get("name")), "description": _words(decision.findtext(tag("description"))),
        "documentation": _words(decision.findtext(tag("documentation"))),
        "required": ",".join(sorted(str(r.get("href") or "") for r in requirements)),
        "expression": _canonical(literal) if literal is not None else "",
    }  # fmt: skip
    table = decision.find(tag("decisionTable"))
    if table is not None:
        props["hit_policy"] = table.get("hitPolicy") or "UNIQUE"
        props["aggregation"] = table.get("aggregation") or ""
        for kind in ("input", "output", "rule"):
            props[f"{kind}_order"] = ",".join(str(c.get("id") or "") for c in table.iterfind(tag(kind)))
        _columns(table, tag, found, decision_id)
        _rules(table, tag, found, decision_id)
    found[decision_id] = (Element(decision_id, "decision", props["name"]), props)


def _dmn_elements(root: etree._Element, tag: Callable[[str], str]) -> _Found:
    found: _Found = {}
    for decision in root.iterfind(tag("decision")):
        _decision(decision, tag, found)
    for other in root:  # input data, knowledge sources...: by name (the diagram's parts live elsewhere)
        if isinstance(other.tag, str) and other.tag.startswith(tag("")) and other.get("id"):
            name = _words(other.get("name"))
            found.setdefault(str(other.get("id")), (Element(str(other.get("id")), _local(other), name), {"name": name}))
    return found


def _order_only_of_common(before: _Found, after: _Found, changed: tuple[Change, ...]) -> tuple[Change, ...]:
    """A rule, input or output added or removed shifts the order of every other: a decision's order
    counts only when the elements both versions have appear in another order."""
    kept: list[Change] = []
    for change in changed:
        properties = list(change.properties)
        if change.kind == "decision":
            for name in [p for p in properties if p.endswith("_order")]:
                old = [i for i in before[change.id][1][name].split(",") if i in after]
                new = [i for i in after[change.id][1][name].split(",") if i in before]
                if old == new:
                    properties.remove(name)
        if properties:
            kept.append(Change(change.before, change.after, tuple(properties)))
    return tuple(kept)


def compare_dmn(old: bytes | None, new: bytes, *, labels: tuple[str, str] = ("old", "new")) -> Comparison:
    """What changed from `old` to `new` in a DMN file: decisions (hit policy, requirements, order),
    their inputs, outputs and rules (by id; a rule's entries by column); DefinitionError if unreadable."""
    try:
        before = _dmn_elements(*_dmn_root(old, labels[0])) if old is not None else {}
        after = _dmn_elements(*_dmn_root(new, labels[1]))
    except RecursionError as exc:
        raise DefinitionError([Problem(labels[1], "-", "cannot be read: the document nests too deeply")]) from exc
    added, removed, changed = _matched(before, after)
    return Comparison(added, removed, _order_only_of_common(before, after, changed))
