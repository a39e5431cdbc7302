"""Rows of the applicant's own request list."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessInstance


def status_label(instance: ProcessInstance) -> tuple[str, str]:
    """(badge class, label) as the tracking page words them."""
    if instance.status == InstanceStatus.COMPLETED:
        return "completed", str(InstanceStatus.COMPLETED.label)
    if getattr(instance, "waiting_for_applicant", False) or instance.sla_paused_since is not None:
        return "returned", _("Menunggu kelengkapan berkas dari Anda")
    return str(instance.status), str(InstanceStatus(instance.status).label)


def letter_links(instance: ProcessInstance) -> list[dict[str, Any]]:
    """The letters of a request the applicant can download now (drawn ones)."""
    return [
        {
            "title": letter.title,
            "number": letter.number,
            "url": reverse(
                "citizen-letter", kwargs={"tracking_number": instance.tracking_number, "letter_id": letter.pk}
            ),
        }
        for letter in instance.letters.all()
        if letter.rendered_at is not None
    ]


def my_request_row(instance: ProcessInstance) -> dict[str, Any]:
    badge, label = status_label(instance)
    due = instance.sla_due_at
    return {
        "tracking_number": instance.tracking_number,
        "service_name": instance.definition.name,
        "registered_at": instance.created_at,
        "badge": badge,
        "status_label": label,
        "returned": badge == "returned",
        "expected_completion_date": timezone.localdate(due) if due is not None else None,
        "completed": instance.status == InstanceStatus.COMPLETED,
        "letters": letter_links(instance),
    }
