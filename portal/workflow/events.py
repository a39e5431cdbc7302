"""The audit log: one small function per event type, each appending a hash-chained row.

Command events carry the input needed to re-execute the command later (actor, time, data,
task guid and bpmn id); effect events (created, cancelled, completed) make the log readable.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .enums import EventType
from .models import InstanceEvent, ProcessInstance

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def event_hash(*, prev_hash: str, tracking_number: str, seq: int, type: str, actor: str, at: str, payload: Any) -> str:
    body = canonical(
        {
            "prev": prev_hash,
            "tn": tracking_number,
            "seq": seq,
            "type": type,
            "actor": actor,
            "at": at,
            "payload": payload,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _append(
    instance: ProcessInstance, type: EventType, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    """Append one event; the caller holds the instance row lock and saves the instance afterwards."""
    seq = instance.last_event_seq + 1
    prev = instance.last_event_hash or GENESIS
    at = at.astimezone(UTC)
    clean_payload = json.loads(canonical(payload))
    username = actor.get_username() if actor is not None else ""
    digest = event_hash(
        prev_hash=prev, tracking_number=instance.tracking_number, seq=seq, type=str(type),
        actor=username, at=at.isoformat(), payload=clean_payload,
    )  # fmt: skip
    event = InstanceEvent.objects.create(
        instance=instance, seq=seq, type=type, actor=actor, actor_username=username, at=at,
        payload=clean_payload, prev_hash=prev, hash=digest,
    )  # fmt: skip
    instance.last_event_seq, instance.last_event_hash = seq, digest
    return event


def instance_started(instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.INSTANCE_STARTED, actor, at, payload)


def human_task_created(instance: ProcessInstance, *, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_CREATED, None, at, payload)


def human_task_claimed(
    instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_CLAIMED, actor, at, payload)


def human_task_released(
    instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_RELEASED, actor, at, payload)


def human_task_completed(
    instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_COMPLETED, actor, at, payload)


def human_task_cancelled(instance: ProcessInstance, *, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_CANCELLED, None, at, payload)


def timer_fired(instance: ProcessInstance, *, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.TIMER_FIRED, None, at, payload)


def letter_numbered(instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.LETTER_NUMBERED, actor, at, payload)


def letter_issued(instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.LETTER_ISSUED, actor, at, payload)


def document_uploaded(instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.DOCUMENT_UPLOADED, actor, at, payload)


def requirements_checked(
    instance: ProcessInstance, *, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    return _append(instance, EventType.REQUIREMENTS_CHECKED, actor, at, payload)


def pin_reissued(instance: ProcessInstance, *, actor: Any, at: datetime) -> InstanceEvent:
    return _append(instance, EventType.PIN_REISSUED, actor, at, {})  # the PIN itself is never recorded


def instance_completed(instance: ProcessInstance, *, at: datetime, payload: dict[str, Any]) -> InstanceEvent:
    return _append(instance, EventType.INSTANCE_COMPLETED, None, at, payload)


def chain_verify(instance: ProcessInstance) -> list[int]:
    """Sequence numbers of events whose hash or link does not match; empty when intact.

    A log cut short shows as a head on the instance that the last event does not reach.
    """
    bad = []
    prev = GENESIS
    last_seq = 0
    for e in InstanceEvent.objects.filter(instance=instance).order_by("seq"):
        last_seq = e.seq
        expected = event_hash(
            prev_hash=prev, tracking_number=instance.tracking_number, seq=e.seq, type=e.type,
            actor=e.actor_username, at=e.at.isoformat(), payload=e.payload,
        )  # fmt: skip
        if e.prev_hash != prev or e.hash != expected:
            bad.append(e.seq)
        prev = e.hash
    if (last_seq, prev) != (instance.last_event_seq, instance.last_event_hash):
        bad.append(instance.last_event_seq)
    return bad
