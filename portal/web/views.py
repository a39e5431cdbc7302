"""Server-rendered pages. For now the landing page; worklists and tracking come later."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.workflow.selectors import active_definitions


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"services": active_definitions()})
