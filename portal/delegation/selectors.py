"""Reads of the delegation register."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles

from .models import Delegation

DEPUTY_ROLES = frozenset({RoleCode.SEKCAM, RoleCode.KASI})


def _in_force(at: datetime) -> Q:
    day = timezone.localdate(at)
    return Q(starts_on__lte=day, ends_on__gte=day) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def delegations_in_force(user: Any, *, at: datetime | None = None) -> list[Delegation]:
    """Delegations naming `user` deputy that are in force at `at` (now), newest first.

    Asked for now, the answer is kept on the user object for a moment (a page asks in its menu and
    in its lists), and dropped as soon as any delegation is saved or deleted in this process."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if at is not None:
        return _in_force_of(user, at)
    now = timezone.now()
    held = getattr(user, "_paten_delegations", None)
    if held is not None and held[0] == _register_changes[0] and abs(now - held[1]) < _HELD_FOR:
        return list(held[2])
    found = _in_force_of(user, now)
    user._paten_delegations = (_register_changes[0], now, tuple(found))
    return found


# How long one answer for "now" is kept on a user object, and how many times the register changed
# in this process (bumped by the model's signals, see apps.py).
_HELD_FOR = timedelta(seconds=2)
_register_changes = [0]


def register_changed(**_kwargs: Any) -> None:
    """A delegation was saved or deleted: answers kept on user objects are no longer used."""
    _register_changes[0] += 1


def _in_force_of(user: Any, at: datetime) -> list[Delegation]:
    qs = Delegation.objects.filter(_in_force(at), deputy=user).select_related("principal")
    return list(qs.order_by("-created_at", "-id"))


def active_delegation(
    user: Any, service_code: str, at: datetime | None = None, *, office_id: int | None = None
) -> Delegation | None:
    """The delegation under which `user` may act for the camat (of `office_id`, if given) on
    `service_code` at `at`, if any."""
    for delegation in delegations_in_force(user, at=at):
        if office_id is not None and delegation.office_id != office_id:
            continue
        if delegation.covers(service_code):
            return delegation
    return None


def deputy_scopes(user: Any) -> list[list[str]]:
    """The services of each delegation naming `user` deputy now (an empty list: every service)."""
    return [list(delegation.services) for delegation in delegations_in_force(user)]


def delegations_for(user: Any) -> QuerySet[Delegation]:
    """The delegations `user` may read: all (admin), given or received (camat), received (others)."""
    qs = Delegation.objects.select_related("principal", "deputy", "created_by", "ended_by")
    roles = user_roles(user)
    if RoleCode.ADMIN in roles:
        return qs.order_by("-starts_on", "-id")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(Q(principal=user) | Q(deputy=user)).order_by("-starts_on", "-id")


def delegation_state(delegation: Delegation, *, at: datetime | None = None) -> str:
    """ "active", "upcoming", "ended" (early, by someone) or "past"."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    if delegation.ended_at is not None and delegation.ended_at <= at:
        return "ended"
    if delegation.ends_on < day:
        return "past"
    if delegation.starts_on > day:
        return "upcoming"
    return "active"


def deputy_candidates(office: Any = None) -> QuerySet[Any]:
    """Active users holding sekcam or kasi (posted to `office`, when given): who may be named deputy."""
    user_model = get_user_model()
    qs = user_model.objects.filter(is_active=True, groups__name__in=sorted(DEPUTY_ROLES))
    if office is not None:
        qs = qs.filter(staff_posting__office=office)
    return qs.distinct().order_by("username")


def delegations_for_any() -> QuerySet[Delegation]:
    return Delegation.objects.select_related("principal", "deputy", "created_by", "ended_by")
