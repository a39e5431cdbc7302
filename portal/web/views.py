"""Server-rendered pages: the home page, which sends each role on to what it works on."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.workflow.selectors import active_definitions

from .navigation import home_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        target = home_for(request.user)
        if target is not None and target != request.path:
            return redirect(target)
    return render(request, "web/home.html", {"services": active_definitions()})
