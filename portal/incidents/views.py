"""The /insiden/ pages: requests stopped by a failing diagram, for an administrator to retry or cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ProcessFailed, ServiceError, error_texts
from portal.workflow.models import ProcessInstance
from portal.workflow.selectors import incidents
from portal.workflow.services.incidents import MAX_REASON, instance_cancel, instance_retry

from . import selectors

PAGE_SIZE = 25


def _forbidden(request: HttpRequest) -> HttpResponse:
    message = _("Halaman ini untuk administrator.")
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    message = _("Tidak ada gangguan proses dengan nomor registrasi ini (mungkin sudah ditangani).")
    return render(request, "officework/not_found.html", {"message": message}, status=404)


def _incident_for(request: HttpRequest, tracking_number: str) -> ProcessInstance | HttpResponse:
    """The incident an administrator acts on, or the page saying why not (403, 404)."""
    if not selectors.may_handle(request.user):
        return _forbidden(request)
    found = selectors.incident_of(tracking_number)
    return found if found is not None else _not_found(request)


@login_required
@require_http_methods(["GET", "HEAD"])
def incidents_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_handle(request.user):
        return _forbidden(request)
    page = Paginator(incidents(), PAGE_SIZE).get_page(request.GET.get("halaman"))
    rows = selectors.incidents_described(list(page.object_list))
    return render(request, "incidents/incidents.html", {"page": page, "rows": rows, "reason_max": MAX_REASON})


@login_required
@require_POST
def incident_retry_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    found = _incident_for(request, tracking_number)
    if isinstance(found, HttpResponse):
        return found
    try:
        retried = instance_retry(instance_id=found.pk, actor=request.user)
    except ProcessFailed as exc:
        messages.error(
            request, _("%(tn)s masih gagal: %(error)s") % {"tn": found.tracking_number, "error": exc.message}
        )
    except ServiceError as exc:
        messages.error(request, "; ".join(error_texts(exc)))
    else:
        text = _("%(tn)s berjalan lagi (status: %(status)s).")
        messages.success(request, text % {"tn": retried.tracking_number, "status": retried.get_status_display()})
    return redirect("incidents")


@login_required
@require_POST
def incident_cancel_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    found = _incident_for(request, tracking_number)
    if isinstance(found, HttpResponse):
        return found
    try:
        instance_cancel(instance_id=found.pk, actor=request.user, reason=request.POST.get("alasan", ""))
    except ServiceError as exc:
        messages.error(request, f"{found.tracking_number}: " + "; ".join(str(t) for t in _reason_texts(exc)))
    else:
        messages.success(request, _("%(tn)s dibatalkan.") % {"tn": found.tracking_number})
    return redirect("incidents")


def _reason_texts(exc: ServiceError) -> list[str]:
    """The service names the field `reason`; the page calls it what its label says."""
    return [t.replace("reason: ", _("Alasan") + ": ", 1) for t in error_texts(exc)]
