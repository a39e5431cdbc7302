"""Who holds which role. Roles are Django groups named by role code."""

from __future__ import annotations

from typing import Any

from .enums import OFFICER_ROLES, RoleCode


def user_roles(user: Any) -> frozenset[str]:
    """Role codes held by `user`; cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_paten_roles", None)
    if cached is not None:
        return frozenset(cached)
    roles = set(user.groups.values_list("name", flat=True)) & set(RoleCode.values)
    if user.is_superuser:
        roles.add(RoleCode.ADMIN)
    user._paten_roles = frozenset(roles)
    return frozenset(roles)


def is_officer(user: Any) -> bool:
    return bool(user_roles(user) & OFFICER_ROLES)


def can_read_any_request(user: Any) -> bool:
    return bool(user_roles(user) & (OFFICER_ROLES | {RoleCode.AUDITOR, RoleCode.ADMIN}))
