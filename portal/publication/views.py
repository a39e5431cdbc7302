"""Public pages of the catalogue: no login, Indonesian, printable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.catalogue import selectors
from portal.directory.selectors import office_find, offices_active

from .presenters import service_detail, service_summary


def service_list(request: HttpRequest) -> HttpResponse:
    services = [service_summary(s) for s in selectors.services_published()]
    return render(request, "catalogue/service_list.html", {"services": services})


def service_page(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_find(code)
    if service is None:
        raise Http404
    return render(request, "catalogue/service_detail.html", {"s": service_detail(service)})


def declaration_page(request: HttpRequest, office: str | None = None) -> HttpResponse:
    """A kecamatan's maklumat (its own, or the regency's where it has none); without one named, the
    regency's and the list of kecamatan."""
    chosen = None
    if office is not None:
        chosen = office_find(office)
        if chosen is None:
            raise Http404
    declaration = selectors.declaration_current(chosen.pk if chosen is not None else None)
    context = {
        "m": declaration.content if declaration else None,
        "office": chosen,
        "offices": offices_active() if chosen is None else [],
    }
    return render(request, "catalogue/declaration.html", context)
