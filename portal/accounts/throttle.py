"""Slowing down password guessing, for the login page and the token API alike.

Five failures for one username, or twenty from one address, within 15 minutes lock further tries
(for that username, or from that address) for 15 minutes, and no password is checked meanwhile.
The tries are rows in the database, so every web process and machine counts the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginAttempt

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5
PER_ADDRESS = 20
KEEP = timedelta(days=1)


class LoginLocked(Exception):
    def __init__(self, until: datetime, *, now: datetime) -> None:
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        self.retry_after = int((until - now).total_seconds()) + 1
        self.message = _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit.") % {
            "minutes": minutes
        }
        super().__init__(self.message)


def _locked_until(username: str, client_ip: str, now: datetime) -> datetime | None:
    recent = LoginAttempt.objects.filter(at__gt=now - WINDOW, succeeded=False)
    until = None
    for rows, limit in (
        (recent.filter(username=username), PER_USERNAME),
        (recent.filter(client_ip=client_ip), PER_ADDRESS),
    ):
        times = list(rows.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            candidate = times[-1] + WINDOW  # the oldest of the last `limit` failures leaves the window then
            until = candidate if until is None else max(until, candidate)
    return until


def login_check(*, username: str, client_ip: str, now: datetime | None = None) -> None:
    """Raise LoginLocked if tries for this username or from this address are locked now."""
    now = now or timezone.now()
    until = _locked_until(str(username).strip().lower()[:150], str(client_ip)[:45], now)
    if until is not None and until > now:
        raise LoginLocked(until, now=now)


def login_record(*, username: str, client_ip: str, succeeded: bool, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=str(username).strip().lower()[:150], client_ip=str(client_ip)[:45], at=now, succeeded=succeeded
        )
        LoginAttempt.objects.filter(at__lt=now - KEEP).delete()
