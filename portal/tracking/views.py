"""The public tracking page (/lacak/): no account, a tracking number and the PIN from the receipt.

A right PIN is remembered in the session for that number only, for a while, so the status page
(/lacak/<number>/) can be reloaded; without it the status page shows the empty form and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.http import client_ip
from portal.workflow.selectors import request_diagram

from . import presenters, selectors, services
from .access import SESSION_KEY, session_access, session_access_grant
from .errors import TrackingMismatch, TrackingRefused, mismatch_message
from .forms import TrackingForm

FORM_TEMPLATE = "tracking/form.html"
STATUS_TEMPLATE = "tracking/status.html"


def _form_page(request: HttpRequest, form: TrackingForm, *, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, **context}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tracking_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, TrackingForm())
    form = TrackingForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    try:
        instance = services.tracking_pin_check(
            tracking_number=form.cleaned_data["tracking_number"],
            pin=form.cleaned_data["pin"],
            client_ip=client_ip(request),
        )
    except TrackingRefused as exc:
        return _form_page(request, TrackingForm(), status=429, form_error=exc.message())
    except TrackingMismatch:
        # An empty form: echoing what was typed would make an unknown number's page differ from a wrong PIN's.
        return _form_page(request, TrackingForm(), form_error=mismatch_message())
    session_access_grant(request, instance.tracking_number)
    return redirect("tracking-status", tracking_number=instance.tracking_number)


@never_cache
@require_http_methods(["GET", "HEAD"])
def tracking_status_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    number = selectors.tracking_number_normalize(tracking_number)
    plausible = selectors.tracking_number_plausible(number)
    if plausible and number in session_access(request.session, timezone.now()):
        instance = selectors.request_by_tracking_number(number)
        if instance is not None:
            context = {"v": presenters.tracking_public(instance), "diagram": request_diagram(instance)}
            return render(request, STATUS_TEMPLATE, context)
    return _form_page(request, TrackingForm(initial={"tracking_number": number if plausible else ""}))


@never_cache
@require_http_methods(["GET", "HEAD"])
def tracking_diagram(request: HttpRequest, tracking_number: str) -> JsonResponse:
    """The status page's diagram data (BPMN source, done and open steps), for the same session only."""
    number = selectors.tracking_number_normalize(tracking_number)
    if selectors.tracking_number_plausible(number) and number in session_access(request.session, timezone.now()):
        instance = selectors.request_by_tracking_number(number)
        if instance is not None:
            diagram = request_diagram(instance)
            return JsonResponse({key: diagram[key] for key in ("bpmn_xml", "done", "current")})
    return JsonResponse({"detail": _("Tidak ditemukan.")}, status=404)


@require_POST
def tracking_forget(request: HttpRequest) -> HttpResponse:
    """Forget every number this browser opened (a shared computer at the office or a kiosk)."""
    request.session.pop(SESSION_KEY, None)
    return redirect("tracking")
