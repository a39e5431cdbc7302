"""Firing due BPMN timers: one request at a time, and the sweep that finds them.

Safe beside other sweeps on other workers: a request another sweep holds is skipped (SKIP LOCKED:
it is that sweep's), and firing re-checks under the row lock, so no timer fires twice. A request
whose diagram fails becomes an incident (commands.py) and is skipped by later sweeps until an
administrator retries it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from portal.core.errors import ServiceError
from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue, officer_recipients

from .. import events
from ..commands import Command, InstanceBusy, instance_command, sandbox_outside_the_lock
from ..enums import OPEN_HUMAN_TASK, InstanceStatus
from ..models import HumanTask, TimerSchedule

log = logging.getLogger(__name__)


@sandbox_outside_the_lock
def instance_timers_fire(*, instance_id: int, now: datetime) -> int:
    """Fire the due timers of one request; 0 when another worker holds it or nothing is due."""
    try:
        with instance_command(
            instance_id,
            name="timers_fire",
            now=now,
            args={"at": now.isoformat()},
            skip_locked=True,
            allow_failed=True,  # looked at, and left alone below: an incident waits for its retry
        ) as command:
            if command.instance.status != InstanceStatus.RUNNING:
                return 0
            return timers_fire_in(command)
    except InstanceBusy:
        return 0


def timers_fire_in(command: Command) -> int:
    """Fire what is due at the command's time, inside a command holding the request (also a retry's)."""
    instance, now = command.instance, command.now
    due = TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None, due_at__lte=now)
    if not due.exists():
        return 0  # another sweep got here first
    running = command.workflow
    fired = running.fire_due_timers(now=now)
    cycling = {t.guid for t in running.waiting_timers()}  # a cycle fired and waits for its next time
    for timer in fired:
        if timer.guid not in cycling:
            TimerSchedule.objects.filter(instance=instance, task_guid=timer.guid).update(fired_at=now)
        events.timer_fired(instance, at=now, task_guid=timer.guid, bpmn_id=timer.bpmn_id, due_at=timer.due_at)
    command.workflow_changed()
    for timer in fired:
        if timer.bpmn_id in running.definition.reminders:
            step_bpmn_id, roles = running.definition.reminders[timer.bpmn_id]
            _remind(command, timer.guid, step_bpmn_id, roles)
    return len(fired)


def _remind(command: Command, timer_guid: str, step_bpmn_id: str, roles: tuple[str, ...]) -> None:
    """A reminder timer fired: tell whoever holds the step it watches (and any extra roles named)."""
    step = HumanTask.objects.filter(instance=command.instance, bpmn_id=step_bpmn_id, status__in=OPEN_HUMAN_TASK).first()
    if step is None:
        return
    recipients = officer_recipients(role=step.role, assignee=step.assignee)
    for role in roles:
        recipients += officer_recipients(role=role)
    key = f"remind:{timer_guid}:{command.now:%Y%m%dT%H%M%S}"
    notifications_queue(
        instance=command.instance, kind=NotificationKind.REMINDER, key=key, detail=step.name, now=command.now,
        recipients=list(dict.fromkeys(recipients)),
    )  # fmt: skip


def timers_fire_due(*, now: datetime | None = None, batch: int = 200, budget_seconds: float | None = None) -> int:
    """One sweep: fire every timer due by `now`, batch after batch, oldest first.

    Only running requests are looked at: an incident waits for its retry. A failing request never
    stops the others. With a budget the sweep stops after that many seconds and leaves the rest to
    the next one.
    """
    now = now or timezone.now()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    due = TimerSchedule.objects.filter(
        fired_at=None, cancelled_at=None, due_at__lte=now, instance__status=InstanceStatus.RUNNING
    ).order_by("due_at", "id")
    cursor: tuple[datetime, int] | None = None
    fired = 0
    while deadline is None or time.monotonic() < deadline:
        page = due
        if cursor is not None:
            page = due.filter(Q(due_at__gt=cursor[0]) | Q(due_at=cursor[0], id__gt=cursor[1]))
        rows = list(page.values_list("due_at", "id", "instance_id")[:batch])
        if not rows:
            break
        cursor = rows[-1][0], rows[-1][1]
        for instance_id in dict.fromkeys(row[2] for row in rows):
            try:
                fired += instance_timers_fire(instance_id=instance_id, now=now)
            except ServiceError as exc:  # an incident now, recorded by the command
                log.warning("timer sweep: request %s: %s", instance_id, exc)
            if deadline is not None and time.monotonic() >= deadline:
                break
    return fired
