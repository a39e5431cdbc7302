"""Reads of the applicant's pages: who may open a request, their own requests, the online services."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.selectors import services_published
from portal.publication.presenters import service_summary
from portal.tracking.access import is_owner
from portal.tracking.selectors import request_by_tracking_number, tracking_number_normalize
from portal.workflow.enums import OPEN_HUMAN_TASK, InstanceStatus
from portal.workflow.models import HumanTask, ProcessInstance


def may_submit_online(user: Any) -> bool:
    """Anyone not logged in, or a citizen's account; officers register at the counter."""
    if not getattr(user, "is_authenticated", False):
        return True
    return RoleCode.PEMOHON in user_roles(user)


def services_for_submission() -> list[dict[str, Any]]:
    """Every published service with whether it can be requested online, and where to go when not."""
    return [service_summary(service) for service in services_published()]


def requests_of_applicant(user: Any) -> QuerySet[ProcessInstance]:
    return (
        ProcessInstance.objects.filter(applicant_user=user)
        .annotate(
            waiting_for_applicant=Exists(
                HumanTask.objects.filter(instance=OuterRef("pk"), role=RoleCode.PEMOHON, status__in=OPEN_HUMAN_TASK)
            )
        )
        .select_related("definition")
        .defer("state", "definition__bpmn_source", "definition__spec_json")
        .prefetch_related("letters")
        .order_by("-created_at", "-id")
    )


def applicant_step_open(instance: ProcessInstance) -> HumanTask | None:
    """The step waiting for the applicant (the file was returned for correction), if any."""
    if instance.status != InstanceStatus.RUNNING:
        return None
    return (
        instance.human_tasks.filter(status__in=OPEN_HUMAN_TASK, role=RoleCode.PEMOHON)
        .order_by("created_at", "id")
        .first()
    )


def request_by_tracking_number_for_owner(user: Any, tracking_number: Any) -> ProcessInstance | None:
    instance = request_by_tracking_number(tracking_number_normalize(tracking_number)[:40])
    return instance if instance is not None and is_owner(user, instance) else None
