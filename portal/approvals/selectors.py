"""Reads of the camat's approvals inbox: the camat's open steps (and delegated ones), decisions, drafts.

The decision a step's form offers is derived from the form and the step's `paten.letter`
condition: the enum value that issues the letter approves, one that does not sends it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

import engine
from portal.accounts.enums import RoleCode
from portal.workflow.models import HumanTask, ProcessInstance
from portal.workflow.selectors import human_tasks_for_user
from portal.workflow.services import definition_runtime, delegation_for

NOTE_PREFIXES = ("catatan", "alasan", "keterangan")


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


def approvals_for(user: Any) -> QuerySet[HumanTask]:
    """Open camat steps `user` may act on (as camat or as a deputy under a delegation), oldest first."""
    return human_tasks_for_user(user).filter(role=RoleCode.CAMAT)


def instance_data(instance: ProcessInstance) -> dict[str, Any]:
    """The workflow data of a request as it stands (read only; no lock, nothing saved)."""
    definition = definition_runtime(instance.definition)
    try:
        return dict(engine.Instance.restore(definition, instance.state).data)
    except (ValueError, KeyError, TypeError):
        return dict(instance.request_data)


def _letter_due(definition: engine.Definition, bpmn_id: str, data: dict[str, Any]) -> bool:
    try:
        return engine.letter_due(definition, bpmn_id, data)
    except engine.EngineError:
        return False


def decision_plan(human_task: HumanTask, definition: engine.Definition, data: dict[str, Any]) -> DecisionPlan | None:
    """How to approve or send back this step from the inbox; None when its form offers no such choice."""
    if human_task.bpmn_id not in definition.letter_conditions:
        return None
    fields = [f for f in human_task.form if isinstance(f, dict)]
    for candidate in fields:
        if candidate.get("type") != "enum" or "readonly" in (candidate.get("constraints") or {}):
            continue
        values = [str(o.get("id")) for o in candidate.get("options") or []]
        issuing = [v for v in values if _letter_due(definition, human_task.bpmn_id, {**data, candidate["id"]: v})]
        others = [v for v in values if v not in issuing]
        if not issuing or not others:
            continue
        returning = next((v for v in others if "kembali" in v), others[0])
        strings = [f for f in fields if f.get("type") == "string" and f["id"] != candidate["id"]]
        note = next((f["id"] for p in NOTE_PREFIXES for f in strings if str(f["id"]).startswith(p)), None)
        required = [
            f["id"] for f in fields
            if f["id"] != candidate["id"] and f.get("required") and f.get("default") in (None, "")
        ]  # fmt: skip
        return DecisionPlan(
            field=candidate["id"],
            approve_value=issuing[0],
            return_value=returning,
            note_field=note,
            approve_needs=tuple(required),
            return_needs=tuple(f for f in required if f != note),
        )
    return None


def waiting_seconds(human_task: HumanTask, *, now: datetime | None = None) -> int:
    return max(0, int(((now or timezone.now()) - human_task.created_at).total_seconds()))


def inbox_items(user: Any, *, now: datetime | None = None, with_draft: bool = True) -> list[dict[str, Any]]:
    """Everything waiting for the camat's decision, with the decision plan and a draft of the letter."""
    from portal.letters.drafts import letter_draft
    from portal.letters.services import capacity_for, signer_position

    now = now or timezone.now()
    items = []
    for step in approvals_for(user):
        instance = step.instance
        definition = definition_runtime(instance.definition)
        data = instance_data(instance)
        plan = decision_plan(step, definition, data)
        delegation = delegation_for(user, step, instance, at=now)
        draft = None
        if with_draft and plan is not None:
            draft = letter_draft(
                service_code=instance.definition.code, signer=user,
                capacity=capacity_for(user, delegation=delegation),
                data={**data, plan.field: plan.approve_value}, position=signer_position(user),
            )  # fmt: skip
        items.append(
            {
                "step": step,
                "instance": instance,
                "plan": plan,
                "delegation": delegation,
                "draft": draft,
                "waiting_seconds": waiting_seconds(step, now=now),
                "overdue": bool(step.due_at is not None and step.due_at < now),
            }
        )
    return items
