"""Reads of the officers' pages: the worklist, a step with its request, the services the counter may register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

import engine
from portal.accounts.selectors import user_roles
from portal.catalogue.enums import AuthorityStatus
from portal.catalogue.models import AuthorityRule
from portal.catalogue.selectors import authority_in_force, services_published
from portal.directory.models import Village
from portal.workflow.enums import OPEN_HUMAN_TASK
from portal.workflow.models import HumanTask, ProcessDefinition, ProcessInstance
from portal.workflow.selectors import active_definitions, human_tasks_for_user
from portal.workflow.services import definition_runtime, not_available_message

from .forms import STATUS_MINE, STATUS_OVERDUE, STATUS_UNCLAIMED


def worklist_for(user: Any, *, filters: dict[str, str], now: datetime | None = None) -> QuerySet[HumanTask]:
    """Ready steps of `user`'s roles: claimed by them first, then overdue ones, then the oldest."""
    now = now or timezone.now()
    qs = human_tasks_for_user(user)
    if filters.get("layanan"):
        qs = qs.filter(instance__definition__code=filters["layanan"])
    if filters.get("desa"):
        qs = qs.filter(instance__applicant_village__code=filters["desa"])
    status = filters.get("status")
    if status == STATUS_MINE:
        qs = qs.filter(assignee=user)
    elif status == STATUS_UNCLAIMED:
        qs = qs.filter(assignee__isnull=True)
    elif status == STATUS_OVERDUE:
        qs = qs.filter(due_at__lt=now)
    return qs.annotate(
        mine=Case(When(assignee_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()),
        overdue=Case(When(due_at__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField()),
        overdue_rank=Case(When(due_at__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("mine", "overdue_rank", "created_at", "id")


def worklist_service_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in active_definitions()]


def village_choices() -> list[tuple[str, str]]:
    return [(v.code, v.name) for v in Village.objects.order_by("name")]


def step_find(human_task_id: int) -> HumanTask | None:
    """A step with its request, service and applicant's village; None if there is no such step."""
    return (
        HumanTask.objects.select_related(
            "instance", "instance__definition", "instance__applicant_village", "assignee", "completed_by"
        )
        .filter(pk=human_task_id)
        .first()
    )


def step_is_open(human_task: HumanTask) -> bool:
    return human_task.status in OPEN_HUMAN_TASK


def step_starts_clock(human_task: HumanTask) -> bool:
    """Whether the step declares the file complete (`paten.clock`): the counter's completeness check."""
    runtime = definition_runtime(human_task.instance.definition)
    return human_task.bpmn_id in runtime.clock_conditions


def start_form_of(definition: ProcessDefinition) -> engine.Form:
    return definition_runtime(definition).start_form


def request_data_rows(instance: ProcessInstance) -> list[tuple[str, str]]:
    """The request's data as (label, value) with the start form's labels and choice names."""
    from django.utils.translation import gettext as _

    form = start_form_of(instance.definition)
    rows: list[tuple[str, str]] = []
    data = instance.request_data or {}
    for spec in form.fields:
        value = data.get(spec.id)
        if value is None or value == "":
            text = "-"
        elif spec.type == "boolean":
            text = _("Ya") if value else _("Tidak")
        elif spec.type == "enum":
            text = next((o.name for o in spec.options if o.id == value), str(value))
        else:
            text = str(value)
        rows.append((spec.label or spec.id, text))
    return rows


def is_counter(user: Any) -> bool:
    from portal.accounts.enums import RoleCode

    return RoleCode.LOKET in user_roles(user)


def registrable_services(*, on: Any = None) -> list[ProcessDefinition]:
    """Active services the counter may register: those whose authority is not 'not available'."""
    on = on or timezone.localdate()
    found = []
    for definition in active_definitions():
        rule = authority_in_force(definition.code, on=on)
        if rule is None or rule.status != AuthorityStatus.NOT_AVAILABLE:
            found.append(definition)
    return found


def unavailable_services(*, on: Any = None) -> list[dict[str, str]]:
    """Services of the catalogue the kecamatan may not serve, each with where to go instead."""
    on = on or timezone.localdate()
    found = []
    for service in services_published():
        rule: AuthorityRule | None = authority_in_force(service.code, on=on)
        if rule is not None and rule.status == AuthorityStatus.NOT_AVAILABLE:
            found.append({"code": service.code, "name": service.name, "message": not_available_message(rule)})
    return found


def registrable_definition(code: str) -> ProcessDefinition | None:
    code = str(code)[:64]
    return next((d for d in registrable_services() if d.code == code), None)
