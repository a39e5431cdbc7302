"""The request's service-level clock: started when the file is declared complete, paused while it is
back with the applicant. Changes the instance in memory; its command saves it."""

from __future__ import annotations

from datetime import datetime

from portal.catalogue.selectors import service_working_days
from portal.officecalendar.selectors import office_calendar

from .enums import InstanceStatus
from .models import ProcessInstance


def sla_start(instance: ProcessInstance, *, now: datetime) -> None:
    """Start the clock once: due after the published standard's working days."""
    days = service_working_days(instance.definition.code)
    if days is None or instance.sla_started_at is not None:
        return
    instance.sla_working_days = days
    instance.sla_started_at = now
    instance.sla_due_at = office_calendar(instance.office_id).add_working_days(now, days)


def sla_pause_or_resume(instance: ProcessInstance, *, with_applicant: bool, now: datetime) -> None:
    """The clock stops while the file is back with the applicant and the due time moves on by that time."""
    if instance.sla_started_at is None or instance.sla_due_at is None:
        return
    if with_applicant and instance.sla_paused_since is None and instance.status == InstanceStatus.RUNNING:
        instance.sla_paused_since = now
    elif not with_applicant and instance.sla_paused_since is not None:
        calendar = office_calendar(instance.office_id)
        paused = calendar.working_time_between(instance.sla_paused_since, now)
        instance.sla_paused_seconds += int(paused.total_seconds())
        if paused.total_seconds() > 0:
            instance.sla_due_at = calendar.add_working_hours(instance.sla_due_at, paused.total_seconds() / 3600)
        instance.sla_paused_since = None
