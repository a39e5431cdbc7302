"""Password guessing is slowed down and locked per (username, address) and per address, on the login
page and the token API alike; the username alone is held only past a high ceiling, and never where
it logged in lately. So an attacker elsewhere never locks the camat out of her office."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LOCKED = "Terlalu banyak percobaan masuk"
WRONG = "Nama pengguna atau kata sandi salah"
OFFICE, ATTACKER = "10.1.1.1", "203.0.113.66"


def _page(username: str, password: str, address: str = OFFICE) -> Any:
    return Client(REMOTE_ADDR=address).post("/masuk/", {"username": username, "password": password})


def _token(username: str, password: str, address: str) -> Any:
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def _fail_five_times(username: str, address: str, start: datetime) -> datetime:
    """Five wrong passwords from `address`, waiting out the slowdown; the moment of the fifth."""
    moments = [start, start + timedelta(seconds=1), start + timedelta(seconds=2)]
    moments += [moments[-1] + timedelta(seconds=31), moments[-1] + timedelta(seconds=31 + 121)]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            page = _page(username, "salah", address=address)
            assert page.status_code == 200 and WRONG in page.content.decode(), page.content.decode()
    return moments[-1]


def test_the_camat_logs_in_from_the_office_while_the_attacker_who_failed_five_times_stays_locked(
    users: Any,
) -> None:
    # given an address elsewhere that has just failed five times on her username
    fifth = _fail_five_times("camat1", ATTACKER, T0)
    with time_machine.travel(fifth, tick=False):
        # when the camat logs in from the office with the right password, then she is in
        office = _page("camat1", PASSWORD, address=OFFICE)
        assert office.status_code == 302 and office.client.session.get("_auth_user_id") == str(users["camat1"].pk)
        assert _token("camat1", PASSWORD, OFFICE).status_code == 200
        # and the attacker's address is locked even with the right password, on the page and the API
        held = _page("camat1", PASSWORD, address=ATTACKER)
        assert held.status_code == 200 and LOCKED in held.content.decode()
        assert "_auth_user_id" not in held.client.session
        token = _token("camat1", PASSWORD, ATTACKER)
        assert token.status_code == 429 and int(token["Retry-After"]) == 15 * 60 + 1
    with time_machine.travel(fifth + timedelta(minutes=14), tick=False):
        assert LOCKED in _page("camat1", PASSWORD, address=ATTACKER).content.decode()
    with time_machine.travel(fifth + timedelta(minutes=15), tick=False):
        assert _page("camat1", PASSWORD, address=ATTACKER).status_code == 302


def test_the_pair_is_slowed_down_after_three_failures_before_it_is_locked(users: Any) -> None:
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            assert WRONG in _page("kasi1", "salah").content.decode()
        # no password is checked during the wait, not even the right one
        assert LOCKED in _page("kasi1", PASSWORD).content.decode()
        assert _page("kasi1", PASSWORD, address="10.1.1.2").status_code == 302  # another address is not held
    with time_machine.travel(T0 + timedelta(seconds=29), tick=False):
        assert LOCKED in _page("kasi1", "salah").content.decode()
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert WRONG in _page("kasi1", "salah").content.decode()
        assert LOCKED in _page("kasi1", PASSWORD).content.decode()  # the fourth failure: two minutes
    with time_machine.travel(T0 + timedelta(seconds=150), tick=False):
        assert _page("kasi1", PASSWORD).status_code == 302


def test_a_successful_login_forgets_the_pairs_failures(users: Any) -> None:
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            _page("sekcam1", "salah")
        assert _page("sekcam1", PASSWORD).status_code == 302
        for _ in range(2):
            assert WRONG in _page("sekcam1", "salah").content.decode()
        # four failures in all, but only two since she got in: no wait yet
        assert _page("sekcam1", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address_except_for_who_logged_in_from_it(users: Any) -> None:
    with time_machine.travel(T0 - timedelta(days=1), tick=False):
        assert _page("camat1", PASSWORD, address="10.9.9.9").status_code == 302
    with time_machine.travel(T0, tick=False):
        for n in range(20):
            _page(f"tebakan{n}", "salah", address="10.9.9.9")
        assert LOCKED in _page("loket1", PASSWORD, address="10.9.9.9").content.decode()
        assert _page("loket1", PASSWORD, address="10.9.9.10").status_code == 302
        # someone spraying passwords from the office's address does not lock the camat out of it
        assert _page("camat1", PASSWORD, address="10.9.9.9").status_code == 302
    with time_machine.travel(T0 + timedelta(minutes=15), tick=False):
        assert _page("loket1", PASSWORD, address="10.9.9.9").status_code == 302


def test_a_hundred_failures_from_many_addresses_hold_the_username_except_where_it_logged_in_lately(
    users: Any,
) -> None:
    with time_machine.travel(T0 - timedelta(days=3), tick=False):
        assert _page("camat1", PASSWORD, address=OFFICE).status_code == 302
    # given 25 addresses failing four times each within the hour (each pair below its lockout)
    botnet = [f"198.51.100.{n}" for n in range(1, 26)]
    for moment, tries in ((T0, 3), (T0 + timedelta(minutes=1), 1)):
        with time_machine.travel(moment, tick=False):
            for address in botnet:
                for _ in range(tries):
                    assert WRONG in _page("camat1", "salah", address=address).content.decode()
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        # then a new address is held, even with the right password
        assert LOCKED in _page("camat1", PASSWORD, address="192.0.2.50").content.decode()
        # but the office, where she logged in three days ago, is not
        assert _page("camat1", PASSWORD, address=OFFICE).status_code == 302
        # and other usernames are not affected
        assert _page("kasi1", PASSWORD, address="192.0.2.50").status_code == 302
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert _page("camat1", PASSWORD, address="192.0.2.50").status_code == 302


def test_the_token_api_counts_its_failures_too(users: Any) -> None:
    address = "10.4.4.4"
    for n, seconds in enumerate((0, 1, 2, 40, 200)):
        with time_machine.travel(T0 + timedelta(seconds=seconds), tick=False):
            wrong = _token("camat1", "salah", address)
            assert wrong.status_code == 400, (n, wrong.content)
    with time_machine.travel(T0 + timedelta(seconds=200), tick=False):
        assert LOCKED in _page("camat1", PASSWORD, address=address).content.decode()
        assert _page("camat1", PASSWORD, address="10.5.5.5").status_code == 302
        # Malformed bodies are not guesses and do not count.
        client = APIClient(REMOTE_ADDR="10.6.6.6")
        for _ in range(10):
            assert client.post("/api/v1/auth/token/", ["x"], format="json").status_code == 400
        assert _token("camat1", PASSWORD, "10.6.6.6").status_code == 200
