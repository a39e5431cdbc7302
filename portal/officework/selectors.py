"""Reads of the officers' pages: the worklist, a step with its request, the services the counter may register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.enums import AuthorityStatus
from portal.catalogue.models import AuthorityRule
from portal.catalogue.selectors import authority_in_force, not_available_message, services_published
from portal.core.forms import form_of
from portal.core.keyset import ListPage
from portal.directory.models import Village
from portal.directory.selectors import office_scope
from portal.letters.drafts import letter_draft_for
from portal.letters.signing import capacity_for, signer_position
from portal.workflow import worklists
from portal.workflow.access import delegation_for
from portal.workflow.definitions import definition_runtime
from portal.workflow.enums import OPEN_HUMAN_TASK, HumanTaskStatus
from portal.workflow.models import HumanTask, HumanTaskHistory, ProcessDefinition, ProcessInstance, Step
from portal.workflow.selectors import active_definitions, request_steps

from .forms import STATUS_MINE, STATUS_OVERDUE, STATUS_UNCLAIMED

_STATUS = {STATUS_MINE: worklists.MINE, STATUS_UNCLAIMED: worklists.UNCLAIMED, STATUS_OVERDUE: worklists.OVERDUE}


def worklist_for(user: Any, *, filters: dict[str, str], cursor: Any = None, now: datetime | None = None) -> ListPage:
    """A page of the ready steps of `user`'s roles: claimed by them first, then overdue ones (the most
    late first), then the oldest; after `cursor` (the page's `halaman`)."""
    return worklists.worklist_page(
        user, service=filters.get("layanan", ""), village_code=filters.get("desa", ""),
        status=_STATUS.get(filters.get("status", ""), ""), cursor=cursor, now=now,
    )  # fmt: skip


def worklist_service_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in active_definitions()]


def village_choices(user: Any) -> list[tuple[str, str]]:
    """The villages of the offices `user` works for (every village for the regency's staff)."""
    villages = Village.objects.filter(office_scope(user).q()).order_by("name")
    return [(v.code, v.name) for v in villages]


_STEP_RELATED = (
    "instance", "instance__definition", "instance__applicant_village", "instance__office", "assignee", "completed_by"
)  # fmt: skip


def step_find(human_task_id: int) -> Step | None:
    """A step with its request, service and applicant's village; None if there is no such step. A step
    of an archived request is found in the history table, under the same id."""
    found = HumanTask.objects.select_related(*_STEP_RELATED).filter(pk=human_task_id).first()
    if found is not None:
        return found
    return HumanTaskHistory.objects.select_related(*_STEP_RELATED).filter(pk=human_task_id).first()


def step_is_open(human_task: Step) -> bool:
    return human_task.status in OPEN_HUMAN_TASK


def step_starts_clock(human_task: Step) -> bool:
    """Whether the step declares the file complete (`paten.clock`): the counter's completeness check."""
    return bool((human_task.properties or {}).get("starts_clock"))


def step_prefill(human_task: Step) -> dict[str, Any]:
    """Values the open step's form starts with: at hand-over, the number of the letter issued. A closed
    step shows no form (and an archived one keeps no data snapshot)."""
    if not isinstance(human_task, HumanTask) or not step_is_open(human_task):
        return {}
    field = (human_task.properties or {}).get("letter_number_field")
    letter = (human_task.data or {}).get("letter")
    if field and isinstance(letter, dict) and letter.get("number"):
        return {field: letter["number"]}
    return {}


# Who reviews the draft letter before it is signed: the secretary's initials, the camat or a deputy signing.
DRAFT_ROLES = frozenset({RoleCode.SEKCAM, RoleCode.CAMAT})


def step_draft(human_task: Step, user: Any, *, now: datetime | None = None) -> Any:
    """The letter the request is heading for, marked DRAF, on the steps that review or sign it; else None."""
    properties = human_task.properties or {}
    if not isinstance(human_task, HumanTask) or human_task.status not in OPEN_HUMAN_TASK:
        return None
    if human_task.role not in DRAFT_ROLES and not properties.get("issues_letter"):
        return None
    instance = human_task.instance
    if human_task.role == RoleCode.CAMAT or properties.get("issues_letter"):
        signer, delegation = user, delegation_for(user, human_task, instance, at=now)
    else:  # the secretary initials what the camat will sign
        signer, delegation = _camat_of_office(instance.office_id), None
    if signer is None:
        return None
    data = dict(human_task.data or {})
    decision = properties.get("decision")
    if isinstance(decision, dict) and decision.get("field"):
        data[str(decision["field"])] = decision.get("approve")
    return letter_draft_for(
        service_code=instance.definition.code, office=instance.office.letterhead(), signer=signer,
        capacity=capacity_for(signer, delegation=delegation), data=data, position=signer_position(signer),
    )  # fmt: skip


def _camat_of_office(office_id: int) -> Any:
    return (
        get_user_model()
        .objects.filter(groups__name=RoleCode.CAMAT, is_active=True, staff_posting__office_id=office_id)
        .order_by("id")
        .first()
    )


def verification_findings(instance: ProcessInstance) -> list[dict[str, Any]]:
    """What the verifying steps found (`paten.duty` verify): each step with its answers, labelled."""
    runtime = definition_runtime(instance.definition)
    verify_steps = [b for b in runtime.forms if runtime.duty_of(b) == engine.DUTY_VERIFY]
    found = []
    done = request_steps(instance).filter(status=HumanTaskStatus.COMPLETED, bpmn_id__in=verify_steps)
    for step in done.order_by("completed_at", "id"):
        found.append({"step": step, "rows": answer_rows(step.form, step.completed_data or {})})
    return found


def answer_rows(form: list[dict[str, Any]], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """A completed form's answers as (label, value), with the form's labels and choice names."""
    from django.utils.translation import gettext as _

    rows = []
    for spec in form_of(form).fields:
        if spec.id not in answers:
            continue
        value = answers[spec.id]
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
    return RoleCode.LOKET in user_roles(user)


def registrable_services(*, office_id: int | None, on: Any = None) -> list[ProcessDefinition]:
    """Active services the counter of `office_id` may register: those whose authority there is not
    'not available'."""
    on = on or timezone.localdate()
    found = []
    for definition in active_definitions():
        rule = authority_in_force(definition.code, on=on, office_id=office_id)
        if rule is None or rule.status != AuthorityStatus.NOT_AVAILABLE:
            found.append(definition)
    return found


def unavailable_services(*, office: Any, on: Any = None) -> list[dict[str, str]]:
    """Services of the catalogue the kecamatan may not serve, each with where to go instead."""
    on = on or timezone.localdate()
    found = []
    for service in services_published():
        rule: AuthorityRule | None = authority_in_force(
            service.code, on=on, office_id=office.pk if office is not None else None
        )
        if rule is not None and rule.status == AuthorityStatus.NOT_AVAILABLE:
            found.append(
                {
                    "code": service.code,
                    "name": service.name,
                    "message": not_available_message(rule, office_name=office.name if office else ""),
                }
            )
    return found


def registrable_definition(code: str, *, office_id: int | None) -> ProcessDefinition | None:
    code = str(code)[:64]
    return next((d for d in registrable_services(office_id=office_id) if d.code == code), None)
