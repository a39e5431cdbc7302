"""The /audit/ pages: where an auditor lands, a search over requests, and a request's event log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.directory.selectors import office_scope

from . import selectors
from .services import record_viewed


def _forbidden(request: HttpRequest) -> HttpResponse:
    message = _("Halaman ini untuk auditor dan administrator.")
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "HEAD"])
def search_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    query = str(request.GET.get("q", ""))[: selectors.QUERY_MAX]
    scope = office_scope(request.user)
    context: dict[str, Any] = {"query": query}
    if query.strip():
        found = selectors.requests_search(query, scope=scope)
        context.update(requests=found.requests, more=found.more, limit=selectors.SEARCH_MAX)
    else:
        listed = selectors.requests_recent(scope=scope, cursor=request.GET.get("halaman"))
        context.update(requests=listed.rows, listed=listed)
    return render(request, "audit/search.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def log_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    log = selectors.request_log(tracking_number, scope=office_scope(request.user))
    if log is None:
        return render(request, "officework/not_found.html", {"message": _("Permohonan tidak ditemukan.")}, status=404)
    record_viewed(viewer=request.user, instance=log["instance"], what="history")
    return render(request, "audit/log.html", log)
