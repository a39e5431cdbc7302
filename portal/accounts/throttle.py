"""Slowing down password guessing, for the login page and the token API alike (core.throttle.LOGIN).

Failures are counted per username from one address (the pair), per address, and per username from
every address. The pair slows down after three failures (30 s, then 2 min) and is locked for 15
minutes after five within an hour; a success resets it. An address is locked for 15 minutes after
twenty failures within 15 minutes, whatever usernames it tried. Only a hundred failures for one
username within an hour, from all addresses together, hold that username everywhere. Neither of
those two holds a username at an address where it logged in within the last 30 days. So guessing
elsewhere, or by someone else at the office, never locks the camat out of her office. No password
is checked while a try is refused.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core import throttle


class LoginLocked(Exception):
    def __init__(self, until: datetime, *, now: datetime) -> None:
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        self.retry_after = int((until - now).total_seconds()) + 1
        self.message = _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit.") % {
            "minutes": minutes
        }
        super().__init__(self.message)


def _username(username: str) -> str:
    return str(username).strip().lower()[:150]


def login_check(*, username: str, client_ip: str, now: datetime | None = None) -> None:
    """Raise LoginLocked if tries for this username from this address are refused now."""
    now = now or timezone.now()
    until = throttle.locked_until(throttle.LOGIN, key=_username(username), client_ip=str(client_ip), now=now)
    if until is not None:
        raise LoginLocked(until, now=now)


def login_record(*, username: str, client_ip: str, succeeded: bool, now: datetime | None = None) -> None:
    """Count a login; a failure may start a lockout (written down for the admin)."""
    attempt = throttle.attempt_record(
        throttle.LOGIN, key=_username(username), client_ip=str(client_ip), now=now, succeeded=succeeded
    )
    if not succeeded:
        throttle.attempt_failed(throttle.LOGIN, attempt)
