"""API tokens expire, are kept only as hashes, can be listed and revoked by their owner, and end on logout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TOKENS = "/api/v1/auth/tokens/"


def _login(username: str = "kasi1", **extra: Any) -> dict[str, Any]:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_stored_as_a_hash_and_works_until_it_expires(users: Any, settings: Any) -> None:
    from portal.accounts.models import ApiToken

    settings.PATEN_TOKEN_HOURS = 12
    with time_machine.travel(T0, tick=False):
        issued = _login("kasi1", label="Aplikasi kantor")
        assert datetime.fromisoformat(issued["expires_at"]) == T0 + timedelta(hours=12)
        row = ApiToken.objects.get(pk=issued["id"])
        stored = " ".join(str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields)
        assert issued["token"] not in stored and row.key_hash != issued["token"]
        assert _client(issued["token"]).get("/api/v1/tasks/").status_code == 200
    with time_machine.travel(T0 + timedelta(hours=11, minutes=59), tick=False):
        assert _client(issued["token"]).get("/api/v1/tasks/").status_code == 200
    with time_machine.travel(T0 + timedelta(hours=12), tick=False):
        expired = _client(issued["token"]).get("/api/v1/tasks/")
        assert expired.status_code == 401
        assert "kedaluwarsa" in expired.json()["detail"]


def test_the_lifetime_is_a_setting(users: Any, settings: Any) -> None:
    settings.PATEN_TOKEN_HOURS = 2
    with time_machine.travel(T0, tick=False):
        key = _login()["token"]
    with time_machine.travel(T0 + timedelta(hours=2, seconds=1), tick=False):
        assert _client(key).get("/api/v1/tasks/").status_code == 401


def test_an_owner_lists_their_working_tokens_and_revokes_one(users: Any) -> None:
    with time_machine.travel(T0, tick=False):
        first = _login("kasi1", label="laptop")
        second = _login("kasi1", label="ponsel")
        other = _login("loket1")
        listed = _client(first["token"]).get(TOKENS)
        assert listed.status_code == 200
        rows = {row["id"]: row for row in listed.json()}
        assert set(rows) == {first["id"], second["id"]}  # never another user's
        assert rows[first["id"]]["current"] is True and rows[second["id"]]["current"] is False
        assert rows[second["id"]]["label"] == "ponsel" and rows[second["id"]]["prefix"] == second["token"][:6]
        assert "token" not in rows[first["id"]] and second["token"] not in listed.content.decode()

        # Another user's token is not found, so nobody learns it exists.
        assert _client(first["token"]).post(f"{TOKENS}{other['id']}/revoke/").status_code == 404
        assert _client(other["token"]).get("/api/v1/tasks/").status_code == 200

        revoked = _client(first["token"]).post(f"{TOKENS}{second['id']}/revoke/")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        refused = _client(second["token"]).get("/api/v1/tasks/")
        assert refused.status_code == 401 and "dicabut" in refused.json()["detail"]
        assert _client(first["token"]).get("/api/v1/tasks/").status_code == 200
        assert [row["id"] for row in _client(first["token"]).get(TOKENS).json()] == [first["id"]]
        assert _client(first["token"]).post(f"{TOKENS}x1/revoke/").status_code == 404


def test_logging_out_through_the_api_ends_every_token_of_the_user(users: Any) -> None:
    first, second, other = _login("kasi1"), _login("kasi1"), _login("loket1")
    out = _client(first["token"]).post("/api/v1/auth/logout/")
    assert out.status_code == 200 and out.json() == {"tokens_revoked": 2}
    for key in (first["token"], second["token"]):
        response = _client(key).get("/api/v1/tasks/")
        assert response.status_code == 401 and "dicabut" in response.json()["detail"]
    assert _client(other["token"]).get("/api/v1/tasks/").status_code == 200


def test_logging_out_of_the_pages_ends_the_users_tokens(users: Any) -> None:
    key = _login("kasi1")["token"]
    browser = Client()
    assert browser.post("/masuk/", {"username": "kasi1", "password": PASSWORD}).status_code == 302
    assert browser.post("/keluar/").status_code == 302
    assert _client(key).get("/api/v1/tasks/").status_code == 401


def test_last_use_is_recorded_without_a_write_on_every_call(users: Any) -> None:
    from portal.accounts.models import ApiToken

    with time_machine.travel(T0, tick=False):
        issued = _login()
        _client(issued["token"]).get("/api/v1/tasks/")
    assert ApiToken.objects.get(pk=issued["id"]).last_used_at == T0
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        _client(issued["token"]).get("/api/v1/tasks/")
    assert ApiToken.objects.get(pk=issued["id"]).last_used_at == T0
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        _client(issued["token"]).get("/api/v1/tasks/")
    assert ApiToken.objects.get(pk=issued["id"]).last_used_at == T0 + timedelta(minutes=6)


@pytest.mark.parametrize("header", ["Token 0123456789abcdef", "Token " + "a" * 43, "Token " + "x" * 5000])
def test_an_unknown_key_is_a_401_in_indonesian(users: Any, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 401 and "Token tidak dikenal" in response.json()["detail"]


def test_a_user_holds_a_bounded_number_of_working_tokens(users: Any) -> None:
    from portal.accounts.selectors import api_tokens_active
    from portal.accounts.services import MAX_ACTIVE_TOKENS, api_token_issue

    with time_machine.travel(T0, tick=False):
        first = api_token_issue(user=users["kasi1"])
        for _ in range(MAX_ACTIVE_TOKENS):
            api_token_issue(user=users["kasi1"])
        assert api_tokens_active(users["kasi1"], now=T0).count() == MAX_ACTIVE_TOKENS
    first.token.refresh_from_db()
    assert first.token.revoked_at is not None
