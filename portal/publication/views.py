"""Public pages of the catalogue: no login, Indonesian, printable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.catalogue import selectors
from portal.directory.models import Office
from portal.directory.selectors import office_find, office_serving, offices_active

from .presenters import service_detail, service_summary


def _chosen_office(request: HttpRequest) -> Office | None:
    """The kecamatan the reader chose (`?kecamatan=<slug>`); none: the regency's view; unknown: 404."""
    value = request.GET.get("kecamatan", "")
    office = office_serving(value) if value else None
    if value and office is None:
        raise Http404
    return office


def service_list(request: HttpRequest) -> HttpResponse:
    office = _chosen_office(request)
    services = [service_summary(s, office) for s in selectors.services_published()]
    context = {"services": services, "office": office, "offices": offices_active()}
    return render(request, "catalogue/service_list.html", context)


def service_page(request: HttpRequest, code: str) -> HttpResponse:
    office = _chosen_office(request)
    service = selectors.service_find(code)
    if service is None:
        raise Http404
    return render(request, "catalogue/service_detail.html", {"s": service_detail(service, office), "office": office})


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
