"""The audit log: one small writer per event type, each building its payload from domain arguments.

Every writer appends one hash-chained row to a request's log and moves the head it keeps in
memory on the instance (`_append`, the only code that moves it); the command context manager
(commands.py) holds the command's rows and writes them in one statement, and saves the head with
the instance, on the way out. Command events carry what is
needed to re-execute the command later (actor, time, data, task guid and bpmn id); effect events
(created, cancelled, completed) make the log readable.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from portal.core.hashing import canonical_json, sha256_hex
from portal.core.prepared import rows_insert

from .enums import EventType
from .models import DefinitionEvent, DefinitionPart, HumanTask, InstanceEvent, ProcessDefinition, ProcessInstance

GENESIS = "0" * 64
_HELD = "_paten_events_held"  # the instance object's attribute holding a command's unwritten events


def canonical(value: Any) -> str:
    return canonical_json(value)


def event_hash(*, prev_hash: str, tracking_number: str, seq: int, type: str, actor: str, at: str, payload: Any) -> str:
    body = {"prev": prev_hash, "tn": tracking_number, "seq": seq, "type": type, "actor": actor, "at": at,
            "payload": payload}  # fmt: skip
    return sha256_hex(canonical(body))


def _username(actor: Any) -> str:
    return str(actor.get_username()) if actor is not None else ""


def _append(
    instance: ProcessInstance, type: EventType, actor: Any, at: datetime, payload: dict[str, Any]
) -> InstanceEvent:
    """Append one event; the caller holds the instance row lock and its command saves the head."""
    seq = instance.last_event_seq + 1
    prev = instance.last_event_hash or GENESIS
    at = at.astimezone(UTC)
    clean_payload = json.loads(canonical(payload))
    username = _username(actor)
    digest = event_hash(
        prev_hash=prev, tracking_number=instance.tracking_number, seq=seq, type=str(type),
        actor=username, at=at.isoformat(), payload=clean_payload,
    )  # fmt: skip
    event = InstanceEvent(
        instance=instance, seq=seq, type=type, actor=actor, actor_username=username, at=at,
        task_guid=str(clean_payload.get("task_guid") or "")[:36], bpmn_id=str(clean_payload.get("bpmn_id") or "")[:100],
        payload=clean_payload, prev_hash=prev, hash=digest,
    )  # fmt: skip
    held = instance.__dict__.get(_HELD)
    if held is None:
        event.save()
    else:
        held.append(event)
    instance.last_event_seq, instance.last_event_hash = seq, digest
    return event


def head_seq(instance: ProcessInstance) -> int:
    """The number of the request's last event (written or held)."""
    return int(instance.last_event_seq)


def events_hold(instance: ProcessInstance) -> None:
    """Keep the events appended to this instance object in memory until `events_write` (a command
    writes its events in one statement on the way out)."""
    instance.__dict__[_HELD] = []


def events_write(instance: ProcessInstance) -> None:
    """Write the events held for the instance, in order, and stop holding them."""
    held = instance.__dict__.pop(_HELD, None)
    if held:
        rows_insert(held)


def _step(human_task: HumanTask) -> dict[str, Any]:
    return {"human_task_id": human_task.pk, "task_guid": human_task.task_guid, "bpmn_id": human_task.bpmn_id}


# --- requests ----------------------------------------------------------------------------------


def instance_started(
    instance: ProcessInstance, *, actor: Any, at: datetime, definition: ProcessDefinition,
    initial_data: dict[str, Any], channel: str = "", task_id_seed: str = "",
) -> InstanceEvent:  # fmt: skip
    """`task_id_seed`: what the engine numbered the request's task ids from, so a replay repeats them."""
    payload = {"definition_id": definition.pk, "service": definition.code, "version": definition.version,
               "sha256": definition.sha256, "initial_data": initial_data}  # fmt: skip
    if channel:
        payload["channel"] = channel
    if task_id_seed:
        payload["task_id_seed"] = task_id_seed
    return _append(instance, EventType.INSTANCE_STARTED, actor, at, payload)


def instance_completed(instance: ProcessInstance, *, at: datetime, end_event: str, end_name: str) -> InstanceEvent:
    return _append(instance, EventType.INSTANCE_COMPLETED, None, at, {"end_event": end_event, "end_name": end_name})


def instance_failed(
    instance: ProcessInstance, *, actor: Any, at: datetime, command: str, args: dict[str, Any], error: str,
    element: str,
) -> InstanceEvent:  # fmt: skip
    payload = {"command": command, "args": args, "error": error, "element": element}
    return _append(instance, EventType.INSTANCE_FAILED, actor, at, payload)


def instance_retried(
    instance: ProcessInstance, *, actor: Any, at: datetime, command: str, from_definition: ProcessDefinition,
    to_definition: ProcessDefinition,
) -> InstanceEvent:  # fmt: skip
    payload = {"command": command, "from_definition_id": from_definition.pk, "from_version": from_definition.version,
               "to_definition_id": to_definition.pk, "to_version": to_definition.version,
               "to_sha256": to_definition.sha256}  # fmt: skip
    return _append(instance, EventType.INSTANCE_RETRIED, actor, at, payload)


def _version(prefix: str, definition: ProcessDefinition) -> dict[str, Any]:
    return {f"{prefix}_definition_id": definition.pk, f"{prefix}_version": definition.version,
            f"{prefix}_sha256": definition.sha256}  # fmt: skip


def instance_migrated(
    instance: ProcessInstance, *, actor: Any, at: datetime, from_definition: ProcessDefinition,
    to_definition: ProcessDefinition, waiting: list[str],
) -> InstanceEvent:  # fmt: skip
    """The request moved onto another version; `waiting`: the elements it waited at, kept."""
    payload = {**_version("from", from_definition), **_version("to", to_definition), "waiting": waiting}
    return _append(instance, EventType.INSTANCE_MIGRATED, actor, at, payload)


def instance_migration_reverted(
    instance: ProcessInstance, *, actor: Any, at: datetime, from_definition: ProcessDefinition,
    to_definition: ProcessDefinition, migrated_seq: int,
) -> InstanceEvent:  # fmt: skip
    """The move recorded at event `migrated_seq` was undone: back from `from_definition` to `to_definition`."""
    payload = {**_version("from", from_definition), **_version("to", to_definition), "migrated_seq": migrated_seq}
    return _append(instance, EventType.INSTANCE_MIGRATION_REVERTED, actor, at, payload)


def instance_cancelled(instance: ProcessInstance, *, actor: Any, at: datetime, reason: str) -> InstanceEvent:
    return _append(instance, EventType.INSTANCE_CANCELLED, actor, at, {"reason": reason})


def pin_reissued(instance: ProcessInstance, *, actor: Any, at: datetime) -> InstanceEvent:
    return _append(instance, EventType.PIN_REISSUED, actor, at, {})  # the PIN itself is never recorded


def instance_archived(
    instance: ProcessInstance, *, at: datetime, moved_steps: int, removed_timers: int, state_sha256: str
) -> InstanceEvent:
    """The finished request left the hot tables: its steps live on in the history table, its timer rows
    (told by its timer_fired events) are gone, and its workflow state was compacted; `state_sha256`
    fingerprints the state as it was, so a copy kept elsewhere can still be matched to it."""
    payload = {"moved_steps": moved_steps, "removed_timers": removed_timers, "state_sha256": state_sha256}
    return _append(instance, EventType.INSTANCE_ARCHIVED, None, at, payload)


# --- human tasks -------------------------------------------------------------------------------


def human_task_created(instance: ProcessInstance, *, at: datetime, human_task: HumanTask) -> InstanceEvent:
    payload = {**_step(human_task), "role": human_task.role,
               "due_at": human_task.due_at.isoformat() if human_task.due_at else None}  # fmt: skip
    return _append(instance, EventType.HUMAN_TASK_CREATED, None, at, payload)


def human_task_claimed(instance: ProcessInstance, *, actor: Any, at: datetime, human_task: HumanTask) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_CLAIMED, actor, at, _step(human_task))


def human_task_released(
    instance: ProcessInstance, *, actor: Any, at: datetime, human_task: HumanTask, holder: Any = None
) -> InstanceEvent:
    """`holder`: the officer who held the step, when someone else released it (their account was deactivated)."""
    payload = _step(human_task)
    if holder is not None:
        payload["holder"] = str(holder.get_username())
    return _append(instance, EventType.HUMAN_TASK_RELEASED, actor, at, payload)


def human_task_completed(
    instance: ProcessInstance, *, actor: Any, at: datetime, human_task: HumanTask, data: dict[str, Any],
    by_pin: bool = False, delegation: Any = None,
) -> InstanceEvent:  # fmt: skip
    """`by_pin`: the applicant's step completed by someone the tracking PIN let in; `delegation`: a deputy signed."""
    payload: dict[str, Any] = {**_step(human_task), "role": human_task.role, "data": data}
    if by_pin:
        payload["by"] = "applicant_tracking_pin"
    if delegation is not None:
        payload["on_behalf_of"] = {"username": delegation.principal.get_username(), "kind": delegation.kind,
                                   "delegation_id": delegation.pk}  # fmt: skip
    return _append(instance, EventType.HUMAN_TASK_COMPLETED, actor, at, payload)


def human_task_cancelled(instance: ProcessInstance, *, at: datetime, human_task: HumanTask) -> InstanceEvent:
    return _append(instance, EventType.HUMAN_TASK_CANCELLED, None, at, _step(human_task))


def timer_fired(
    instance: ProcessInstance, *, at: datetime, task_guid: str, bpmn_id: str, due_at: datetime | None
) -> InstanceEvent:
    payload = {"task_guid": task_guid, "bpmn_id": bpmn_id, "due_at": due_at.isoformat() if due_at else None}
    return _append(instance, EventType.TIMER_FIRED, None, at, payload)


def message_delivered(
    instance: ProcessInstance, *, actor: Any, at: datetime, name: str, data: dict[str, Any], caught: list[str],
    by_pin: bool = False,
) -> InstanceEvent:  # fmt: skip
    """A message from outside reached the elements `caught`: its name and data are what replay needs."""
    payload: dict[str, Any] = {"name": name, "data": data, "caught": caught}
    if by_pin:
        payload["by"] = "applicant_tracking_pin"
    return _append(instance, EventType.MESSAGE_DELIVERED, actor, at, payload)


def message_undelivered(
    instance: ProcessInstance, *, actor: Any, at: datetime, name: str, by_pin: bool = False
) -> InstanceEvent:
    """A message arrived that nothing in the request waited for; nothing else changed."""
    payload: dict[str, Any] = {"name": name}
    if by_pin:
        payload["by"] = "applicant_tracking_pin"
    return _append(instance, EventType.MESSAGE_UNDELIVERED, actor, at, payload)


# --- a request's records (written by letters and documents inside a command) --------------------


def letter_numbered(
    instance: ProcessInstance, *, actor: Any, at: datetime, letter_id: int, number: str, capacity: str,
    human_task: HumanTask,
) -> InstanceEvent:  # fmt: skip
    payload = {"letter_id": letter_id, "number": number, "capacity": capacity, "human_task_id": human_task.pk}
    return _append(instance, EventType.LETTER_NUMBERED, actor, at, payload)


def letter_issued(
    instance: ProcessInstance, *, at: datetime, letter_id: int, number: str, sha256: str, capacity: str,
    human_task_id: int | None,
) -> InstanceEvent:  # fmt: skip
    payload = {"letter_id": letter_id, "number": number, "sha256": sha256, "capacity": capacity,
               "human_task_id": human_task_id}  # fmt: skip
    return _append(instance, EventType.LETTER_ISSUED, None, at, payload)


def document_uploaded(
    instance: ProcessInstance, *, actor: Any, at: datetime, document_id: int, requirement_code: str, sha256: str,
    size: int, content_type: str,
) -> InstanceEvent:  # fmt: skip
    payload = {"document_id": document_id, "requirement_code": requirement_code, "sha256": sha256, "size": size,
               "content_type": content_type}  # fmt: skip
    return _append(instance, EventType.DOCUMENT_UPLOADED, actor, at, payload)


def requirements_checked(
    instance: ProcessInstance, *, actor: Any, at: datetime, check_ids: list[int], items: dict[str, str],
    previous: dict[str, str | None], note: str,
) -> InstanceEvent:  # fmt: skip
    payload = {"check_ids": check_ids, "items": items, "previous": previous, "note": note}
    return _append(instance, EventType.REQUIREMENTS_CHECKED, actor, at, payload)


# --- deployments -------------------------------------------------------------------------------


def definition_deployed(
    *, definition: ProcessDefinition, previous: ProcessDefinition | None, actor: Any, by_name: str, at: datetime,
    note: str, reactivated: bool, rollback: bool = False,
) -> DefinitionEvent:  # fmt: skip
    """One row in the deployments' own chain (the caller holds the service's version rows locked).

    `rollback`: a designer put this earlier version back in use, as it was (not a deploy of its file)."""
    payload = {
        "code": definition.code, "definition_id": definition.pk, "version": definition.version,
        "sha256": definition.sha256, "previous_version": previous.version if previous else None,
        "previous_sha256": previous.sha256 if previous else None, "reactivated": reactivated, "note": note,
    }  # fmt: skip
    if rollback:
        payload["rollback"] = True
    if definition.pk is not None and definition.parts.exists():
        payload["parts"] = [f"{p.filename} v{p.version} {p.sha256}" for p in definition.parts.order_by("kind", "code")]
    return _deployment(EventType.DEFINITION_DEPLOYED, definition.code, payload, actor=actor, by_name=by_name, at=at)


def part_deployed(
    *, part: DefinitionPart, previous: DefinitionPart | None, actor: Any, by_name: str, at: datetime, note: str,
    reactivated: bool,
) -> DefinitionEvent:  # fmt: skip
    """A decision table or shared sub-process file deployed, in the same chain as the services."""
    payload = {
        "kind": part.kind, "code": part.code, "part_id": part.pk, "version": part.version, "sha256": part.sha256,
        "previous_version": previous.version if previous else None,
        "previous_sha256": previous.sha256 if previous else None, "reactivated": reactivated, "note": note,
    }  # fmt: skip
    return _deployment(
        EventType.PART_DEPLOYED, f"{part.kind}/{part.code}", payload, actor=actor, by_name=by_name, at=at
    )


def _deployment(
    kind: EventType, code: str, payload: dict[str, Any], *, actor: Any, by_name: str, at: datetime
) -> DefinitionEvent:
    last = DefinitionEvent.objects.order_by("-seq").only("seq", "hash").first()
    seq, prev = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
    at = at.astimezone(UTC)
    clean = json.loads(canonical(payload))
    username = _username(actor) or by_name
    digest = event_hash(
        prev_hash=prev, tracking_number="", seq=seq, type=str(kind), actor=username, at=at.isoformat(), payload=clean
    )
    return DefinitionEvent.objects.create(
        seq=seq, type=kind, code=code[:64], actor=actor, actor_username=username, at=at, payload=clean,
        prev_hash=prev, hash=digest,
    )  # fmt: skip


# --- verification ------------------------------------------------------------------------------


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
