"""What every response tells the browser (CSP without 'unsafe-inline', Permissions-Policy, HSTS and the
HTTPS redirect behind an https address), a clean `check --deploy`, and a 400 for an unknown Host."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ROOT

HTTPS_ENV = {
    "PATEN_PUBLIC_URL": "https://paten.babulu.example",
    "PATEN_ALLOWED_HOSTS": "paten.babulu.example",
    "PATEN_DEBUG": "0",
}
PUBLIC_PAGES = ["/", "/layanan/", "/layanan/sktm/", "/maklumat/", "/lacak/", "/masuk/", "/verifikasi/",
                "/admin/login/", "/api/docs/", "/tidak-ada/"]  # fmt: skip
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def _python(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Python in a fresh process with the portal's settings from `env` alone (no PATEN_ variable of ours)."""
    drop = ("DJANGO_SETTINGS_MODULE", "PORT")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PATEN_") and k not in drop}
    clean.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PATEN_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300)


def test_check_deploy_is_clean_for_an_https_address(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(60)
    command = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    done = _python(command, tmp_path, PATEN_SECRET_KEY=key, **HTTPS_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="paten.babulu.example")
plain = client.get("/api/schema/")
secure = client.get("/api/schema/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"), "csp": secure.get("Content-Security-Policy"),
    "idle": settings.PATEN_SESSION_IDLE_MINUTES, "max_hours": settings.PATEN_SESSION_MAX_HOURS,
    "cookie_age": settings.SESSION_COOKIE_AGE, "token_hours": settings.PATEN_TOKEN_HOURS,
}))
"""


def test_an_https_address_redirects_plain_http_and_sends_hsts(tmp_path: Path) -> None:
    done = _python(["-c", PROBE], tmp_path, **HTTPS_ENV)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["redirect"] == [301, "https://paten.babulu.example/api/schema/"]
    assert found["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "upgrade-insecure-requests" in found["csp"]
    # The defaults of the session and token lifetimes.
    assert (found["idle"], found["max_hours"], found["token_hours"]) == (30, 12, 12)
    assert found["cookie_age"] == 30 * 60 + 300


def test_session_and_token_lifetimes_come_from_the_environment(tmp_path: Path) -> None:
    env = {"PATEN_SESSION_IDLE_MINUTES": "15", "PATEN_SESSION_MAX_HOURS": "8", "PATEN_TOKEN_HOURS": "4"}
    done = _python(["-c", PROBE], tmp_path, **HTTPS_ENV, **env)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert (found["idle"], found["max_hours"], found["token_hours"]) == (15, 8, 4)
    assert found["cookie_age"] == 15 * 60 + 300


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_carries_the_policy_and_nothing_inline(deployed: Any, path: str) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code in (200, 404), path
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and "unsafe" not in policy
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html) and not INLINE_STYLE.findall(html) and not EVENT_HANDLER.findall(html)


def test_an_officers_pages_and_the_admin_have_nothing_inline(deployed: Any, users: Any, api: Any) -> None:
    from tests.conftest import SKTM_APPLICANT

    registered = api("loket1").post(
        "/api/v1/requests/", {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa"}},
        format="json",
    )  # fmt: skip
    tn = registered.json()["tracking_number"]
    loket, admin = Client(), Client()
    loket.force_login(users["loket1"])
    admin.force_login(users["admin"])
    pages = [(loket, "/kerja/"), (loket, "/loket/daftar/?layanan=sktm"), (loket, f"/loket/tanda-terima/{tn}/"),
             (admin, "/admin/"), (admin, "/admin/auth/user/"), (admin, f"/admin/auth/user/{users['kasi1'].pk}/change/"),
             (admin, "/admin/survey/surveyresponse/"), (admin, "/insiden/")]  # fmt: skip
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert not INLINE_SCRIPT.findall(html), path
        assert not INLINE_STYLE.findall(html), (path, INLINE_STYLE.findall(html))
        assert not EVENT_HANDLER.findall(html), path


def test_no_template_of_the_portal_has_an_inline_style_or_script() -> None:
    offending = []
    for template in sorted((ROOT / "portal").rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            offending += [f"{template.relative_to(ROOT)}: {m}" for m in pattern.findall(text)]
    assert offending == []


def test_the_api_docs_load_their_script_from_a_url(db: Any) -> None:
    client = Client()
    page = client.get("/api/docs/").content.decode()
    (script,) = re.findall(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', page)
    loaded = client.get(script.replace("&amp;", "&"))
    assert loaded.status_code == 200 and loaded["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in loaded.content.decode()


@pytest.mark.parametrize("path", ["/", "/masuk/", "/api/v1/services/", "/admin/"])
@pytest.mark.parametrize("host", ["evil.example", "paten.babulu.example:8000", "127.0.0.1:8000@evil"])
def test_an_unknown_host_is_a_400_not_a_500(db: Any, path: str, host: str) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    assert "host tidak dikenal" in response.content.decode()
    posted = client.post(path, {"x": "1"}, HTTP_HOST=host)
    assert posted.status_code == 400


def test_a_refused_form_is_explained_in_the_portals_layout(db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulir tidak dapat diterima" in html
    assert not INLINE_STYLE.findall(html) and not INLINE_SCRIPT.findall(html)
