"""One request's history as an auditor reads it: each event with who (name and role), on whose behalf,
when, the data entered, how long the step waited and was worked on, whether it is sealed in the log;
and where the request stood on its diagram after each event, to step through it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal.workflow.enums import EventType
from portal.workflow.events import chain_verify
from portal.workflow.models import InstanceEvent, ProcessInstance
from portal.workflow.selectors import request_steps

from .models import Checkpoint, LogLeaf

_STEP_OPENED = {EventType.HUMAN_TASK_CREATED}
_STEP_CLOSED = {EventType.HUMAN_TASK_COMPLETED, EventType.HUMAN_TASK_CANCELLED}


@dataclass
class Entry:
    event: InstanceEvent
    label: str
    who: str
    role: str = ""
    on_behalf_of: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    waited: timedelta | None = None
    worked: timedelta | None = None
    leaf_index: int | None = None
    in_checkpoint: bool = False
    step_name: str = ""

    @property
    def waited_text(self) -> str:
        return span_text(self.waited)

    @property
    def worked_text(self) -> str:
        return span_text(self.worked)

    @property
    def payload_text(self) -> str:
        return json.dumps(self.event.payload, ensure_ascii=False, indent=1)


def span_text(value: timedelta | None) -> str:
    """A step's waiting or working time, short: "2 j 5 mnt", "12 mnt", "40 dtk"."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return _("%(s)s dtk") % {"s": seconds}
    hours, minutes = divmod(seconds // 60, 60)
    return _("%(h)s j %(m)s mnt") % {"h": hours, "m": minutes} if hours else _("%(m)s mnt") % {"m": minutes}


def _people(usernames: set[str]) -> dict[str, str]:
    users = get_user_model().objects.filter(username__in=usernames)
    return {u.username: (u.get_full_name() or u.username) for u in users}


def _who(event: InstanceEvent, people: dict[str, str]) -> str:
    if event.payload.get("by") == "applicant_tracking_pin":
        return _("Pemohon (dengan PIN pelacakan)")
    if not event.actor_username:
        return _("Sistem")
    name = people.get(event.actor_username, event.actor_username)
    return f"{name} ({event.actor_username})" if name != event.actor_username else name


def _durations(entry: Entry, opened: dict[str, datetime], claimed: dict[str, datetime]) -> None:
    guid = str(entry.event.payload.get("task_guid") or "")
    at = entry.event.at
    if entry.event.type == EventType.HUMAN_TASK_CREATED:
        opened[guid] = at
    elif entry.event.type == EventType.HUMAN_TASK_CLAIMED:
        claimed[guid] = at
        if guid in opened:
            entry.waited = at - opened[guid]
    elif entry.event.type == EventType.HUMAN_TASK_COMPLETED and guid in opened:
        start = claimed.get(guid)
        entry.waited = (start or at) - opened[guid]
        entry.worked = at - start if start else None


def _state(positions: list[dict[str, Any]], open_steps: dict[str, str], done: list[str], entry: Entry) -> None:
    positions.append({
        "seq": entry.event.seq, "label": entry.label, "who": entry.who, "at": entry.event.at.isoformat(),
        "data": entry.data, "current": sorted(set(open_steps.values())), "done": list(dict.fromkeys(done)),
    })  # fmt: skip


def _entry(event: InstanceEvent, context: dict[str, Any]) -> Entry:
    payload = event.payload if isinstance(event.payload, dict) else {}
    behalf = payload.get("on_behalf_of")
    data = payload.get("data")
    bpmn_id = str(payload.get("bpmn_id") or "")
    leaf = context["leaves"].get(event.pk)
    return Entry(
        event=event, label=str(context["labels"].get(event.type, event.type)), who=_who(event, context["people"]),
        role=str(payload.get("role") or ""), data=data if isinstance(data, dict) else {},
        on_behalf_of=str(behalf.get("username") or "") if isinstance(behalf, dict) else "",
        leaf_index=leaf, in_checkpoint=leaf is not None and leaf < context["covered"],
        step_name=context["names"].get(bpmn_id, bpmn_id),
    )  # fmt: skip


def request_history(instance: ProcessInstance) -> dict[str, Any]:
    """Everything the auditor's page of one request shows (the caller checked access)."""
    events = list(InstanceEvent.objects.filter(instance=instance).order_by("seq"))
    checkpoint = Checkpoint.objects.order_by("-size", "-id").first()
    context = {
        "labels": dict(EventType.choices),
        "people": _people({e.actor_username for e in events if e.actor_username}),
        "names": dict(request_steps(instance).values_list("bpmn_id", "name")),
        "leaves": dict(LogLeaf.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", "index")),
        "covered": checkpoint.size if checkpoint else 0,
    }
    entries: list[Entry] = []
    positions: list[dict[str, Any]] = []
    opened: dict[str, datetime] = {}
    claimed: dict[str, datetime] = {}
    open_steps: dict[str, str] = {}  # task guid -> bpmn id
    done: list[str] = []
    for event in events:
        entry = _entry(event, context)
        _durations(entry, opened, claimed)
        guid, bpmn_id = str(event.payload.get("task_guid") or ""), str(event.payload.get("bpmn_id") or "")
        if event.type in _STEP_OPENED and bpmn_id:
            open_steps[guid] = bpmn_id
        elif event.type in _STEP_CLOSED:
            open_steps.pop(guid, None)
            if event.type == EventType.HUMAN_TASK_COMPLETED and bpmn_id:
                done.append(bpmn_id)
        elif event.type == EventType.TIMER_FIRED and bpmn_id:
            done.append(bpmn_id)
        entries.append(entry)
        _state(positions, open_steps, done, entry)
    return {
        "instance": instance, "entries": entries, "broken": chain_verify(instance),
        "sealed": sum(1 for e in entries if e.leaf_index is not None),
        "in_checkpoint": sum(1 for e in entries if e.in_checkpoint), "checkpoint": checkpoint,
        "stepper": {"bpmn_xml": instance.definition.bpmn_source, "positions": positions},
    }  # fmt: skip
