"""Password guessing is slowed down on the login page and the token API, by username and by address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _page(username: str, password: str, address: str = "10.1.1.1") -> Any:
    return Client(REMOTE_ADDR=address).post("/masuk/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(users: Any) -> None:
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            page = _page("kasi1", "salah", address=f"10.1.1.{n + 1}")
            assert page.status_code == 200 and "Nama pengguna atau kata sandi salah" in page.content.decode()
        locked = _page("kasi1", PASSWORD, address="10.2.2.2")
        assert locked.status_code == 200 and "Terlalu banyak percobaan masuk" in locked.content.decode()
        assert "_auth_user_id" not in locked.client.session
        token = APIClient(REMOTE_ADDR="10.3.3.3").post(
            "/api/v1/auth/token/", {"username": "kasi1", "password": PASSWORD}, format="json"
        )
        assert token.status_code == 429 and int(token["Retry-After"]) > 0
        # Another officer is not affected.
        assert _page("loket1", PASSWORD, address="10.2.2.2").status_code == 302
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert _page("kasi1", PASSWORD, address="10.2.2.2").status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(users: Any) -> None:
    with time_machine.travel(T0, tick=False):
        for n in range(20):
            _page(f"tebakan{n}", "salah", address="10.9.9.9")
        assert "Terlalu banyak percobaan masuk" in _page("loket1", PASSWORD, address="10.9.9.9").content.decode()
        assert _page("loket1", PASSWORD, address="10.9.9.10").status_code == 302


def test_the_token_api_counts_its_failures_too(users: Any) -> None:
    client = APIClient(REMOTE_ADDR="10.4.4.4")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            wrong = client.post("/api/v1/auth/token/", {"username": "camat1", "password": "salah"}, format="json")
            assert wrong.status_code == 400
        assert "Terlalu banyak" in _page("camat1", PASSWORD, address="10.5.5.5").content.decode()
        # Malformed bodies are not guesses and do not count.
        assert client.post("/api/v1/auth/token/", ["x"], format="json").status_code in (400, 429)
