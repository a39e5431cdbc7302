"""Reads of the applicant's pages: who may open a request, their own requests, the online services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.presenters import service_summary
from portal.catalogue.selectors import services_published
from portal.tracking.access import session_access
from portal.tracking.selectors import request_by_tracking_number, tracking_number_normalize
from portal.workflow.enums import OPEN_HUMAN_TASK, InstanceStatus
from portal.workflow.models import HumanTask, ProcessInstance

from .models import AnonymousSubmission

# Anonymous online submissions allowed per client address within WINDOW.
ANONYMOUS_LIMIT = 10
WINDOW = timedelta(hours=1)


def anonymous_submissions_recent(*, client_ip: str, now: datetime) -> int:
    return AnonymousSubmission.objects.filter(client_ip=client_ip, at__gt=now - WINDOW, at__lte=now).count()


def is_owner(user: Any, instance: ProcessInstance) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and instance.applicant_user_id is not None
        and instance.applicant_user_id == user.pk
    )


def has_tracking_access(session: SessionBase, tracking_number: str) -> bool:
    return tracking_number in session_access(session, timezone.now())


def request_for_applicant(*, user: Any, session: SessionBase, tracking_number: Any) -> ProcessInstance | None:
    """The request if this visitor is its applicant: her own account, or the PIN given in this session."""
    number = tracking_number_normalize(tracking_number)
    instance = request_by_tracking_number(number[:40])
    if instance is None:
        return None
    if is_owner(user, instance) or has_tracking_access(session, instance.tracking_number):
        return instance
    return None


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
