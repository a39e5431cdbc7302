"""Reads of the designer's workspace: services and shared files with their versions and what runs on
each, the drafts, and the source of any version."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import DefinitionPart, ProcessDefinition

from .models import Draft


def may_design(user: Any) -> bool:
    return bool(user_roles(user) & {RoleCode.PERANCANG, RoleCode.ADMIN})


def services_with_versions() -> list[dict[str, Any]]:
    """[{code, name, active, versions: [...]}] by service code, newest version first."""
    services: dict[str, dict[str, Any]] = {}
    for version in service_versions():
        service = services.setdefault(version.code, {"code": version.code, "name": version.name, "active": None,
                                                     "versions": []})  # fmt: skip
        if version.is_active:
            service["active"], service["name"] = version, version.name
        service["versions"].append(version)
    return list(services.values())


def definitions_overview() -> dict[str, list[dict[str, Any]]]:
    """{services: [...], parts: [...]}: each file with its version in use, its versions (newest first)
    and how many drafts were saved of it; a service only drafted so far is listed too."""
    counts = draft_counts()
    services = [
        {"code": s["code"], "name": s["name"], "active_version": s["active"].version if s["active"] else None,
         "drafts": counts.pop((Draft.Kind.SERVICE, s["code"]), 0), "versions": s["versions"]}
        for s in services_with_versions()
    ]  # fmt: skip
    services += [
        {"code": code, "name": code, "active_version": None, "drafts": n, "versions": []}
        for (kind, code), n in sorted(counts.items())
        if kind == Draft.Kind.SERVICE
    ]
    parts = [
        {"kind": p["kind"], "code": p["code"], "active_version": p["active"].version if p["active"] else None,
         "drafts": counts.get((p["kind"], p["code"]), 0), "versions": p["versions"]}
        for p in parts_with_versions()
    ]  # fmt: skip
    return {"services": services, "parts": parts}


def service_versions(code: str | None = None) -> QuerySet[ProcessDefinition]:
    """The versions of one service (or of all), newest first, each with its running requests counted."""
    versions = ProcessDefinition.objects.defer("bpmn_source", "spec_json").select_related("deployed_by")
    if code is not None:
        versions = versions.filter(code=code)
    running = Count("instances", filter=Q(instances__status=InstanceStatus.RUNNING))
    return versions.annotate(running=running).order_by("code", "-version")


def parts_with_versions() -> list[dict[str, Any]]:
    """[{kind, code, active, versions: [...]}]: decision table files and shared sub-processes, newest
    version first, each version with the number of service versions built with it."""
    parts: dict[tuple[str, str], dict[str, Any]] = {}
    rows = (
        DefinitionPart.objects.defer("source").select_related("deployed_by").annotate(used_by=Count("services"))
        .order_by("kind", "code", "-version")
    )  # fmt: skip
    for part in rows:
        entry = parts.setdefault((part.kind, part.code), {"kind": part.kind, "code": part.code, "active": None,
                                                          "versions": []})  # fmt: skip
        if part.is_active:
            entry["active"] = part
        entry["versions"].append(part)
    return list(parts.values())


def draft_counts() -> dict[tuple[str, str], int]:
    """(kind, code) -> how many drafts were saved of that file."""
    rows = Draft.objects.values_list("kind", "code").annotate(n=Count("id")).order_by()
    return {(kind, code): n for kind, code, n in rows}


def drafts_of(kind: str, code: str) -> QuerySet[Draft]:
    """The drafts of one file, newest first (their sources left out)."""
    return Draft.objects.filter(kind=kind, code=code).defer("source").select_related("author").order_by("-number")


def draft_find(draft_id: int) -> Draft | None:
    return Draft.objects.select_related("author").filter(pk=draft_id).first()


def live_version(kind: str, code: str) -> ProcessDefinition | DefinitionPart | None:
    """The version of a file in use now: a service's, or a decision table file's or shared file's."""
    if kind == Draft.Kind.SERVICE:
        return ProcessDefinition.objects.filter(code=code, is_active=True).defer("spec_json").first()
    return DefinitionPart.objects.filter(kind=kind, code=code, is_active=True).first()


def version_exists(kind: str, code: str, version: int) -> bool:
    if kind == Draft.Kind.SERVICE:
        return ProcessDefinition.objects.filter(code=code, version=version).exists()
    return DefinitionPart.objects.filter(kind=kind, code=code, version=version).exists()


def version_source(kind: str, code: str, version: int) -> tuple[str, str] | None:
    """(source, sha256) of one deployed version of a file; None if there is no such version. A
    service's sha256 fingerprints its file with the parts it was built with."""
    if kind == Draft.Kind.SERVICE:
        return ProcessDefinition.objects.filter(code=code, version=version).values_list("bpmn_source", "sha256").first()
    return DefinitionPart.objects.filter(kind=kind, code=code, version=version).values_list("source", "sha256").first()


def source_of(row: ProcessDefinition | DefinitionPart) -> str:
    return row.bpmn_source if isinstance(row, ProcessDefinition) else row.source


def services_using(kind: str, code: str) -> list[str]:
    """Codes of the services whose version in use was built with this decision table or shared file."""
    rows = ProcessDefinition.objects.filter(is_active=True, parts__kind=kind, parts__code=code)
    return sorted(set(rows.values_list("code", flat=True)))
