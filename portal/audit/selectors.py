"""Reads of the auditor's workspace: a search over requests, and one request's whole event log."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.directory.selectors import OfficeScope
from portal.workflow.enums import EventType
from portal.workflow.events import chain_verify
from portal.workflow.models import InstanceEvent, ProcessInstance

QUERY_MAX = 100


def may_audit(user: Any) -> bool:
    return bool(user_roles(user) & {RoleCode.AUDITOR, RoleCode.ADMIN})


def requests_search(query: str, *, scope: OfficeScope) -> QuerySet[ProcessInstance]:
    """Requests (of the offices of `scope`) whose tracking number, NIK or applicant's name matches
    `query`, newest first."""
    text = str(query or "").strip()[:QUERY_MAX]
    qs = (
        ProcessInstance.objects.filter(scope.q())
        .select_related("definition", "applicant_village")
        .defer("state", "definition__spec_json", "definition__bpmn_source", "request_data")
        .order_by("-created_at", "-id")
    )
    if not text:
        return qs
    return qs.filter(Q(tracking_number__iexact=text) | Q(applicant_nik=text) | Q(applicant_name__icontains=text))


def request_log(tracking_number: str, *, scope: OfficeScope) -> dict[str, Any] | None:
    """The request, its events with readable payloads, and whether its hash chain holds; None if
    unknown or of an office outside `scope`."""
    instance = (
        ProcessInstance.objects.filter(scope.q())
        .select_related("definition")
        .defer("state", "definition__spec_json", "definition__bpmn_source")
        .filter(tracking_number=str(tracking_number)[:20])
        .first()
    )
    if instance is None:
        return None
    labels = dict(EventType.choices)
    events = [
        {
            "event": e,
            "label": labels.get(e.type, e.type),
            "payload": json.dumps(e.payload, ensure_ascii=False, indent=1),
        }
        for e in InstanceEvent.objects.filter(instance=instance).order_by("seq")
    ]
    return {"instance": instance, "events": events, "broken": chain_verify(instance)}
