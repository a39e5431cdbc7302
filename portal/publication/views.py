"""Public pages of the catalogue: no login, Indonesian, printable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.catalogue import selectors

from .presenters import service_detail, service_summary


def service_list(request: HttpRequest) -> HttpResponse:
    services = [service_summary(s) for s in selectors.services_published()]
    return render(request, "catalogue/service_list.html", {"services": services})


def service_page(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_find(code)
    if service is None:
        raise Http404
    return render(request, "catalogue/service_detail.html", {"s": service_detail(service)})


def declaration_page(request: HttpRequest) -> HttpResponse:
    declaration = selectors.declaration_current()
    return render(request, "catalogue/declaration.html", {"m": declaration.content if declaration else None})
