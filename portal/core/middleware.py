"""Requests no view should see."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is refused with a 400.

    No identifier or search term contains one, and PostgreSQL refuses it in any text value, so it
    would otherwise surface as a server error in whichever view looked it up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            return HttpResponseBadRequest(_("Alamat atau parameter berisi karakter yang tidak sah."))
        return self.get_response(request)
