"""Mirror tables of a request, written after its workflow acted: state, human-task rows, timer rows,
and the lists' rows.

Rows mirror the engine: a human-task row for every ready user task (with the step's form, what the
diagram declares of it and a snapshot of the data, so no page restores the workflow), a timer row
for every armed timer (the sweep's index), and a work item for every open human-task row (what the
lists read). Called only by commands._save (and registration, for the name keys), under the row lock.
"""

from __future__ import annotations

from datetime import datetime

import engine
from portal.accounts.enums import RoleCode
from portal.core.text import word_start_keys
from portal.directory.models import Village
from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue

from . import events
from .definitions import step_properties
from .enums import OPEN_HUMAN_TASK, HumanTaskStatus, InstanceStatus
from .hooks import hooks
from .models import HumanTask, NameKey, ProcessInstance, TimerSchedule, WorkItem
from .sla import sla_pause_or_resume

STATE_FIELDS = frozenset(
    {"state", "serializer_version", "updated_at", "status", "completed_at", "outcome_bpmn_id", "outcome_name",
     "sla_paused_since", "sla_paused_seconds", "sla_due_at"}
)  # fmt: skip


def workflow_persist(
    instance: ProcessInstance, running: engine.Instance, *, now: datetime, open_rows: list[HumanTask] | None = None
) -> frozenset[str]:
    """Write the state and mirror rows after the workflow acted; returns the instance fields to save.

    `open_rows`: the request's open step rows as the command already holds them (else read here).
    """
    instance.state = running.dump()
    instance.serializer_version = engine.SERIALIZER_VERSION
    instance.updated_at = now
    finished = running.status is engine.InstanceStatus.COMPLETED and instance.status != InstanceStatus.COMPLETED
    if finished:
        instance.status = InstanceStatus.COMPLETED
        instance.completed_at = now
        end = running.end_event()
        if end is not None:
            instance.outcome_bpmn_id, instance.outcome_name = end[0], end[1][:200]
    ready = {h.guid: h for h in running.ready_human_tasks()}
    sla_pause_or_resume(instance, with_applicant=any(h.role == RoleCode.PEMOHON for h in ready.values()), now=now)
    _human_tasks_sync(instance, running, ready, now=now, open_rows=open_rows)
    if running.definition.has_timers:
        _timers_sync(instance, running, now=now)
    if finished:
        events.instance_completed(instance, at=now, end_event=instance.outcome_bpmn_id, end_name=instance.outcome_name)
    return STATE_FIELDS


def _human_tasks_sync(
    instance: ProcessInstance,
    running: engine.Instance,
    ready: dict[str, engine.HumanTaskInfo],
    *,
    now: datetime,
    open_rows: list[HumanTask] | None,
) -> None:
    if open_rows is None:
        open_rows = list(HumanTask.objects.filter(instance=instance, status__in=OPEN_HUMAN_TASK))
    by_guid = {row.task_guid: row for row in open_rows}
    for guid, row in by_guid.items():
        if guid in ready:
            continue
        row.status = HumanTaskStatus.CANCELLED
        row.completed_at = now
        row.save(update_fields=["status", "completed_at"])
        events.human_task_cancelled(instance, at=now, human_task=row)
    data = running.data
    for guid, info in ready.items():
        if guid in by_guid:
            continue
        row = HumanTask.objects.create(
            instance=instance, task_guid=guid, bpmn_id=info.bpmn_id, name=info.name[:200], role=info.role or "",
            form=info.form.to_list(), properties=step_properties(running.definition, info.bpmn_id), data=data,
            created_at=now, due_at=engine.step_due(running.definition, info.bpmn_id, data, now=now),
        )  # fmt: skip
        if info.role == RoleCode.PEMOHON:
            notifications_queue(
                instance=instance, kind=NotificationKind.RETURNED, key=guid, now=now,
                detail=hooks.returned_detail(instance),
            )  # fmt: skip
        events.human_task_created(instance, at=now, human_task=row)


def _timers_sync(instance: ProcessInstance, running: engine.Instance, *, now: datetime) -> None:
    """Mirror the engine's armed timers into TimerSchedule rows (the sweep's index)."""
    timers = running.waiting_timers()
    bpmn_ids = {t.guid: t.bpmn_id for t in timers}
    waiting = {t.guid: t.due_at for t in timers if t.due_at is not None}
    armed = {t.task_guid: t for t in TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None)}
    for guid, timer_row in armed.items():
        if guid not in waiting:
            timer_row.cancelled_at = now
            timer_row.save(update_fields=["cancelled_at"])
    for guid, due_at in waiting.items():
        existing = armed.get(guid)
        if existing is None:
            TimerSchedule.objects.update_or_create(
                instance=instance, task_guid=guid,
                defaults={"bpmn_id": bpmn_ids[guid], "due_at": due_at, "fired_at": None, "cancelled_at": None},
            )  # fmt: skip
        elif existing.due_at != due_at:
            existing.due_at = due_at
            existing.save(update_fields=["due_at"])


# What a work item copies of its step, and may see change while the step stays open.
_STEP_FIELDS = ("status", "assignee_id", "claimed_at", "due_at", "name", "bpmn_id", "role", "created_at")
_STEP_COLUMNS = ("id", "instance_id", *_STEP_FIELDS)


def work_items_sync(instance: ProcessInstance) -> None:
    """Make the request's work items its open steps, as they stand: one row per ready or claimed
    step, none for a step completed or cancelled. Run on the way out of every command, so whatever
    the command did to its steps (opened, claimed, released, completed, cancelled) the lists see."""
    open_steps = HumanTask.objects.filter(instance=instance, status__in=OPEN_HUMAN_TASK).only(*_STEP_COLUMNS)
    steps = {step.pk: step for step in open_steps}
    held = {item.pk: item for item in WorkItem.objects.filter(instance_id=instance.pk)}
    stale = [pk for pk in held if pk not in steps]
    if stale:
        WorkItem.objects.filter(pk__in=stale).delete()
    service_name = instance.definition.name[:200]
    for pk, step in steps.items():
        item = held.get(pk)
        if item is None:
            continue
        values = {f: getattr(step, f) for f in _STEP_FIELDS}
        if service_name != item.service_name:  # a retry moved the request to another version
            values["service_name"] = service_name
        changed = {f: v for f, v in values.items() if getattr(item, f) != v}
        if changed:
            WorkItem.objects.filter(pk=pk).update(**changed)
    new = [step for pk, step in steps.items() if pk not in held]
    if new:
        shared = {
            "instance_id": instance.pk, "office_id": instance.office_id,
            "applicant_user_id": instance.applicant_user_id, "tracking_number": instance.tracking_number,
            "service_code": instance.definition.code,
            "service_name": service_name, "applicant_name": instance.applicant_name,
            "village_id": instance.applicant_village_id, "village_name": _village_name(instance),
        }  # fmt: skip
        WorkItem.objects.bulk_create(
            [
                WorkItem(human_task_id=step.pk, lane=work_item_lane(step.role, instance.applicant_user_id), **shared,
                         **{f: getattr(step, f) for f in _STEP_FIELDS})
                for step in new
            ]
        )  # fmt: skip


def work_item_lane(role: str, applicant_user_id: int | None) -> str:
    """Whose list a step is on: its role's; the counter's for an applicant without an account."""
    return RoleCode.LOKET if role == RoleCode.PEMOHON and applicant_user_id is None else role


def _village_name(instance: ProcessInstance) -> str:
    if ProcessInstance._meta.get_field("applicant_village").is_cached(instance):  # as registration made it
        return instance.applicant_village.name
    found = Village.objects.filter(pk=instance.applicant_village_id).values_list("name", flat=True)
    return next(iter(found), "")


def name_keys_write(instance: ProcessInstance) -> None:
    """The keys the auditor's search finds a new request by (its applicant's name from each word on)."""
    keys = word_start_keys(instance.applicant_name)
    NameKey.objects.bulk_create([NameKey(instance=instance, office_id=instance.office_id, key=key) for key in keys])
