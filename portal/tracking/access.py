"""Which requests a visitor may see as their applicant: her own account's, or those this browser
session opened with the PIN.

Kept in the session for an hour per number (at most ten numbers), so the status page can be
reloaded; the applicant's other pages (fixing a returned file, the letter, the survey) ask the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from portal.workflow.models import ProcessInstance

from .selectors import request_by_tracking_number, tracking_number_normalize

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


def is_owner(user: Any, instance: ProcessInstance) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and instance.applicant_user_id is not None
        and instance.applicant_user_id == user.pk
    )


def has_tracking_access(session: SessionBase, tracking_number: str) -> bool:
    return tracking_number in session_access(session, timezone.now())


def request_for_applicant(*, user: Any, session: SessionBase, tracking_number: Any) -> ProcessInstance | None:
    """The request if this visitor is its applicant: her own account, or the PIN given in this session."""
    number = tracking_number_normalize(tracking_number)
    instance = request_by_tracking_number(number[:40])
    if instance is None:
        return None
    if is_owner(user, instance) or has_tracking_access(session, instance.tracking_number):
        return instance
    return None
