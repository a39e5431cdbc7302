"""The process designer's workspace (/perancang/): every service with its versions, the decision
tables and shared sub-processes, and the drafts; one service's page with its versions (open one in
the modeler, put an earlier one back in use, move running requests) and its drafts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.catalogue.selectors import service_find
from portal.core.errors import ServiceError, error_texts

from . import selectors, services
from .draft_views import deployed_messages
from .models import Draft
from .pages import forbidden, not_found


@login_required
@require_http_methods(["GET", "HEAD"])
def services_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_design(request.user):
        return forbidden(request)
    counts = selectors.draft_counts()
    found = selectors.services_with_versions()
    for service in found:
        service["drafts"] = counts.get((Draft.Kind.SERVICE, service["code"]), 0)
    parts = selectors.parts_with_versions()
    for part in parts:
        part["drafts"] = counts.get((part["kind"], part["code"]), 0)
        part["used_by"] = selectors.services_using(part["kind"], part["code"])
    return render(request, "designer/services.html", {"services": found, "parts": parts})


@login_required
@require_http_methods(["GET", "HEAD"])
def service_page(request: HttpRequest, code: str) -> HttpResponse:
    if not selectors.may_design(request.user):
        return forbidden(request)
    versions = list(selectors.service_versions(code))
    if not versions:
        message = _("Layanan %(code)s tidak ditemukan.") % {"code": code}
        return not_found(request, message)
    active = next((v for v in versions if v.is_active), None)
    context = {
        "code": code, "name": (active or versions[0]).name, "active": active, "versions": versions,
        "drafts": selectors.drafts_of(Draft.Kind.SERVICE, code)[:50],
        "published": service_find(code) is not None,
    }  # fmt: skip
    return render(request, "designer/service.html", context)


@login_required
@require_POST
def version_activate_submit(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """Roll back: an earlier version is put back in use (new requests start on it)."""
    if not selectors.may_design(request.user):
        return forbidden(request)
    try:
        deployed = services.version_rollback(
            code=code, version=version, actor=request.user, note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        messages.error(request, "; ".join(error_texts(exc)))
    else:
        deployed_messages(request, deployed)
    return redirect("designer-service", code)
