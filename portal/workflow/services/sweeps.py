"""Late work: one sweep tells the officers of each late step and the applicant of each late request, once."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import formats, timezone

from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue, officer_recipients

from ..commands import InstanceBusy, instance_command
from ..enums import OPEN_HUMAN_TASK, InstanceStatus
from ..models import HumanTask, ProcessInstance


def _late_step_notify(step_id: int, *, now: datetime) -> bool:
    # A notice row and a flag on the step, no event: the step row lock is enough (the instance is not advanced).
    with transaction.atomic():
        step = (
            HumanTask.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("instance__definition", "assignee")
            .filter(pk=step_id, status__in=OPEN_HUMAN_TASK, overdue_notified_at=None)
            .first()
        )
        if step is None:
            return False  # another sweep has it, or it was completed meanwhile
        notifications_queue(
            instance=step.instance, kind=NotificationKind.STEP_OVERDUE, key=f"step:{step.task_guid}",
            detail=step.name, now=now, recipients=officer_recipients(role=step.role, assignee=step.assignee),
        )  # fmt: skip
        step.overdue_notified_at = now
        step.save(update_fields=["overdue_notified_at"])
        return True


def _late_request_notify(instance_id: int, *, now: datetime) -> bool:
    try:
        with instance_command(instance_id, name="overdue_notify", now=now, skip_locked=True) as command:
            instance = command.instance
            late = (
                instance.status == InstanceStatus.RUNNING and instance.sla_overdue_notified_at is None
                and instance.sla_due_at is not None and instance.sla_paused_since is None
            )  # fmt: skip
            if not late:
                return False
            assert instance.sla_due_at is not None
            due = formats.date_format(timezone.localtime(instance.sla_due_at), "DATE_FORMAT")
            notifications_queue(instance=instance, kind=NotificationKind.OVERDUE, key="request", detail=due, now=now)
            instance.sla_overdue_notified_at = now
            command.changed("sla_overdue_notified_at")
            return True
    except InstanceBusy:
        return False


def overdue_notify(*, now: datetime | None = None, limit: int = 500) -> int:
    """One sweep: tell the officers of each late step, and the applicant of each late request, once.

    A step is late once its `paten.due` time has passed while it is still open: whoever claimed it
    is told, else every active holder of its role. A request is late once its expected completion
    date has passed while the file is with the office (not paused). Safe on several workers.
    """
    now = now or timezone.now()
    late_steps = HumanTask.objects.filter(
        status__in=OPEN_HUMAN_TASK, due_at__lt=now, overdue_notified_at=None, instance__status=InstanceStatus.RUNNING
    )
    told = sum(
        _late_step_notify(step_id, now=now)
        for step_id in list(late_steps.order_by("due_at").values_list("id", flat=True)[:limit])
    )
    late_requests = ProcessInstance.objects.filter(
        status=InstanceStatus.RUNNING, sla_due_at__lt=now, sla_paused_since=None, sla_overdue_notified_at=None
    )
    told += sum(
        _late_request_notify(instance_id, now=now)
        for instance_id in list(late_requests.order_by("sla_due_at").values_list("id", flat=True)[:limit])
    )
    return told
