"""Mirror tables of a request, written after its workflow acted: state, human-task rows, timer rows,
and the lists' rows.

Rows mirror the engine: a human-task row for every ready user task (with the step's form, what the
diagram declares of it and a snapshot of the data, so no page restores the workflow), a timer row
for every armed timer (the sweep's index), and a work item for every open human-task row (what the
lists read). Called only by commands._save (and registration, for the name keys), under the row lock.
They write what the command changed, from the rows the command holds, rather than reading it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import engine
from portal.accounts.enums import RoleCode
from portal.core.prepared import row_replace, rows_delete, rows_insert
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
    instance: ProcessInstance, running: engine.Instance, *, now: datetime, steps: dict[int, HumanTask],
    timers_before: dict[str, datetime] | None,
) -> frozenset[str]:  # fmt: skip
    """Write the state and mirror rows after the workflow acted; returns the instance fields to save.

    `steps`: the request's step rows the command holds (its open ones as read under the lock, as the
    body changed them); the steps opened here are added to it. `timers_before`: the armed timers
    when the command restored the workflow (None: read the timer rows).
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
    _human_tasks_sync(instance, running, ready, now=now, steps=steps)
    if running.definition.has_timers:
        _timers_sync(instance, running, now=now, before=timers_before)
    if finished:
        events.instance_completed(instance, at=now, end_event=instance.outcome_bpmn_id, end_name=instance.outcome_name)
    return STATE_FIELDS


def _human_tasks_sync(
    instance: ProcessInstance,
    running: engine.Instance,
    ready: dict[str, engine.HumanTaskInfo],
    *,
    now: datetime,
    steps: dict[int, HumanTask],
) -> None:
    """Close the open rows the engine no longer waits on, open a row for each new ready task."""
    by_guid = {row.task_guid: row for row in steps.values() if row.status in OPEN_HUMAN_TASK}
    gone = [row for guid, row in by_guid.items() if guid not in ready]
    if gone:
        HumanTask.objects.filter(pk__in=[row.pk for row in gone]).update(
            status=HumanTaskStatus.CANCELLED, completed_at=now
        )
        for row in gone:
            row.status, row.completed_at = HumanTaskStatus.CANCELLED, now
            events.human_task_cancelled(instance, at=now, human_task=row)
    data = running.data
    new = [_step_row(instance, running, guid, info, data, now=now) for guid, info in ready.items()
           if guid not in by_guid]  # fmt: skip
    if not new:
        return
    rows_insert(new)  # ids come back (RETURNING) on PostgreSQL and SQLite >= 3.35
    for row in new:
        steps[row.pk] = row
        if row.role == RoleCode.PEMOHON:
            notifications_queue(
                instance=instance, kind=NotificationKind.RETURNED, key=row.task_guid, now=now,
                detail=hooks.returned_detail(instance),
            )  # fmt: skip
        events.human_task_created(instance, at=now, human_task=row)


def _step_row(
    instance: ProcessInstance, running: engine.Instance, guid: str, info: engine.HumanTaskInfo, data: dict[str, Any],
    *, now: datetime,
) -> HumanTask:  # fmt: skip
    return HumanTask(
        instance=instance, task_guid=guid, bpmn_id=info.bpmn_id, name=info.name[:200], role=info.role or "",
        form=info.form.to_list(), properties=step_properties(running.definition, info.bpmn_id), data=data,
        created_at=now, due_at=engine.step_due(running.definition, info.bpmn_id, data, now=now),
    )  # fmt: skip


def _timers_sync(
    instance: ProcessInstance, running: engine.Instance, *, now: datetime, before: dict[str, datetime] | None
) -> None:
    """Mirror the engine's armed timers into TimerSchedule rows (the sweep's index): only what changed
    since `before` (what was armed when the workflow was restored)."""
    timers = running.waiting_timers()
    bpmn_ids = {t.guid: t.bpmn_id for t in timers}
    waiting = armed_timers(timers)
    if before is None:
        armed = TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None)
        before = {row.task_guid: row.due_at for row in armed}
    gone = [guid for guid in before if guid not in waiting]
    if gone:  # a timer that fired is marked so by the sweep before this; the others were cancelled
        TimerSchedule.objects.filter(
            instance=instance, task_guid__in=gone, fired_at=None, cancelled_at=None
        ).update(cancelled_at=now)  # fmt: skip
    arming = [
        TimerSchedule(instance=instance, task_guid=guid, bpmn_id=bpmn_ids[guid], due_at=due_at)
        for guid, due_at in waiting.items()
        if guid not in before
    ]
    if arming:  # one statement; a row left from an earlier arming of the same task is armed again
        TimerSchedule.objects.bulk_create(
            arming, update_conflicts=True, unique_fields=["instance", "task_guid"],
            update_fields=["bpmn_id", "due_at", "fired_at", "cancelled_at"],
        )  # fmt: skip
    for guid, due_at in waiting.items():
        if guid in before and before[guid] != due_at:
            TimerSchedule.objects.filter(instance=instance, task_guid=guid).update(due_at=due_at)


def armed_timers(timers: list[engine.WaitingTimer]) -> dict[str, datetime]:
    """A workflow's waiting timers as the timer rows hold them: guid -> due time."""
    return {t.guid: t.due_at for t in timers if t.due_at is not None}


# What a work item copies of its step, and may see change while the step stays open.
_STEP_FIELDS = ("status", "assignee_id", "claimed_at", "due_at", "name", "bpmn_id", "role", "created_at")
_STEP_COLUMNS = ("id", "instance_id", *_STEP_FIELDS)


def step_mark(step: HumanTask) -> tuple[Any, ...]:
    """What a work item copies of its step, as the step stands (compared on the way out)."""
    return tuple(getattr(step, f) for f in _STEP_FIELDS)


def work_items_write(instance: ProcessInstance, steps: dict[int, HumanTask], marks: dict[int, tuple[Any, ...]]) -> None:
    """Bring the lists' rows in line with what the command did to the steps it holds, writing only
    the difference: `marks` are the open steps as read under the lock (step_mark); a step held but
    not marked was opened by the command. No read: the command knows what it changed."""
    closed = [pk for pk, step in steps.items() if pk in marks and step.status not in OPEN_HUMAN_TASK]
    for pk, step in steps.items():
        if pk in marks and step.status in OPEN_HUMAN_TASK:
            current = step_mark(step)
            changed = {f: v for f, v, was in zip(_STEP_FIELDS, current, marks[pk], strict=True) if v != was}
            if changed:
                WorkItem.objects.filter(pk=pk).update(**changed)
    new = [step for pk, step in steps.items() if pk not in marks and step.status in OPEN_HUMAN_TASK]
    # The common step: one closes, the next opens; the closed one's row becomes the new one's.
    while closed and new and row_replace(_work_item(instance, new[0]), closed[0]):
        closed, new = closed[1:], new[1:]
    rows_delete(WorkItem, closed)
    if new:
        rows_insert([_work_item(instance, step) for step in new])


def work_items_sync(instance: ProcessInstance) -> None:
    """Make the request's work items its open steps, read afresh: one row per ready or claimed step,
    none for a step completed or cancelled. For a command that changed what every row copies of the
    request (a retry moving it to another version); the others write the difference (work_items_write)."""
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
        values["service_name"] = service_name
        changed = {f: v for f, v in values.items() if getattr(item, f) != v}
        if changed:
            WorkItem.objects.filter(pk=pk).update(**changed)
    new = [step for pk, step in steps.items() if pk not in held]
    if new:
        _work_items_create(instance, new)


def _work_items_create(instance: ProcessInstance, steps: list[HumanTask]) -> None:
    rows_insert([_work_item(instance, step) for step in steps])


def _work_item(instance: ProcessInstance, step: HumanTask) -> WorkItem:
    """The lists' row of an open step of the request."""
    return WorkItem(
        human_task_id=step.pk, lane=work_item_lane(step.role, instance.applicant_user_id),
        instance_id=instance.pk, office_id=instance.office_id, applicant_user_id=instance.applicant_user_id,
        tracking_number=instance.tracking_number, service_code=instance.definition.code,
        service_name=instance.definition.name[:200], applicant_name=instance.applicant_name,
        village_id=instance.applicant_village_id, village_name=_village_name(instance),
        **{f: getattr(step, f) for f in _STEP_FIELDS},
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
