"""Reads of the designer's workspace: every service with its versions and what runs on each."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessDefinition


def may_design(user: Any) -> bool:
    return bool(user_roles(user) & {RoleCode.PERANCANG, RoleCode.ADMIN})


def services_with_versions() -> list[dict[str, Any]]:
    """[{code, name, active, versions: [...]}] by service code, newest version first."""
    versions = (
        ProcessDefinition.objects.defer("bpmn_source", "spec_json")
        .select_related("deployed_by")
        .annotate(running=Count("instances", filter=Q(instances__status=InstanceStatus.RUNNING)))
        .order_by("code", "-version")
    )
    services: dict[str, dict[str, Any]] = {}
    for version in versions:
        service = services.setdefault(version.code, {"code": version.code, "name": version.name, "active": None,
                                                     "versions": []})  # fmt: skip
        if version.is_active:
            service["active"], service["name"] = version, version.name
        service["versions"].append(version)
    return list(services.values())
