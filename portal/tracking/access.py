"""Which requests a browser session may see without an account: those it opened with the PIN.

Kept in the session for an hour per number (at most ten numbers), so the status page can be
reloaded; the applicant's other pages (fixing a returned file, the letter, the survey) ask the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "tracking_access"
ACCESS_FOR = timedelta(hours=1)
ACCESS_MAX_NUMBERS = 10


def session_access(session: SessionBase, now: datetime) -> dict[str, str]:
    """Tracking numbers this session opened with their PIN within the last hour, with when."""
    granted = session.get(SESSION_KEY)
    if not isinstance(granted, dict):
        return {}
    valid = {}
    for number, at in granted.items():
        try:
            when = datetime.fromisoformat(str(at))
        except ValueError:
            continue
        if when.tzinfo is not None and now - ACCESS_FOR < when <= now:
            valid[str(number)] = when.isoformat()
    return valid


def session_access_grant(request: HttpRequest, number: str) -> None:
    """Remember in the session that its holder opened `number` with the right PIN (or submitted it)."""
    now = timezone.now()
    granted = session_access(request.session, now)
    granted.pop(number, None)
    granted[number] = now.isoformat()
    # A new session key when access is granted: a key planted beforehand (fixation) opens nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = dict(list(granted.items())[-ACCESS_MAX_NUMBERS:])
