"""What the applicant sees of a request, as one plain dict shared by the tracking page and the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode, role_label
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessInstance
from portal.workflow.selectors import sla_view

from . import selectors

DATE_FORMAT = "l, j F Y"  # "Senin, 30 November 2026" in the active language


def date_text(moment: datetime | None) -> str:
    """The WITA date of an aware datetime in words, e.g. "Senin, 30 November 2026"."""
    return dateformat.format(timezone.localtime(moment), DATE_FORMAT) if moment is not None else ""


def working_time_text(seconds: float) -> str:
    """Office time in hours and minutes, e.g. "7 jam 30 menit"."""
    hours, minutes = divmod(int(seconds) // 60, 60)
    if hours and minutes:
        return _("%(hours)d jam %(minutes)d menit") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d jam") % {"hours": hours}
    if minutes:
        return _("%(minutes)d menit") % {"minutes": minutes}
    return _("kurang dari 1 menit")


def _paused_seconds(instance: ProcessInstance, now: datetime) -> int:
    """Office time the clock has stood still, the current pause included (it is added only on resume)."""
    total = instance.sla_paused_seconds
    if instance.sla_paused_since is not None and instance.status == InstanceStatus.RUNNING:
        from portal.officecalendar.selectors import office_calendar

        current: timedelta = office_calendar(instance.office_id).working_time_between(instance.sla_paused_since, now)
        total += int(current.total_seconds())
    return total


def _status_label(instance: ProcessInstance, returned: dict[str, Any] | None) -> str:
    if instance.status == InstanceStatus.COMPLETED:
        return str(InstanceStatus.COMPLETED.label)
    if returned is not None:
        return _("Menunggu kelengkapan berkas dari Anda")
    return str(InstanceStatus.RUNNING.label)


def tracking_public(instance: ProcessInstance, *, now: datetime | None = None) -> dict[str, Any]:
    """Status, current steps by role, completed steps, the service-level clock, what to fix and the letter."""
    now = now or timezone.now()
    open_steps = selectors.tracking_open_steps(instance)
    running = instance.status == InstanceStatus.RUNNING
    returned = selectors.returned_to_applicant(instance, open_steps) if running else None
    sla = sla_view(instance, now=now)
    paused_seconds = _paused_seconds(instance, now)
    due = sla["due_at"]
    return {
        "tracking_number": instance.tracking_number,
        "office": instance.office.name,  # the kecamatan that serves it: where the letter is collected
        "service_code": instance.definition.code,
        "service_name": instance.definition.name,
        "registered_at": instance.created_at,
        "status": instance.status,
        "status_label": _status_label(instance, returned),
        "outcome": instance.outcome_name,
        "completed_at": instance.completed_at,
        "current_steps": [
            {
                "name": step.name,
                "role": step.role,
                "role_label": role_label(step.role),
                "with_applicant": step.role == RoleCode.PEMOHON,
                "since": step.created_at,
            }
            for step in open_steps
        ],
        "timeline": [
            {
                "name": step.name,
                "role": step.role,
                "role_label": role_label(step.role),
                "at": step.completed_at,
            }
            for step in selectors.tracking_completed_steps(instance)
        ],
        "sla": {
            **sla,
            "expected_completion_date": timezone.localdate(due) if due is not None else None,
            "expected_completion_text": date_text(due),
            # Here the pause still running counts too, so the applicant sees the time it has cost so far.
            "paused_working_hours": round(paused_seconds / 3600, 2),
            "paused_since": instance.sla_paused_since,
            "paused_working_seconds": paused_seconds,
            "paused_working_text": working_time_text(paused_seconds) if paused_seconds else "",
        },
        "returned": returned,
        "letters": [
            {
                "title": letter.title,
                "number": letter.number,
                "issued_at": letter.issued_at,
                "ready": letter.rendered_at is not None,
                "verification_path": reverse("letter-verify-page", kwargs={"token": letter.verification_token}),
            }
            for letter in selectors.tracking_letters(instance)
        ],
    }
