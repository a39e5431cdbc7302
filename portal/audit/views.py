"""The /audit/ pages: where an auditor lands, a search over requests, and a request's event log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.directory.selectors import office_scope

from . import selectors
from .checkpoints import KeyMissing
from .forms import AuditFilterForm
from .history import request_history
from .models import Checkpoint
from .pdf import history_pdf_bytes
from .services import record_viewed, verification_run


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
    form = AuditFilterForm(request.GET, services=selectors.service_choices(), villages=selectors.village_choices(scope))
    filters = form.valid_values()
    rest = request.GET.copy()
    rest.pop("halaman", None)
    context: dict[str, Any] = {"query": query, "form": form, "rest": rest.urlencode()}
    if query.strip():
        found = selectors.requests_search(query, scope=scope, filters=filters)
        context.update(requests=found.requests, more=found.more, limit=selectors.SEARCH_MAX)
    else:
        listed = selectors.requests_recent(scope=scope, cursor=request.GET.get("halaman"), filters=filters)
        context.update(requests=listed.rows, listed=listed)
    return render(request, "audit/search.html", context)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "officework/not_found.html", {"message": _("Permohonan tidak ditemukan.")}, status=404)


def _reading(what: str) -> Callable[[Callable[[HttpRequest, Any], HttpResponse]], Callable[..., HttpResponse]]:
    """A page showing one request to an auditor: her role checked, the request found within her
    offices, and the reading (`what`) put on record before the page is drawn."""

    def wrap(view: Callable[[HttpRequest, Any], HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @require_http_methods(["GET", "HEAD"])
        @functools.wraps(view)
        def page(request: HttpRequest, tracking_number: str) -> HttpResponse:
            if not selectors.may_audit(request.user):
                return _forbidden(request)
            instance = selectors.request_in_scope(tracking_number, scope=office_scope(request.user))
            if instance is None:
                return _not_found(request)
            record_viewed(viewer=request.user, instance=instance, what=what)
            return view(request, instance)

        return page

    return wrap


@_reading("history")
def log_page(request: HttpRequest, instance: Any) -> HttpResponse:
    return render(request, "audit/log.html", request_history(instance))


@_reading("pdf")
def history_pdf(request: HttpRequest, instance: Any) -> HttpResponse:
    content = history_pdf_bytes(request_history(instance), reader=request.user.get_username())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="riwayat-{instance.tracking_number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def checkpoints_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    return render(request, "audit/checkpoints.html", selectors.log_state())


@login_required
@require_http_methods(["GET", "HEAD"])
def checkpoint_download(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    checkpoint = Checkpoint.objects.filter(pk=pk).first()
    if checkpoint is None:
        return render(
            request, "officework/not_found.html", {"message": _("Titik periksa tidak ditemukan.")}, status=404
        )
    response = HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="titik-periksa-{checkpoint.size}.txt"'
    return response


@login_required
@require_http_methods(["POST"])
def verify_now(request: HttpRequest) -> HttpResponse:
    if not selectors.may_audit(request.user):
        return _forbidden(request)
    try:
        run, _report = verification_run(trigger=request.user.get_username())
    except KeyMissing as exc:
        messages.error(request, str(exc))
        return redirect("audit-checkpoints")
    if run.ok:
        messages.success(request, _("Log audit diperiksa: tidak ada temuan."))
    else:
        messages.error(request, _("Log audit diperiksa: %(n)s temuan.") % {"n": len(run.findings)})
    return redirect("audit-checkpoints")
