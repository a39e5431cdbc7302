"""Reads of the documents app: who may see what, the checklist of a request, the stored files."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import can_read_any_request, user_roles
from portal.catalogue.selectors import service_requirements
from portal.core.errors import Conflict, NotFound
from portal.core.storage import DOCUMENTS, StoredFileMissing, file_read
from portal.directory.selectors import office_scope
from portal.workflow.models import ProcessInstance
from portal.workflow.selectors import request_for_user

from .enums import UNCHECKED, RequirementStatus
from .models import RequirementCheck, RequirementDocument


class DocumentFileUnavailable(Conflict):
    """The stored file is gone or no longer matches the SHA-256 recorded at upload."""


# --- who may do what -------------------------------------------------------------------------------


def _is_applicant(user: Any, instance: ProcessInstance) -> bool:
    return instance.applicant_user_id is not None and instance.applicant_user_id == getattr(user, "pk", None)


def _in_scope(user: Any, instance: ProcessInstance) -> bool:
    return office_scope(user).allows(instance.office_id)


def may_view_documents(user: Any, instance: ProcessInstance) -> bool:
    """Officers of its office, auditors, admins and the applicant's own account may list and download."""
    return (can_read_any_request(user) and _in_scope(user, instance)) or _is_applicant(user, instance)


def may_upload_documents(user: Any, instance: ProcessInstance) -> bool:
    """The counter of its office, or the applicant's own account."""
    return (RoleCode.LOKET in user_roles(user) and _in_scope(user, instance)) or _is_applicant(user, instance)


def may_check_requirements(user: Any) -> bool:
    return RoleCode.LOKET in user_roles(user)


def request_for_documents(user: Any, tracking_number: str) -> ProcessInstance:
    """The request if `user` may see its documents; NotFound otherwise (existence is not revealed)."""
    return request_for_user(user, tracking_number)


def document_for_user(user: Any, *, instance: ProcessInstance, document_id: int) -> RequirementDocument:
    """A document of `instance` that `user` may download; NotFound otherwise."""
    if not may_view_documents(user, instance):
        raise NotFound(_("Dokumen tidak ditemukan."))
    document = RequirementDocument.objects.filter(pk=document_id, instance=instance).first()
    if document is None:
        raise NotFound(_("Dokumen tidak ditemukan."))
    return document


# --- the checklist ---------------------------------------------------------------------------------


def checklist_for(instance: ProcessInstance, *, show_people: bool = True) -> list[dict[str, Any]]:
    """The service's requirements with the counter's status and the uploaded files of each.

    Each item: {code, name, required, status (received/missing/unchecked), note, documents: [...]}.
    Files or checks under a code the current standard no longer lists follow, named by their code.
    """
    requirements = service_requirements(instance.definition.code)
    checks = {c.requirement_code: c for c in RequirementCheck.objects.filter(instance=instance)}
    documents: dict[str, list[dict[str, Any]]] = {}
    for document in RequirementDocument.objects.filter(instance=instance).select_related("uploaded_by"):
        documents.setdefault(document.requirement_code, []).append(
            {
                "id": document.pk,
                "original_name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": document.uploaded_at,
                "uploaded_by": document.uploaded_by.get_username() if show_people and document.uploaded_by else "",
            }
        )
    items: list[dict[str, Any]] = [
        {"code": str(r["code"]), "name": str(r["name"]), "required": bool(r.get("required", True))}
        for r in requirements
    ]
    listed = {item["code"] for item in items}
    for code in sorted((checks.keys() | documents.keys()) - listed):
        items.append({"code": code, "name": code, "required": False})
    for item in items:
        check = checks.get(item["code"])
        item["status"] = check.status if check is not None else UNCHECKED
        item["note"] = check.note if check is not None else ""
        item["documents"] = documents.get(item["code"], [])
    return items


def missing_requirements(instance: ProcessInstance) -> list[str]:
    """Names of the required items the counter marked missing: what the applicant must still bring."""
    return missing_from_checklist(checklist_for(instance))


def missing_requirements_text(instance: ProcessInstance) -> str:
    return ", ".join(missing_requirements(instance))


def missing_from_checklist(checklist: list[dict[str, Any]]) -> list[str]:
    return [i["name"] for i in checklist if i["required"] and i["status"] == RequirementStatus.MISSING]


def checklist_show_people(user: Any) -> bool:
    """Citizens see that a file was uploaded, not which officer uploaded it."""
    return can_read_any_request(user)


# --- what is stored, for the quotas -------------------------------------------------------------------


def request_document_usage(instance: ProcessInstance) -> tuple[int, int]:
    """(files, bytes) stored for a request."""
    row = RequirementDocument.objects.filter(instance=instance).aggregate(files=Count("id"), size=Sum("size"))
    return int(row["files"]), int(row["size"] or 0)


def applicant_uploads_since(applicant_nik: str, since: datetime) -> list[tuple[datetime, int]]:
    """(uploaded_at, size) of the files stored for this NIK's requests after `since`, oldest first."""
    rows = RequirementDocument.objects.filter(instance__applicant_nik=applicant_nik, uploaded_at__gt=since)
    return list(rows.order_by("uploaded_at", "id").values_list("uploaded_at", "size"))


# --- stored files ----------------------------------------------------------------------------------


def document_content(document: RequirementDocument) -> bytes:
    """The stored bytes, checked against the SHA-256 recorded at upload."""
    try:
        content = file_read(DOCUMENTS, document.file_path)
    except StoredFileMissing as exc:
        raise DocumentFileUnavailable(
            _("Berkas dokumen tidak ditemukan di penyimpanan; hubungi administrator.")
        ) from exc
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentFileUnavailable(_("Berkas dokumen telah berubah sejak diunggah; hubungi administrator."))
    return content
