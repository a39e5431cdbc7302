"""Who may open the officers' pages, and the pages that say no."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.accounts.enums import role_label
from portal.accounts.selectors import is_officer
from portal.core.errors import NotAllowed
from portal.workflow.access import office_check
from portal.workflow.models import Step

from . import selectors

View = Callable[..., HttpResponseBase]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(
        request, "officework/not_found.html", {"message": message or _("Langkah tidak ditemukan.")}, status=404
    )


def officer_required(view: View) -> View:
    """Logged in (else the login page), and an officer (else a 403 page that says why)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_officer(request.user):
            return forbidden(request, _("Halaman ini hanya untuk petugas kecamatan (loket, kasi, sekcam, camat)."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def counter_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_counter(request.user):
            return forbidden(request, _("Halaman ini hanya untuk petugas loket."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def role_forbidden(request: HttpRequest, human_task: Step) -> HttpResponse:
    """The page refusing a step: it belongs to another kecamatan, or to another role."""
    try:
        office_check(request.user, human_task.instance)
    except NotAllowed as exc:
        return forbidden(request, str(exc.message))
    label = role_label(human_task.role)
    return forbidden(request, _("Langkah ini untuk peran %(role)s.") % {"role": label})
