"""One throttle for everything guessable or floodable: passwords, tracking PINs, anonymous submissions, uploads.

A `Limit` is a set of rules, each over one side of a try (enums.LockoutTarget): the PAIR (this
username or tracking number from this address), the ADDRESS (whatever it tries), or the KEY (this
username or number from every address). Failures first slow the pair down, then lock it; too many
from one address lock the address. The KEY rule is a high ceiling, only a brake on guessing spread
over many addresses. The ADDRESS and KEY rules spare a pair that got in lately (KNOWN): the camat's
own login from the office is not held because someone else there, or anywhere, guessed; the PAIR
rule still holds everyone. So an attacker elsewhere holds only himself.

A rule with a `lockout` refuses for that long once `allowed` failures fall within `window`; one
without refuses while the window holds `allowed` (a sliding window, or a budget when tries weigh
more than 1). Refused tries are not recorded, so they do not lengthen a hold.

Tries are rows (models.Attempt), so every process counts the same. A failure that starts or extends
a lockout writes it down (models.Lockout) for the admin; an administrator may lift it
(lockout_clear): tries before the lifting stop counting for that side and stay recorded. Old rows are
pruned by a beat sweep (tasks.core.prune_attempts_task).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from .enums import AttemptScope, LockoutTarget
from .models import Attempt, Lockout

PAIR, ADDRESS, KEY = LockoutTarget.PAIR.value, LockoutTarget.ADDRESS.value, LockoutTarget.KEY.value
# Failed tries older than this are pruned; long enough to look into an attack afterwards.
KEEP = timedelta(days=1)
# A successful login or PIN from an address is kept this long: the address is "known" for that key.
KNOWN = timedelta(days=30)
# Lockouts that ended this long ago are pruned, except those an administrator lifted (a record of who did).
LOCKOUT_KEEP = timedelta(days=90)
_NO_WAIT = timedelta(0)


@dataclass(frozen=True)
class Rule:
    target: str  # PAIR, ADDRESS or KEY
    allowed: int  # failures (or weight) within the window
    window: timedelta
    lockout: timedelta | None = None  # refused this long once `allowed` is reached; None: a sliding window
    # Waits after the 1st, 2nd, ... failure, before `allowed` is reached.
    slowdown: tuple[timedelta, ...] = ()
    # An address that got in with this key within KNOWN is not held by this rule.
    spares_known: bool = False

    @property
    def horizon(self) -> timedelta:
        return self.window + (self.lockout or _NO_WAIT)


@dataclass(frozen=True)
class Limit:
    scope: str
    rules: tuple[Rule, ...]
    # Whether successful tries count too (a submission or an upload is limited however it ends).
    count_successes: bool = False

    @property
    def per_address(self) -> int | None:
        return next((r.allowed for r in self.rules if r.target == ADDRESS), None)


@dataclass(frozen=True)
class Hold:
    """One side of a try is refused until `until`; `locked` when a limit was reached (not a slowdown)."""

    target: str
    key: str
    client_ip: str
    until: datetime
    failures: int
    locked: bool


_MINUTE = timedelta(minutes=1)
_SLOWDOWN = (_NO_WAIT, _NO_WAIT, timedelta(seconds=30), 2 * _MINUTE)

LOGIN = Limit(
    AttemptScope.LOGIN,
    rules=(
        Rule(PAIR, allowed=5, window=timedelta(hours=1), lockout=15 * _MINUTE, slowdown=_SLOWDOWN),
        Rule(ADDRESS, allowed=20, window=15 * _MINUTE, lockout=15 * _MINUTE, spares_known=True),
        Rule(KEY, allowed=100, window=timedelta(hours=1), spares_known=True),
    ),
)
# A PIN has six digits, so the ceiling per number is lower than a password's: 30 a day.
TRACKING = Limit(
    AttemptScope.TRACKING,
    rules=(
        Rule(PAIR, allowed=5, window=timedelta(hours=1), lockout=15 * _MINUTE, slowdown=_SLOWDOWN),
        Rule(ADDRESS, allowed=20, window=15 * _MINUTE, lockout=15 * _MINUTE, spares_known=True),
        Rule(KEY, allowed=30, window=timedelta(days=1), spares_known=True),
    ),
)
SUBMISSION = Limit(
    AttemptScope.SUBMISSION, rules=(Rule(ADDRESS, allowed=10, window=timedelta(hours=1)),), count_successes=True
)


def upload_limit() -> Limit:
    """Bytes stored per day by one address without an account, or by one citizen's account (settings)."""
    budget = int(settings.PATEN_UPLOAD_BYTES_PER_DAY)
    day = timedelta(days=1)
    return Limit(
        AttemptScope.UPLOAD,
        rules=(Rule(ADDRESS, allowed=budget, window=day), Rule(KEY, allowed=budget, window=day)),
        count_successes=True,
    )


# --- deciding ----------------------------------------------------------------------------------------


def _side(target: str, key: str, client_ip: str) -> tuple[str, str] | None:
    """(key, address) as the target's rows store them; None when the try does not have that side."""
    if target == PAIR:
        return (key, client_ip) if key and client_ip else None
    if target == ADDRESS:
        return ("", client_ip) if client_ip else None
    return (key, "") if key else None


def _side_filter(target: str, side: tuple[str, str]) -> Q:
    key, client_ip = side
    if target == PAIR:
        return Q(key=key, client_ip=client_ip)
    return Q(client_ip=client_ip) if target == ADDRESS else Q(key=key)


def _clearances(limit: Limit, sides: dict[str, tuple[str, str]]) -> dict[str, datetime]:
    """When an administrator last lifted a lockout of each side."""
    wanted = Q()
    for target, (key, client_ip) in sides.items():
        wanted |= Q(target=target, key=key, client_ip=client_ip)
    rows = (
        Lockout.objects.filter(wanted, scope=limit.scope, cleared_at__isnull=False)
        .values("target")
        .annotate(last=Max("cleared_at"))
    )
    return {row["target"]: row["last"] for row in rows}


def _last_success(limit: Limit, key: str, client_ip: str, now: datetime) -> datetime | None:
    rows = Attempt.objects.filter(
        scope=limit.scope, key=key, client_ip=client_ip, succeeded=True, at__gt=now - KNOWN, at__lte=now
    )
    last: datetime | None = rows.aggregate(last=Max("at"))["last"]
    return last


def _lock_end(rule: Rule, times: list[datetime]) -> datetime | None:
    """When the lockout that `times` (ascending) cause ends; None if they cause none."""
    assert rule.lockout is not None
    end = None
    for i in range(rule.allowed - 1, len(times)):
        if times[i] - times[i - rule.allowed + 1] <= rule.window:
            end = times[i] + rule.lockout
    return end


def _rule_end(
    rule: Rule, tries: list[tuple[datetime, int]], now: datetime, weight: int
) -> tuple[datetime, bool] | None:
    """Until when `rule` refuses a try of `weight` after `tries` (ascending), and whether as a lockout."""
    in_window = [(at, w) for at, w in tries if at > now - rule.window]
    if rule.lockout is not None:
        end = _lock_end(rule, [at for at, _ in tries])
        if end is not None and end > now:
            return end, True
        n = len(in_window)
        if 0 < n < rule.allowed and n <= len(rule.slowdown) and in_window[-1][0] + rule.slowdown[n - 1] > now:
            return in_window[-1][0] + rule.slowdown[n - 1], False
        return None
    used = sum(w for _, w in in_window)
    if used + weight <= rule.allowed:
        return None
    for at, w in in_window:  # oldest first: when has enough left the window for this try?
        used -= w
        if used + weight <= rule.allowed:
            return at + rule.window, True
    return now + rule.window, True  # more than the whole budget at once


def holds(
    limit: Limit, *, key: str = "", client_ip: str = "", now: datetime | None = None, weight: int = 1
) -> list[Hold]:
    """Every side of this try that is refused now, with until when."""
    now = now or timezone.now()
    key, client_ip = str(key)[:150], str(client_ip)[:45]
    sides = {r.target: s for r in limit.rules if (s := _side(r.target, key, client_ip)) is not None}
    if not sides:
        return []
    cleared = _clearances(limit, sides)
    success = None if limit.count_successes or PAIR not in sides else _last_success(limit, key, client_ip, now)
    found = []
    for rule in limit.rules:
        side = sides.get(rule.target)
        if side is None or (rule.spares_known and success is not None):
            continue
        # A success resets the pair (not the address, nor the key from elsewhere); so does lifting a lockout.
        bounds = [now - rule.horizon, cleared.get(rule.target), success if rule.target == PAIR else None]
        since = max(b for b in bounds if b is not None)
        rows = Attempt.objects.filter(_side_filter(rule.target, side), scope=limit.scope, at__gt=since, at__lte=now)
        if not limit.count_successes:
            rows = rows.filter(succeeded=False)
        tries = list(rows.order_by("at", "id").values_list("at", "weight"))
        refused = _rule_end(rule, tries, now, weight)
        if refused is not None:
            count = sum(w for _, w in tries) if limit.count_successes else len(tries)
            found.append(Hold(rule.target, *side, until=refused[0], failures=count, locked=refused[1]))
    return found


def locked_until(
    limit: Limit, *, key: str = "", client_ip: str = "", now: datetime | None = None, weight: int = 1
) -> datetime | None:
    """Until when this try (for this key, from this address) is refused; None when it is allowed now."""
    found = holds(limit, key=key, client_ip=client_ip, now=now, weight=weight)
    return max((h.until for h in found), default=None)


# --- recording -----------------------------------------------------------------------------------------


def attempt_record(
    limit: Limit,
    *,
    key: str = "",
    client_ip: str = "",
    now: datetime | None = None,
    succeeded: bool = False,
    weight: int = 1,
) -> Attempt:
    """Count one try (a failure unless `succeeded`; see attempt_succeeded and attempt_failed)."""
    return Attempt.objects.create(
        scope=limit.scope, key=str(key)[:150], client_ip=str(client_ip)[:45], at=now or timezone.now(),
        succeeded=succeeded, weight=weight,
    )  # fmt: skip


def attempt_succeeded(attempt: Attempt) -> None:
    """The try recorded beforehand (so parallel guesses all count) turned out right."""
    Attempt.objects.filter(pk=attempt.pk).update(succeeded=True)


def attempt_failed(limit: Limit, attempt: Attempt) -> list[Lockout]:
    """The try recorded beforehand turned out wrong: write down the lockouts it starts or extends."""
    with transaction.atomic():
        found = holds(limit, key=attempt.key, client_ip=attempt.client_ip, now=attempt.at)
        return [_lockout_note(limit, hold, now=attempt.at) for hold in found if hold.locked]


def _lockout_note(limit: Limit, hold: Hold, *, now: datetime) -> Lockout:
    current = (
        Lockout.objects.select_for_update()
        .filter(scope=limit.scope, target=hold.target, key=hold.key, client_ip=hold.client_ip)
        .filter(cleared_at__isnull=True, until__gte=now)
        .order_by("-until", "-id")
        .first()
    )
    if current is None:
        return Lockout.objects.create(
            scope=limit.scope, target=hold.target, key=hold.key, client_ip=hold.client_ip, started_at=now,
            until=hold.until, failures=hold.failures,
        )  # fmt: skip
    current.until, current.failures = max(current.until, hold.until), hold.failures
    current.save(update_fields=["until", "failures"])
    return current


def lockout_clear(*, lockout_id: int, actor: Any, now: datetime | None = None) -> bool:
    """Lift a lockout now (an administrator); False when it was lifted already.

    The tries before now stop counting for that side (they stay recorded); the row keeps who lifted it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = Lockout.objects.select_for_update().filter(pk=lockout_id).first()
        if row is None or row.cleared_at is not None:
            return False
        row.cleared_at, row.cleared_by = now, actor
        row.cleared_by_name = str(actor.get_username())[:150]
        row.save(update_fields=["cleared_at", "cleared_by", "cleared_by_name"])
    return True


def lockouts_current(*, now: datetime | None = None) -> QuerySet[Lockout]:
    """Lockouts in force: not lifted, not ended."""
    return Lockout.objects.filter(cleared_at__isnull=True, until__gt=now or timezone.now())


def attempts_prune(*, now: datetime | None = None) -> int:
    """Delete tries older than KEEP (successful logins and PINs after KNOWN) and old lockouts; how many."""
    now = now or timezone.now()
    known = Q(succeeded=True, scope__in=[LOGIN.scope, TRACKING.scope])
    deleted, _ = Attempt.objects.filter(Q(at__lt=now - KEEP) & ~known | Q(at__lt=now - KNOWN)).delete()
    ended, _ = Lockout.objects.filter(until__lt=now - LOCKOUT_KEEP, cleared_at__isnull=True).delete()
    return deleted + ended
