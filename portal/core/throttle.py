"""One throttle for everything guessable or floodable: passwords, tracking PINs, anonymous submissions.

A `Limit` says how many tries per key (a username, a tracking number) and per client address are
allowed within a window, and what happens past it: with a `lockout`, tries stay refused for that
long after the limit was reached; without one, they are refused while the window still holds the
limit (a sliding window). Tries are rows (models.Attempt), so every process counts the same;
old rows are pruned by a beat sweep (tasks.core.prune_attempts_task).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Attempt

# Rows older than this are pruned; long enough to look into an attack afterwards.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    scope: str
    per_key: int | None
    per_address: int | None
    window: timedelta
    lockout: timedelta | None = None
    # Whether successful tries count too (a submission is limited however it ends).
    count_successes: bool = False


LOGIN = Limit("login", per_key=5, per_address=20, window=timedelta(minutes=15))
TRACKING = Limit("tracking", per_key=5, per_address=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
SUBMISSION = Limit("submission", per_key=None, per_address=10, window=timedelta(hours=1), count_successes=True)


def _times(rows: QuerySet[Attempt]) -> list[datetime]:
    return list(rows.order_by("at", "id").values_list("at", flat=True))


def _lock_end(limit: Limit, times: list[datetime], allowed: int) -> datetime | None:
    """When the refusal that `times` (ascending, all within the horizon) cause ends; None if they cause none."""
    if len(times) < allowed:
        return None
    if limit.lockout is None:
        # Sliding window: refused until the oldest of the last `allowed` tries leaves the window.
        return times[-allowed] + limit.window
    end = None
    for i in range(allowed - 1, len(times)):
        if times[i] - times[i - allowed + 1] <= limit.window:
            end = times[i] + limit.lockout
    return end


def locked_until(limit: Limit, *, key: str = "", client_ip: str = "", now: datetime | None = None) -> datetime | None:
    """Until when tries for this key or from this address are refused; None when they are allowed now."""
    now = now or timezone.now()
    horizon = limit.window + (limit.lockout or timedelta(0))
    recent = Attempt.objects.filter(scope=limit.scope, at__gt=now - horizon, at__lte=now)
    if not limit.count_successes:
        recent = recent.filter(succeeded=False)
    ends = []
    if limit.per_key is not None and key:
        ends.append(_lock_end(limit, _times(recent.filter(key=key[:150])), limit.per_key))
    if limit.per_address is not None and client_ip:
        ends.append(_lock_end(limit, _times(recent.filter(client_ip=client_ip[:45])), limit.per_address))
    until = max((e for e in ends if e is not None), default=None)
    return until if until is not None and until > now else None


def attempt_record(
    limit: Limit, *, key: str = "", client_ip: str = "", now: datetime | None = None, succeeded: bool = False
) -> Attempt:
    """Count one try (a failure unless `succeeded`; see attempt_succeeded)."""
    return Attempt.objects.create(
        scope=limit.scope, key=key[:150], client_ip=client_ip[:45], at=now or timezone.now(), succeeded=succeeded
    )


def attempt_succeeded(attempt: Attempt) -> None:
    """The try recorded beforehand (so parallel guesses all count) turned out right."""
    Attempt.objects.filter(pk=attempt.pk).update(succeeded=True)


def attempts_prune(*, now: datetime | None = None) -> int:
    """Delete tries older than KEEP; returns how many."""
    deleted, _ = Attempt.objects.filter(at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
