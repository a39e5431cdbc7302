"""The /perancang/ page: where a process designer lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors


@login_required
@require_http_methods(["GET", "HEAD"])
def services_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_design(request.user):
        message = _("Halaman ini untuk perancang proses dan administrator.")
        return render(request, "officework/forbidden.html", {"message": message}, status=403)
    return render(request, "designer/services.html", {"services": selectors.services_with_versions()})
