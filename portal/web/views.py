"""Server-rendered pages: the home page, which sends each role on to what it works on."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.catalogue.selectors import services_published

from .navigation import home_for


def home(request: HttpRequest) -> HttpResponse:
    # The services of the published catalogue (each has its page), not every diagram deployed.
    if request.user.is_authenticated:
        target = home_for(request.user)
        if target is not None and target != request.path:
            return redirect(target)
    return render(request, "web/home.html", {"services": services_published()})
