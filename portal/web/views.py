"""Server-rendered pages: the home page, which sends each role on to what it works on; logging out;
the API's interactive documentation."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from drf_spectacular.views import SpectacularSwaggerSplitView

from portal.accounts.services import api_tokens_revoke_all
from portal.catalogue.selectors import services_published

from .navigation import home_for


def home(request: HttpRequest) -> HttpResponse:
    # The services of the published catalogue (each has its page), not every diagram deployed.
    if request.user.is_authenticated:
        target = home_for(request.user)
        if target is not None and target != request.path:
            return redirect(target)
    return render(request, "web/home.html", {"services": services_published()})


class LogoutView(auth_views.LogoutView):
    """Logging out ends the session and every API token of the user: one way to say "I am done"."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            api_tokens_revoke_all(user=request.user)
        return super().post(request, *args, **kwargs)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a file of its own and no inline style, so the page
    runs under the portal's Content-Security-Policy (no 'unsafe-inline')."""

    template_name = "web/swagger_ui.html"
