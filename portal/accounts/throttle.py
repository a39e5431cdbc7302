"""Slowing down password guessing, for the login page and the token API alike (core.throttle.LOGIN).

Five failures for one username, or twenty from one address, within 15 minutes refuse further tries
(for that username, or from that address) until the window has room again, and no password is
checked meanwhile.
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
    """Raise LoginLocked if tries for this username or from this address are refused now."""
    now = now or timezone.now()
    until = throttle.locked_until(throttle.LOGIN, key=_username(username), client_ip=str(client_ip), now=now)
    if until is not None:
        raise LoginLocked(until, now=now)


def login_record(*, username: str, client_ip: str, succeeded: bool, now: datetime | None = None) -> None:
    throttle.attempt_record(
        throttle.LOGIN, key=_username(username), client_ip=str(client_ip), now=now, succeeded=succeeded
    )
