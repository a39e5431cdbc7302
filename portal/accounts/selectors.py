"""Who holds which role (roles are Django groups named by role code), and which API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from portal.core.hashing import sha256_hex
from portal.core.prepared import PreparedQuery

from .enums import OFFICER_ROLES, RoleCode
from .models import ApiToken

# Read on every command and page: compiled once.
_GROUPS_OF_USER: PreparedQuery[Group] = PreparedQuery(lambda key: Group.objects.filter(user=key).only("name"))


def user_roles(user: Any) -> frozenset[str]:
    """Role codes held by `user`; cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_paten_roles", None)
    if cached is not None:
        return frozenset(cached)
    roles = {group.name for group in _GROUPS_OF_USER.all(user.pk)} & set(RoleCode.values)
    if user.is_superuser:
        roles.add(RoleCode.ADMIN)
    user._paten_roles = frozenset(roles)
    return frozenset(roles)


def is_officer(user: Any) -> bool:
    return bool(user_roles(user) & OFFICER_ROLES)


def can_read_any_request(user: Any) -> bool:
    return bool(user_roles(user) & (OFFICER_ROLES | {RoleCode.AUDITOR, RoleCode.ADMIN}))


def api_tokens_active(user: Any, *, now: datetime) -> QuerySet[ApiToken]:
    """The user's tokens that still work at `now`, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).order_by(
        "-created_at", "-pk"
    )


def api_token_for_key(key: str) -> ApiToken | None:
    """The token whose key is `key` (ended or not), with its user; None for a key never issued."""
    return ApiToken.objects.select_related("user").filter(key_hash=sha256_hex(key)).first()
