"""Writes for accounts: demo users and role groups."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .enums import RoleCode

DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("loket1", "Rina Loket", [RoleCode.LOKET]),
    ("kasi1", "Budi Kasi Pelayanan", [RoleCode.KASI]),
    ("sekcam1", "Sri Sekcam", [RoleCode.SEKCAM]),
    ("camat1", "Ahmad Camat", [RoleCode.CAMAT]),
    ("auditor1", "Dewi Inspektorat", [RoleCode.AUDITOR]),
    ("perancang1", "Yoga Perancang", [RoleCode.PERANCANG]),
    ("warga1", "Siti Warga", [RoleCode.PEMOHON]),
    ("admin", "Administrator", [RoleCode.ADMIN]),
]


@transaction.atomic
def roles_ensure() -> None:
    """Create one group per role code."""
    for code in RoleCode.values:
        Group.objects.get_or_create(name=code)


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[str]:
    """Create or refresh the demo users with `password`; returns their usernames."""
    roles_ensure()
    user_model = get_user_model()
    names = []
    for username, full_name, roles in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.is_staff = username == "admin"
        user.is_superuser = username == "admin"
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        names.append(username)
    return names
