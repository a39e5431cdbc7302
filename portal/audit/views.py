"""The /audit/ pages: where an auditor lands, a search over requests, and a request's event log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.directory.selectors import office_scope

from . import selectors

PAGE_SIZE = 25


def _forbidden(request: HttpRequest) -> HttpResponse:
    message = _("Halaman ini untuk auditor dan administrator.")
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "HEAD"])
def search_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    query = str(request.GET.get("q", ""))[: selectors.QUERY_MAX]
    found = selectors.requests_search(query, scope=office_scope(request.user))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(request, "audit/search.html", {"query": query, "page": page})


@login_required
@require_http_methods(["GET", "HEAD"])
def log_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    log = selectors.request_log(tracking_number, scope=office_scope(request.user))
    if log is None:
        return render(request, "officework/not_found.html", {"message": _("Permohonan tidak ditemukan.")}, status=404)
    return render(request, "audit/log.html", log)
