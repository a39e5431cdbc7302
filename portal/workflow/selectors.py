"""Reads of the workflow app: plain indexed tables, never a deserialized workflow (the lists of open
steps are in worklists.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import can_read_any_request, user_roles
from portal.core.errors import NotAllowed, NotFound
from portal.directory.selectors import OfficeScope

from .access import office_check
from .enums import FINISHED_INSTANCE, OPEN_HUMAN_TASK, EventType, HumanTaskStatus, InstanceStatus
from .models import HumanTask, HumanTaskHistory, InstanceEvent, ProcessDefinition, ProcessInstance, TimerSchedule


def request_for_user(user: Any, tracking_number: str) -> ProcessInstance:
    """The request if `user` may read it; NotFound otherwise (existence is not revealed), or
    NotAllowed for a member of another office's staff, saying which office serves it."""
    instance = (
        ProcessInstance.objects.select_related("definition", "applicant_village")
        .filter(tracking_number=str(tracking_number)[:20])
        .first()
    )
    if instance is None:
        raise NotFound("not found")
    if instance.applicant_user_id is not None and instance.applicant_user_id == user.pk:
        return instance
    if can_read_any_request(user):
        office_check(user, instance)
        return instance
    raise NotFound("not found")


def request_steps(instance: ProcessInstance) -> QuerySet[HumanTask] | QuerySet[HumanTaskHistory]:
    """Every step of the request, open and done: its HumanTask rows, or once the request is archived
    its HumanTaskHistory rows (services/archive.py moves them there under the same ids and columns)."""
    if instance.archived_at is not None:
        return HumanTaskHistory.objects.filter(instance=instance)
    return HumanTask.objects.filter(instance=instance)


def _timers_fired(instance: ProcessInstance) -> list[str]:
    """bpmn ids of the request's fired timers, first fired first: from its timer rows, or once the
    request is archived (its timer rows are gone then) from its log."""
    if instance.archived_at is not None:
        fired = InstanceEvent.objects.filter(instance=instance, type=EventType.TIMER_FIRED).order_by("seq")
        return list(fired.values_list("bpmn_id", flat=True))
    rows = TimerSchedule.objects.filter(instance=instance, fired_at__isnull=False).order_by("fired_at", "id")
    return list(rows.values_list("bpmn_id", flat=True))


def request_diagram(instance: ProcessInstance) -> dict[str, Any]:
    """The request's BPMN source with the steps done (human tasks, fired timers) and the steps open now."""
    steps = list(
        request_steps(instance)
        .filter(status__in=(*OPEN_HUMAN_TASK, HumanTaskStatus.COMPLETED))
        .order_by("created_at", "id")
        .values_list("bpmn_id", "name", "status")
    )
    current: dict[str, str] = {b: n for b, n, s in steps if s in OPEN_HUMAN_TASK}
    done: dict[str, str] = {b: n for b, n, s in steps if s == HumanTaskStatus.COMPLETED and b not in current}
    for bpmn_id in _timers_fired(instance):
        done.setdefault(bpmn_id, str(EventType.TIMER_FIRED.label))
    return {
        "bpmn_xml": instance.definition.bpmn_source,
        "done": list(done),
        "current": list(current),
        "done_names": list(dict.fromkeys(done.values())),
        "current_names": list(dict.fromkeys(current.values())),
    }


def sla_view(instance: ProcessInstance, *, now: datetime | None = None) -> dict[str, Any]:
    """The service-level clock of a request as the applicant and officers see it."""
    running = instance.status == InstanceStatus.RUNNING
    due = instance.sla_due_at
    now = now or timezone.now()
    return {
        "working_days": instance.sla_working_days,
        "started_at": instance.sla_started_at,
        "due_at": due,
        "paused": instance.sla_paused_since is not None,
        "paused_working_hours": round(instance.sla_paused_seconds / 3600, 2),
        "overdue": bool(running and due is not None and instance.sla_paused_since is None and due < now),
    }


def request_open_steps(instance: ProcessInstance) -> list[HumanTask]:
    """The request's open steps, oldest first: as the command that just wrote them left them (it held
    them under the request's lock), else read."""
    known = instance.__dict__.get(OPEN_STEPS_KNOWN)
    if known is not None:
        return sorted((step for step in known if step.status in OPEN_HUMAN_TASK), key=lambda s: (s.created_at, s.pk))
    return list(
        instance.human_tasks.filter(status__in=OPEN_HUMAN_TASK)
        .only("id", "instance_id", "bpmn_id", "name", "role", "status", "created_at")  # the id: no read per row
        .order_by("created_at", "id")
    )


# The instance object's attribute where a command leaves the steps it held (commands._save).
OPEN_STEPS_KNOWN = "_paten_open_steps_known"


HISTORY_TYPES = (
    EventType.INSTANCE_STARTED,
    EventType.HUMAN_TASK_COMPLETED,
    EventType.TIMER_FIRED,
    EventType.LETTER_ISSUED,
    EventType.INSTANCE_COMPLETED,
    EventType.INSTANCE_CANCELLED,
)


def request_history(instance: ProcessInstance, *, show_people: bool) -> list[dict[str, Any]]:
    """A short, readable history: registration, completed steps, timers, completion."""
    names = {pk: (name, role) for pk, name, role in request_steps(instance).values_list("id", "name", "role")}
    items = []
    for e in instance.events.filter(type__in=HISTORY_TYPES).order_by("seq"):
        step_name, role = names.get(e.payload.get("human_task_id"), ("", ""))
        items.append(
            {
                "at": e.at,
                "type": e.type,
                "step": step_name or e.payload.get("bpmn_id", ""),
                "role": role,
                "by": e.actor_username if show_people else "",
            }
        )
    return items


def events_for_auditor(user: Any, instance_id: int) -> QuerySet[InstanceEvent]:
    if not user_roles(user) & {RoleCode.AUDITOR, RoleCode.ADMIN}:
        raise NotAllowed("auditor or admin only")
    instance = ProcessInstance.objects.filter(pk=instance_id).only("pk", "office_id").first()
    if instance is None:
        raise NotFound("not found")
    office_check(user, instance)
    return InstanceEvent.objects.filter(instance_id=instance_id).order_by("seq")


def active_definitions() -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.filter(is_active=True).order_by("code").defer("bpmn_source", "spec_json")


def incidents(scope: OfficeScope | None = None) -> QuerySet[ProcessInstance]:
    """Requests stopped by a failing diagram, oldest first: what an administrator retries or cancels."""
    return (
        ProcessInstance.objects.filter(scope.q() if scope is not None else Q(), status=InstanceStatus.FAILED)
        .select_related("definition")
        .defer("state", "definition__spec_json", "definition__bpmn_source")
        .order_by("failed_at", "id")
    )


def history_cutoff(now: datetime) -> datetime | None:
    """Requests finished before this moment leave the hot tables (PATEN_HISTORY_AFTER_DAYS before
    `now`); None when archiving is switched off (0 or fewer days)."""
    days = int(settings.PATEN_HISTORY_AFTER_DAYS)
    return now - timedelta(days=days) if days > 0 else None


def requests_to_archive(*, before: datetime, limit: int) -> list[int]:
    """Ids of the finished requests not yet archived whose end came before `before`, the oldest first,
    at most `limit`: a walk of the small index of exactly those requests (instance_to_archive).
    Both ends set completed_at: the workflow's end and an administrator's cancel."""
    finished = ProcessInstance.objects.filter(
        status__in=FINISHED_INSTANCE, archived_at__isnull=True, completed_at__lt=before
    ).order_by("completed_at", "id")
    return list(finished.values_list("pk", flat=True)[: max(0, limit)])
