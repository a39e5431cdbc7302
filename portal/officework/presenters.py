"""What the officers' pages show: plain values in Indonesian, computed once per row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.enums import role_label
from portal.workflow.enums import EventType
from portal.workflow.models import HumanTask


def duration_text(seconds: float) -> str:
    """A waiting time in the two largest units, e.g. "2 jam 5 menit", "3 hari 4 jam"."""
    minutes_total = max(int(seconds), 0) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d hari") % {"n": days})
    if hours:
        parts.append(_("%(n)d jam") % {"n": hours})
    if minutes and not days:
        parts.append(_("%(n)d menit") % {"n": minutes})
    if not parts:
        return _("kurang dari 1 menit")
    return " ".join(parts[:2])


def worklist_row(task: HumanTask, *, user: Any, now: datetime) -> dict[str, Any]:
    instance = task.instance
    return {
        "id": task.pk,
        "service": instance.definition.name,
        "service_code": instance.definition.code,
        "tracking_number": instance.tracking_number,
        "applicant_name": instance.applicant_name,
        "village": instance.applicant_village.name,
        "step": task.name,
        "role": role_label(task.role),
        "waiting": duration_text((now - task.created_at).total_seconds()),
        "ready_at": task.created_at,
        "due_at": task.due_at,
        "overdue": bool(task.due_at is not None and task.due_at < now),
        "assignee": task.assignee.get_username() if task.assignee_id and task.assignee else "",
        "mine": task.assignee_id is not None and task.assignee_id == user.pk,
    }


def history_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """request_history items with the event type and role said in words."""
    rows = []
    for item in items:
        kind = str(EventType(item["type"]).label) if item["type"] in EventType.values else item["type"]
        rows.append({**item, "type_label": kind, "role_label": role_label(item["role"]) if item["role"] else ""})
    return rows
