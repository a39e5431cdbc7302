"""A logged-in session ends after a time without requests and, however busy, after a maximum lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import Client

from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _logged_in(username: str = "loket1") -> Client:
    client = Client()
    response = client.post("/masuk/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _at(moment: datetime, client: Client, path: str = "/kerja/") -> Any:
    with time_machine.travel(moment, tick=False):
        return client.get(path)


def test_an_idle_session_ends_and_the_login_page_says_why(users: Any, settings: Any) -> None:
    settings.PATEN_SESSION_IDLE_MINUTES = 30
    with time_machine.travel(T0, tick=False):
        client = _logged_in()
    # Activity keeps it going: each request is within 30 minutes of the one before.
    for minutes in (10, 35, 64):
        assert _at(T0 + timedelta(minutes=minutes), client).status_code == 200
    # 30 minutes after the last request it is over, and the browser is sent to log in again.
    ended = _at(T0 + timedelta(minutes=94), client)
    assert ended.status_code == 302 and ended["Location"].startswith("/masuk/")
    assert "_auth_user_id" not in client.session
    login = _at(T0 + timedelta(minutes=94), client, "/masuk/")
    assert "tidak ada aktivitas selama 30 menit" in login.content.decode()
    # Logging in again works.
    with time_machine.travel(T0 + timedelta(minutes=95), tick=False):
        assert client.post("/masuk/", {"username": "loket1", "password": PASSWORD}).status_code == 302
        assert client.get("/kerja/").status_code == 200


def test_the_idle_timeout_is_a_setting(users: Any, settings: Any) -> None:
    settings.PATEN_SESSION_IDLE_MINUTES = 5
    with time_machine.travel(T0, tick=False):
        client = _logged_in()
    assert _at(T0 + timedelta(minutes=4), client).status_code == 200
    assert _at(T0 + timedelta(minutes=10), client).status_code == 302


def test_a_busy_session_still_ends_after_its_lifetime(users: Any, settings: Any) -> None:
    settings.PATEN_SESSION_IDLE_MINUTES, settings.PATEN_SESSION_MAX_HOURS = 30, 12
    with time_machine.travel(T0, tick=False):
        client = _logged_in()
    for n in range(1, 36):  # a request every 20 minutes, the last at 11 h 40
        assert _at(T0 + timedelta(minutes=20 * n), client).status_code == 200, n
    ended = _at(T0 + timedelta(hours=12), client)
    assert ended.status_code == 302 and "_auth_user_id" not in client.session
    assert "berakhir" in _at(T0 + timedelta(hours=12), client, "/masuk/").content.decode()


def test_an_ended_session_no_longer_calls_the_api(users: Any, settings: Any) -> None:
    settings.PATEN_SESSION_IDLE_MINUTES = 30
    with time_machine.travel(T0, tick=False):
        client = _logged_in()
        assert client.get("/api/v1/tasks/").status_code == 200
    assert _at(T0 + timedelta(minutes=31), client, "/api/v1/tasks/").status_code in (401, 403)


def test_the_session_cookie_does_not_outlive_the_idle_timeout_by_much(users: Any, settings: Any) -> None:
    with time_machine.travel(T0, tick=False):
        client = Client()
        response = client.post("/masuk/", {"username": "loket1", "password": PASSWORD})
    max_age = int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])
    assert max_age <= settings.PATEN_SESSION_IDLE_MINUTES * 60 + 300
    assert settings.SESSION_COOKIE_AGE < 14 * 24 * 3600  # Django's default was two weeks


def test_an_api_call_with_a_token_creates_no_session(api: Any) -> None:
    from django.contrib.sessions.models import Session

    assert api("loket1").get("/api/v1/tasks/").status_code == 200
    assert Session.objects.count() == 0
