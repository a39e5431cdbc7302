"""Reads of the tracking page: what the applicant may see of a request (tries are counted by core.throttle).

The applicant sees roles, never officers' names: nothing here reads `assignee` or `completed_by`.
"""

from __future__ import annotations

import re
from typing import Any

from portal.accounts.enums import RoleCode
from portal.documents.selectors import checklist_for, missing_from_checklist
from portal.workflow.enums import OPEN_HUMAN_TASK, HumanTaskStatus
from portal.workflow.models import HumanTask, ProcessInstance, Step
from portal.workflow.selectors import request_steps

TRACKING_NUMBER_MAX_LENGTH = 20
TRACKING_NUMBER_RE = re.compile(r"[A-Z0-9-]{1,20}")
PIN_RE = re.compile(r"[0-9]{6}")


def tracking_number_normalize(raw: Any) -> str:
    """The number as stored: no surrounding spaces, upper case (receipts print it upper case)."""
    return str(raw).strip().upper()


def tracking_number_plausible(number: str) -> bool:
    return bool(TRACKING_NUMBER_RE.fullmatch(number))


# --- what the applicant sees -----------------------------------------------------------------------


def request_by_tracking_number(tracking_number: str) -> ProcessInstance | None:
    if not tracking_number_plausible(tracking_number):
        return None
    return (
        ProcessInstance.objects.select_related("definition", "office")
        .defer("state", "definition__bpmn_source", "definition__spec_json")
        .filter(tracking_number=tracking_number)
        .first()
    )


def tracking_open_steps(instance: ProcessInstance) -> list[HumanTask]:
    return list(
        instance.human_tasks.filter(status__in=OPEN_HUMAN_TASK)
        .only("id", "name", "role", "created_at")
        .order_by("created_at", "id")
    )


def tracking_completed_steps(instance: ProcessInstance) -> list[Step]:
    return list(
        request_steps(instance)
        .filter(status=HumanTaskStatus.COMPLETED)
        .only("id", "name", "role", "completed_at")
        .order_by("completed_at", "id")
    )


def returned_to_applicant(instance: ProcessInstance, open_steps: list[HumanTask]) -> dict[str, Any] | None:
    """What the applicant must fix while a step waits for them: missing requirements and the officer's note.

    The note is what the step that sent the file back wrote in its `catatan...` fields: the officer
    step completed last before the applicant's step opened (both happen in the same command).
    """
    waiting = next((step for step in open_steps if step.role == RoleCode.PEMOHON), None)
    if waiting is None:
        return None
    returning = (
        request_steps(instance)
        .filter(status=HumanTaskStatus.COMPLETED, completed_at__lte=waiting.created_at)
        .exclude(role=RoleCode.PEMOHON)
        .only("completed_data")
        .order_by("-completed_at", "-id")
        .first()
    )
    notes: list[str] = []
    data = returning.completed_data if returning is not None else None
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).startswith("catatan") and isinstance(value, str) and value.strip():
                notes.append(value.strip())
    checklist = checklist_for(instance, show_people=False)
    missing = missing_from_checklist(checklist)
    for item in checklist:
        note = str(item.get("note") or "").strip()
        if item["name"] in missing and note and note not in notes:
            notes.append(note)
    return {
        "step": waiting.name,
        "since": instance.sla_paused_since or waiting.created_at,
        "missing_requirements": missing,
        "notes": notes,
    }


def tracking_letters(instance: ProcessInstance) -> list[Any]:
    from portal.letters.selectors import letters_for_instance

    return list(letters_for_instance(instance))
