"""Reads of the camat's approvals inbox: the camat's open steps (and delegated ones), decisions, drafts.

Nothing here restores a workflow: each step's row carries its form, the decision its diagram
declares (`paten.decision.*`) and the request's data as it stood when the step opened. A page of
the inbox is a keyset page of work items (workflow.worklists) and costs the same few queries however
many requests wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.keyset import ListPage
from portal.delegation.selectors import delegations_in_force
from portal.letters.drafts import letter_draft
from portal.letters.selectors import letter_templates_latest
from portal.letters.signing import capacity_for, signer_position
from portal.workflow import worklists
from portal.workflow.models import HumanTask

PAGE_SIZE = 25


@dataclass(frozen=True)
class DecisionPlan:
    field: str
    approve_value: str
    return_value: str
    note_field: str | None
    # Required fields besides the decision (and, to send back, the note): the step's own page is needed.
    approve_needs: tuple[str, ...]
    return_needs: tuple[str, ...]

    @property
    def bulk_approvable(self) -> bool:
        return not self.approve_needs

    @property
    def returnable(self) -> bool:
        return not self.return_needs


# What a page of the inbox never shows: the workflow's state and the diagram (the widest columns).
_UNREAD = ("instance__state", "instance__definition__bpmn_source", "instance__definition__spec_json")


def approvals_of(ids: Iterable[int]) -> list[HumanTask]:
    """The steps of a page (ids in inbox order, from workflow.worklists.approvals_page), with what the
    inbox shows."""
    wanted = list(ids)
    found = HumanTask.objects.filter(pk__in=wanted).select_related(
        "instance", "instance__definition", "instance__applicant_village", "instance__office", "assignee"
    ).defer(*_UNREAD)  # fmt: skip
    by_id = {step.pk: step for step in found}
    return [by_id[pk] for pk in wanted if pk in by_id]


def decision_plan(human_task: HumanTask) -> DecisionPlan | None:
    """How to approve or send back this step from the inbox; None when its diagram declares no decision."""
    declared = (human_task.properties or {}).get("decision")
    if not isinstance(declared, dict):
        return None
    fields = [f for f in human_task.form if isinstance(f, dict)]
    decision_field, note = declared.get("field"), declared.get("note")
    required = [
        f["id"] for f in fields
        if f["id"] != decision_field and f.get("required") and f.get("default") in (None, "")
    ]  # fmt: skip
    return DecisionPlan(
        field=str(decision_field),
        approve_value=str(declared.get("approve")),
        return_value=str(declared.get("return")),
        note_field=str(note) if note else None,
        approve_needs=tuple(required),
        return_needs=tuple(f for f in required if f != note),
    )


def waiting_seconds(human_task: HumanTask, *, now: datetime | None = None) -> int:
    return max(0, int(((now or timezone.now()) - human_task.created_at).total_seconds()))


def _deputy_of(user: Any) -> Any:
    """service code -> the delegation `user` acts under for it (read once per page)."""
    if RoleCode.CAMAT in user_roles(user):
        return lambda code: None
    delegations = delegations_in_force(user)
    return lambda code: next((d for d in delegations if d.covers(code)), None)


def inbox_page(user: Any, *, cursor: Any = None, now: datetime | None = None, with_draft: bool = True) -> ListPage:
    """One page of what waits for the camat's decision, each with its decision plan and draft letter."""
    # Paged over the narrow work items (an index range), then the page's 25 rows read whole.
    listed = worklists.approvals_page(user, cursor=cursor, limit=PAGE_SIZE, now=now)
    steps = approvals_of([item.pk for item in listed.rows])
    listed.page.rows = inbox_items_of(user, steps, now=now, with_draft=with_draft)
    return listed


def inbox_items_of(
    user: Any, steps: list[HumanTask], *, now: datetime | None = None, with_draft: bool = True
) -> list[dict[str, Any]]:
    """The inbox items of some of its steps (a page), with the delegation and templates read once."""
    now = now or timezone.now()
    deputy = _deputy_of(user)
    templates = letter_templates_latest({s.instance.definition.code for s in steps}) if with_draft else {}
    return [_item(user, step, deputy, templates, now=now) for step in steps]


def inbox_item(user: Any, human_task_id: int, *, now: datetime | None = None) -> dict[str, Any] | None:
    """One waiting step of the inbox (for its draft PDF); None when it is not the user's to decide."""
    if not worklists.approval_open(user, human_task_id):
        return None
    step = approvals_of([human_task_id])[0]
    templates = letter_templates_latest({step.instance.definition.code})
    return _item(user, step, _deputy_of(user), templates, now=now or timezone.now())


def _item(user: Any, step: HumanTask, deputy: Any, templates: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    instance = step.instance
    plan = decision_plan(step)
    delegation = deputy(instance.definition.code)
    draft = None
    template = templates.get(instance.definition.code)
    if plan is not None and template is not None:
        draft = letter_draft(
            template=template, office=instance.office.letterhead(), signer=user,
            capacity=capacity_for(user, delegation=delegation),
            data={**(step.data or {}), plan.field: plan.approve_value}, position=signer_position(user),
        )  # fmt: skip
    return {
        "step": step,
        "instance": instance,
        "plan": plan,
        "delegation": delegation,
        "draft": draft,
        "waiting_seconds": waiting_seconds(step, now=now),
        "overdue": bool(step.due_at is not None and step.due_at < now),
    }
