"""What every page of the designer's workspace answers when it cannot show what was asked."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def forbidden(request: HttpRequest) -> HttpResponse:
    message = _("Halaman ini untuk perancang proses dan administrator.")
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "officework/not_found.html", {"message": message}, status=404)
