"""The event log of a service and period for process mining: read from the requests' own logs chunk by
chunk, so a year of a regency's requests never sits in memory, and written as XES (IEEE 1849-2016) or
CSV by formats.py.

One trace per request, named by its tracking number. Its events come from the request's hash-chained
log (workflow.InstanceEvent), each step under the name and role of its step row:

- a step: opened (human_task_created) is `schedule`; the first claim is `start`, a release `suspend`
  and a later claim `resume`; completed is `complete` (a step completed without a claim has no
  `start`); cancelled is `ate_abort` once started, `withdraw` before;
- the request's registration ("Permohonan didaftarkan", its registrar as resource) and its end: the
  end event's name, or "Permohonan dibatalkan" for a cancelled request;
- timers that fired and messages delivered, under the name of the element that waited for them (not
  of the event-based gateway in front of it, which the log records): reminders, escalations and
  answers from outside are turns of the process a miner should see.

Each of the last two kinds is one `complete` event. Left out: letters and documents, requirement
checks, PINs, incidents, migrations and archiving: records kept about a request, not steps of its
process (a letter is numbered by the signing step's completion, at the same instant).

Trace attributes: the service's code and version (the one the request runs on now), the kecamatan
(office slug), the village (Kemendagri code), the channel where registration recorded one
(`online`), the status and the outcome (the end event's name).

The applicant is never named: her NIK, name and form data are not even read, and what she did herself
(her own account, or someone she let in with her tracking PIN) carries the resource `pemohon`.
Timestamps are ISO 8601 in office time (WITA, +08:00) with milliseconds. The activity names of the
request's own events are data, like the diagram's step names: written the same whatever language
the reader's browser asks for, so logs exported on different days compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

import engine
from portal.accounts.enums import RoleCode
from portal.workflow.definitions import definition_runtime
from portal.workflow.enums import EventType
from portal.workflow.models import HumanTask, HumanTaskHistory, InstanceEvent, ProcessDefinition, ProcessInstance

from .formats import LogEvent, Trace, csv_chunks, xes_chunks

CHUNK = 500  # requests read at a time

REGISTERED = "Permohonan didaftarkan"
FINISHED = "Permohonan selesai"  # a request whose end event has no name
CANCELLED = "Permohonan dibatalkan"
APPLICANT = RoleCode.PEMOHON.value  # the resource of whatever the applicant did herself

_STEP = {
    EventType.HUMAN_TASK_CREATED, EventType.HUMAN_TASK_CLAIMED, EventType.HUMAN_TASK_RELEASED,
    EventType.HUMAN_TASK_COMPLETED, EventType.HUMAN_TASK_CANCELLED,
}  # fmt: skip
_READ = (
    *_STEP, EventType.INSTANCE_STARTED, EventType.INSTANCE_COMPLETED, EventType.INSTANCE_CANCELLED,
    EventType.TIMER_FIRED, EventType.MESSAGE_DELIVERED,
)  # fmt: skip


@dataclass(frozen=True)
class LogQuery:
    """The requests of a log: registered from `date_from` to `date_to` (office days, both included), of
    `service` (a code; all when empty), in the offices `office_ids` (every office when None)."""

    service: str = ""
    date_from: date | None = None
    date_to: date | None = None
    office_ids: tuple[int, ...] | None = None


# --- reads ---------------------------------------------------------------------------------------


def _office_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def requests_of(query: LogQuery) -> QuerySet[ProcessInstance]:
    rows = ProcessInstance.objects.all()
    if query.service:
        rows = rows.filter(definition__code=query.service)
    if query.office_ids is not None:
        rows = rows.filter(office_id__in=query.office_ids)
    if query.date_from is not None:
        rows = rows.filter(created_at__gte=_office_midnight(query.date_from))
    if query.date_to is not None:
        rows = rows.filter(created_at__lt=_office_midnight(query.date_to + timedelta(days=1)))
    return rows


# What a trace says of its request: never the applicant's NIK, name or data.
_CASE = (
    "pk", "created_at", "tracking_number", "definition_id", "definition__code", "definition__version",
    "office__slug", "applicant_village__code", "status", "outcome_name", "applicant_user_id",
)  # fmt: skip


_PAYLOAD_KEYS = {
    "role": "role", "by": "by", "channel": "channel", "end_name": "end_name", "end_event": "end_event",
    "message": "name", "caught": "caught__0",
}  # fmt: skip


def _case_chunks(query: LogQuery) -> Iterator[list[dict[str, Any]]]:
    """The requests, oldest first, CHUNK at a time, each page after the last one's (time, id)."""
    rows = requests_of(query).order_by("created_at", "pk").values(*_CASE)
    after: tuple[datetime, int] | None = None
    while True:
        page = rows
        if after is not None:
            page = rows.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
        chunk = list(page[:CHUNK])
        if not chunk:
            return
        yield chunk
        after = (chunk[-1]["created_at"], chunk[-1]["pk"])


def _events_of(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The exported kinds of events of these requests, in log order; of the payload only the keys used
    (a completion's form data is never read)."""
    payload = {alias: KT(f"payload__{path}") for alias, path in _PAYLOAD_KEYS.items()}
    rows = (
        InstanceEvent.objects.filter(instance_id__in=ids, type__in=_READ)
        .order_by("instance_id", "seq")
        .values("instance_id", "type", "actor_id", "actor_username", "at", "task_guid", "bpmn_id", **payload)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["instance_id"], []).append(dict(row))
    return found


def _steps_of(ids: list[int]) -> dict[tuple[int, str], tuple[str, str]]:
    """(request id, step guid) -> (step name, role), from the hot rows or an archived request's history."""
    columns = ("instance_id", "task_guid", "name", "role")
    live = HumanTask.objects.filter(instance_id__in=ids).values_list(*columns)
    archived = HumanTaskHistory.objects.filter(instance_id__in=ids).values_list(*columns)
    return {(instance_id, guid): (name, role) for instance_id, guid, name, role in chain(live, archived)}


_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_WAITS_FOR_MESSAGES = tuple(
    f"{_BPMN}{tag}" for tag in ("intermediateCatchEvent", "boundaryEvent", "startEvent", "receiveTask")
)


def _message_catchers(root: Any) -> dict[str, list[tuple[str, str]]]:
    """Message name -> (bpmn id, name) of each named element of the diagram that waits for it."""
    messages = {m.get("id"): m.get("name") for m in root.iter(f"{_BPMN}message")}
    catchers: dict[str, list[tuple[str, str]]] = {}
    for node in root.iter(*_WAITS_FOR_MESSAGES):
        waits_for = node.find(f"{_BPMN}messageEventDefinition")
        ref = node.get("messageRef") if waits_for is None else waits_for.get("messageRef")
        if ref and node.get("name"):
            catchers.setdefault(str(messages.get(ref) or ref), []).append((str(node.get("id")), str(node.get("name"))))
    return catchers


def _gateway_timers(root: Any) -> dict[str, tuple[str, str]]:
    """Event-based gateway id -> (bpmn id, name) of the one timer event it waits on."""
    nodes = {node.get("id"): node for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    found: dict[str, list[tuple[str, str]]] = {}
    for flow in root.iter(f"{_BPMN}sequenceFlow"):
        source, target = nodes.get(flow.get("sourceRef")), nodes.get(flow.get("targetRef"))
        if source is None or target is None or source.tag != f"{_BPMN}eventBasedGateway":
            continue
        if target.find(f"{_BPMN}timerEventDefinition") is not None:
            entry = (str(target.get("id")), str(target.get("name") or target.get("id")))
            found.setdefault(str(source.get("id")), []).append(entry)
    return {gateway: timers[0] for gateway, timers in found.items() if len(timers) == 1}


@dataclass(frozen=True)
class _Names:
    """What a version's diagram calls its elements (timers, ends), and which element stands for a
    message or a timer that waited behind an event-based gateway: the log records the gateway, whose
    name says nothing of which message came or that time ran out."""

    elements: dict[str, str]
    catchers: dict[str, list[tuple[str, str]]]  # message name -> (bpmn id, name) of its catch events
    gateway_timers: dict[str, tuple[str, str]]  # gateway id -> (bpmn id, name) of its timer

    @classmethod
    def of(cls, definition: ProcessDefinition) -> _Names:
        elements = definition_runtime(definition).element_names
        try:
            root = engine.parse_xml(definition.bpmn_source.encode("utf-8"))
        except engine.UnsafeXml:  # deployed, so parsed once already: not expected
            return cls(elements, {}, {})
        return cls(elements, _message_catchers(root), _gateway_timers(root))

    def message(self, name: str, caught: str) -> tuple[str, str]:
        """(bpmn id, name) standing for message `name` caught at `caught`: the catch event itself if
        it is one, else the diagram's (first) catch event of that message."""
        catchers = self.catchers.get(name, [])
        if found := next((c for c in catchers if c[0] == caught), catchers[0] if catchers else None):
            return found
        return caught, self.elements.get(caught) or name

    def timer(self, bpmn_id: str) -> tuple[str, str]:
        return self.gateway_timers.get(bpmn_id) or (bpmn_id, self.elements.get(bpmn_id, bpmn_id))


@dataclass
class _Context:
    """What the events of one chunk are named from."""

    steps: dict[tuple[int, str], tuple[str, str]]
    names: Callable[[int], _Names]  # by definition id


def traces(query: LogQuery) -> Iterator[Trace]:
    """The log of `query`, request after request, read CHUNK requests at a time."""
    known: dict[int, _Names] = {}

    def names(definition_id: int) -> _Names:
        if definition_id not in known:
            known[definition_id] = _Names.of(ProcessDefinition.objects.get(pk=definition_id))
        return known[definition_id]

    for chunk in _case_chunks(query):
        ids = [case["pk"] for case in chunk]
        events = _events_of(ids)
        context = _Context(steps=_steps_of(ids), names=names)
        for case in chunk:
            yield _trace(case, events.get(case["pk"], []), context)


# --- from a request's log to its trace -----------------------------------------------------------


def _trace(case: dict[str, Any], rows: list[dict[str, Any]], context: _Context) -> Trace:
    trace = Trace(
        case_id=case["tracking_number"], service=case["definition__code"], version=case["definition__version"],
        kecamatan=case["office__slug"], village=case["applicant_village__code"], status=case["status"],
        outcome=case["outcome_name"],
    )  # fmt: skip
    started: set[str] = set()
    for row in rows:
        if row["type"] == EventType.INSTANCE_STARTED:
            trace.channel = row["channel"] or ""
        if row["type"] in _STEP:
            event = _step_event(row, case, context, started)
        else:
            event = _request_event(row, case, context.names(case["definition_id"]))
        trace.events.append(event)
    return trace


def _who(row: dict[str, Any], case: dict[str, Any]) -> tuple[str, str]:
    """(resource, role) of who acted: `pemohon` for the applicant herself, else the officer's username."""
    mine = row["actor_id"] is not None and row["actor_id"] == case["applicant_user_id"]
    if mine or row["by"] == "applicant_tracking_pin":
        return APPLICANT, APPLICANT
    return row["actor_username"] or "", ""


def _transition(kind: str, guid: str, started: set[str]) -> str:
    if kind == EventType.HUMAN_TASK_CREATED:
        return "schedule"
    if kind == EventType.HUMAN_TASK_CLAIMED:
        again = guid in started
        started.add(guid)
        return "resume" if again else "start"
    if kind == EventType.HUMAN_TASK_RELEASED:
        return "suspend"
    if kind == EventType.HUMAN_TASK_COMPLETED:
        return "complete"
    return "ate_abort" if guid in started else "withdraw"


def _step_event(row: dict[str, Any], case: dict[str, Any], context: _Context, started: set[str]) -> LogEvent:
    guid, bpmn_id, kind = row["task_guid"], row["bpmn_id"], row["type"]
    step = context.steps.get((case["pk"], guid))
    if step is None:  # not expected: every step the log names has its row
        step = (context.names(case["definition_id"]).elements.get(bpmn_id, bpmn_id), row["role"] or "")
    by_someone = kind not in (EventType.HUMAN_TASK_CREATED, EventType.HUMAN_TASK_CANCELLED)
    return LogEvent(
        activity=step[0], at=row["at"], lifecycle=_transition(kind, guid, started),
        resource=_who(row, case)[0] if by_someone else "", role=step[1], bpmn_id=bpmn_id, instance=guid,
        source=kind,
    )  # fmt: skip


def _request_event(row: dict[str, Any], case: dict[str, Any], names: _Names) -> LogEvent:
    kind, resource, role, bpmn_id = row["type"], "", "", row["bpmn_id"] or ""
    if kind == EventType.INSTANCE_STARTED:
        activity = REGISTERED
        resource, role = _who(row, case)
        if not resource:  # registered online by an applicant without an account
            resource, role = APPLICANT, APPLICANT
        role = role or RoleCode.LOKET.value  # only the counter registers a request for someone else
    elif kind == EventType.INSTANCE_COMPLETED:
        bpmn_id = row["end_event"] or ""
        activity = row["end_name"] or names.elements.get(bpmn_id) or FINISHED
    elif kind == EventType.INSTANCE_CANCELLED:
        activity, resource = CANCELLED, row["actor_username"] or ""
    elif kind == EventType.MESSAGE_DELIVERED:
        bpmn_id, activity = names.message(row["message"] or "", row["caught"] or "")
        resource, role = _who(row, case)
    else:  # a timer
        bpmn_id, activity = names.timer(bpmn_id)
    return LogEvent(
        activity=activity, at=row["at"], lifecycle="complete", resource=resource, role=role, bpmn_id=bpmn_id,
        source=kind,
    )  # fmt: skip


# --- the log as a file --------------------------------------------------------------------------


@dataclass
class Counts:
    traces: int = 0
    events: int = 0

    def counted(self, items: Iterable[Trace]) -> Iterator[Trace]:
        for trace in items:
            self.traces += 1
            self.events += len(trace.events)
            yield trace


def log_chunks(query: LogQuery, *, fmt: str, title: str, counts: Counts | None = None) -> Iterator[bytes]:
    """The log of `query` as `fmt` ("xes" or "csv"), piece by piece."""
    items = traces(query) if counts is None else counts.counted(traces(query))
    return xes_chunks(items, title=title) if fmt == "xes" else csv_chunks(items)


def log_write(query: LogQuery, out: IO[bytes], *, fmt: str, title: str) -> Counts:
    """Write the log of `query` to `out`; how many traces and events it holds."""
    counts = Counts()
    for piece in log_chunks(query, fmt=fmt, title=title, counts=counts):
        out.write(piece)
    return counts
