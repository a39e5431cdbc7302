"""The writers of an event log: XES (IEEE 1849-2016) through lxml's incremental writer, and CSV, each
handing on its bytes in pieces of about FLUSH_BYTES so a large log streams.

XES: the log declares the Concept, Time, Lifecycle (the standard transactional model) and
Organizational extensions; every trace carries concept:name (the tracking number) and every event
concept:name, lifecycle:transition and time:timestamp (declared global); org:resource, org:role and
the step's guid as concept:instance where known. Classifiers: the activity, and the activity with
its transition.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from lxml import etree

FLUSH_BYTES = 64 * 1024  # handed on whenever this much is ready


@dataclass(frozen=True)
class LogEvent:
    """One lifecycle transition of a step, or one point of the request's own life."""

    activity: str
    at: datetime
    lifecycle: str
    resource: str = ""
    role: str = ""
    bpmn_id: str = ""
    instance: str = ""  # the step's guid: pairs the transitions of one step
    source: str = ""  # the event type in the request's log


@dataclass
class Trace:
    """One request: what it is (the trace's attributes) and its events in the order of its log."""

    case_id: str
    service: str
    version: int
    kecamatan: str
    village: str
    status: str
    outcome: str
    channel: str = ""
    events: list[LogEvent] = field(default_factory=list)


def timestamp(at: datetime) -> str:
    """xs:dateTime in office time, to the millisecond: 2026-01-05T09:30:00.000+08:00."""
    return timezone.localtime(at, timezone.get_default_timezone()).isoformat(timespec="milliseconds")


class _Sink:
    """Where the incremental writer puts its bytes until they are handed on."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(bytes(data))
        self.size += len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts, self.size = [], 0
        return out


XES_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
XES_CLASSIFIERS = (("Activity", "concept:name"), ("Activity and transition", "concept:name lifecycle:transition"))


def _attribute(parent: etree._Element, key: str, value: str, tag: str = "string") -> None:
    etree.SubElement(parent, tag, key=key, value=value)


def _xes_head(title: str) -> list[etree._Element]:
    """The log's own attributes, the extensions its keys come from, what every trace and event carries
    (with the value a reader assumes where one lacks it) and how events are told apart."""
    attributes = etree.Element("attributes")
    _attribute(attributes, "concept:name", title)
    _attribute(attributes, "lifecycle:model", "standard")
    head = list(attributes)
    head += [etree.Element("extension", name=name, prefix=prefix, uri=uri) for name, prefix, uri in XES_EXTENSIONS]
    on_traces = etree.Element("global", scope="trace")
    _attribute(on_traces, "concept:name", "__INVALID__")
    on_events = etree.Element("global", scope="event")
    _attribute(on_events, "concept:name", "__INVALID__")
    _attribute(on_events, "lifecycle:transition", "complete")
    _attribute(on_events, "time:timestamp", "1970-01-01T00:00:00.000+00:00", tag="date")
    head += [on_traces, on_events]
    return head + [etree.Element("classifier", name=name, keys=keys) for name, keys in XES_CLASSIFIERS]


def _xes_trace(trace: Trace) -> etree._Element:
    element = etree.Element("trace")
    _attribute(element, "concept:name", trace.case_id)
    _attribute(element, "service", trace.service)
    _attribute(element, "version", str(trace.version), tag="int")
    for key in ("kecamatan", "village", "channel", "status", "outcome"):
        if getattr(trace, key):
            _attribute(element, key, getattr(trace, key))
    for event in trace.events:
        item = etree.SubElement(element, "event")
        _attribute(item, "concept:name", event.activity)
        if event.instance:
            _attribute(item, "concept:instance", event.instance)
        _attribute(item, "lifecycle:transition", event.lifecycle)
        _attribute(item, "time:timestamp", timestamp(event.at), tag="date")
        for key, value in (("org:resource", event.resource), ("org:role", event.role), ("bpmn_id", event.bpmn_id)):
            if value:
                _attribute(item, key, value)
        _attribute(item, "paten_event", event.source)
    return element


def xes_chunks(items: Iterable[Trace], *, title: str) -> Iterator[bytes]:
    """The log as an XES document, in pieces of about FLUSH_BYTES, written by lxml's incremental writer."""
    sink = _Sink()
    with etree.xmlfile(sink, encoding="utf-8") as out:
        out.write_declaration()
        with out.element("log", {"xes.version": "1849.2016", "xes.features": ""}):
            out.write("\n")
            for element in _xes_head(title):
                out.write(element, pretty_print=True)
            for trace in items:
                out.write(_xes_trace(trace), pretty_print=True)
                out.flush()  # from lxml's buffer into the sink, which says when a piece is ready
                if sink.size >= FLUSH_BYTES:
                    yield sink.take()
    yield sink.take() + b"\n"


CSV_COLUMNS = ("case_id", "activity", "timestamp", "lifecycle", "resource", "role", "service", "version",
               "kecamatan", "bpmn_id")  # fmt: skip


def csv_chunks(items: Iterable[Trace]) -> Iterator[bytes]:
    """The log as CSV, one row per event (a layout pm4py and Disco read as it is), in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for trace in items:
        for event in trace.events:
            writer.writerow([
                trace.case_id, event.activity, timestamp(event.at), event.lifecycle, event.resource, event.role,
                trace.service, trace.version, trace.kecamatan, event.bpmn_id,
            ])  # fmt: skip
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
