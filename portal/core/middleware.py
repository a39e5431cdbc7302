"""Requests no view should see, the security headers of every response, and session lifetimes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import NotAllowed, NotFound


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


class AllowedHostMiddleware:
    """A request for a host the deployment does not serve (ALLOWED_HOSTS) is a 400, told in plain text.

    Django raises DisallowedHost the first time a middleware asks for the host, and the error page
    asks for it again while it renders (links, the language form), which made it a 500. Before
    SecurityMiddleware and everything else that asks for the host, so none of them sees such a request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.get_host()
        except DisallowedHost as exc:
            logging.getLogger("django.security.DisallowedHost").warning(str(exc)[:300])
            return HttpResponseBadRequest(
                _("Alamat host tidak dikenal oleh layanan ini."), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy and Permissions-Policy of every response (settings.PATEN_CSP and
    PATEN_PERMISSIONS_POLICY); a response that set its own (a private file) keeps it. Django's
    SecurityMiddleware adds HSTS, Referrer-Policy, X-Content-Type-Options and the SSL redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = str(settings.PATEN_CSP)
        self.permissions = str(settings.PATEN_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


# Session keys of SessionTimeoutMiddleware: when the user logged in and when they were last seen
# (Unix seconds, from django.utils.timezone so a test can move the clock).
SESSION_STARTED = "_paten_started_at"
SESSION_SEEN = "_paten_seen_at"
# Being seen is written back at most this often, so reading pages does not write the session each time.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Ends a logged-in session idle for PATEN_SESSION_IDLE_MINUTES or older than PATEN_SESSION_MAX_HOURS.

    The page that follows treats the caller as anonymous (a login page, or a 401/403 from the API)
    and says why. SESSION_COOKIE_AGE is the idle timeout plus a few minutes, so the browser and the
    session store forget an idle session on their own soon after. After the authentication and
    message middlewares.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = int(timezone.now().timestamp())
        # Only sessions someone logged in to: an API call with a token has no session to time.
        if AUTH_SESSION_KEY in request.session and (ended := self._ended(request.session, now)):
            request.session.flush()
            request.user = AnonymousUser()
            messages.info(request, ended)
        response = self.get_response(request)
        session = request.session
        if AUTH_SESSION_KEY in session:
            if not isinstance(session.get(SESSION_STARTED), int):  # the response of the login itself
                session[SESSION_STARTED] = now
            seen = session.get(SESSION_SEEN)
            if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION:
                session[SESSION_SEEN] = now
        return response

    def _ended(self, session: SessionBase, now: int) -> str:
        started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
        if not isinstance(started, int) or not isinstance(seen, int):
            return ""  # logged in before this middleware ran (or by a test's force_login): starts now
        max_hours, idle_minutes = settings.PATEN_SESSION_MAX_HOURS, settings.PATEN_SESSION_IDLE_MINUTES
        if now - started >= max_hours * 3600:
            return _("Sesi Anda sudah berlangsung %(hours)s jam dan berakhir. Silakan masuk lagi.") % {
                "hours": max_hours
            }
        if now - seen >= idle_minutes * 60:
            return _("Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)s menit. Silakan masuk lagi.") % {
                "minutes": idle_minutes
            }
        return ""


class ServiceErrorPageMiddleware:
    """A page whose view let a refusal of the services through answers with the refusal's own words
    (403 for NotAllowed, 404 for NotFound) rather than a server error. The API maps them itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        if isinstance(exception, NotAllowed):
            return render(request, "403.html", {"message": exception.message}, status=403)
        if isinstance(exception, NotFound):
            return render(request, "404.html", {}, status=404)
        return None
