"""Writes for accounts: demo users and role groups, API tokens, deactivation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import NotFound
from portal.core.hashing import sha256_hex

from .enums import RoleCode
from .models import ApiToken
from .selectors import api_tokens_active

# A user holds at most this many working tokens: a new one beyond it ends the oldest.
MAX_ACTIVE_TOKENS = 20
# Ended tokens stay this long as a record of who held which, then go.
ENDED_TOKENS_KEPT = timedelta(days=90)
# last_used_at is written at most this often, so an API call rarely writes to the database.
LAST_USED_RESOLUTION = timedelta(minutes=5)

DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("loket1", "Rina Loket", [RoleCode.LOKET]),
    ("kasi1", "Budi Kasi Pelayanan", [RoleCode.KASI]),
    ("sekcam1", "Sri Sekcam", [RoleCode.SEKCAM]),
    ("camat1", "Ahmad Camat", [RoleCode.CAMAT]),
    ("loket_sepaku", "Wayan Loket Sepaku", [RoleCode.LOKET]),
    ("kasi_sepaku", "Maria Kasi Sepaku", [RoleCode.KASI]),
    ("sekcam_sepaku", "Hendra Sekcam Sepaku", [RoleCode.SEKCAM]),
    ("camat_sepaku", "Yusuf Camat Sepaku", [RoleCode.CAMAT]),
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


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the client once; only its hash is stored


def api_token_issue(*, user: Any, label: str = "", user_agent: str = "", now: datetime | None = None) -> IssuedToken:
    """A new API token for `user`, valid for PATEN_TOKEN_HOURS; the key is returned this once."""
    now = now or timezone.now()
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.filter(
            Q(revoked_at__lt=now - ENDED_TOKENS_KEPT) | Q(expires_at__lt=now - ENDED_TOKENS_KEPT), user=user
        ).delete()
        token = ApiToken.objects.create(
            user=user, key_hash=sha256_hex(key), prefix=key[:6], label=str(label)[:100],
            user_agent=str(user_agent)[:200], created_at=now,
            expires_at=now + timedelta(hours=int(settings.PATEN_TOKEN_HOURS)),
        )  # fmt: skip
        surplus = list(api_tokens_active(user, now=now).values_list("pk", flat=True)[MAX_ACTIVE_TOKENS:])
        ApiToken.objects.filter(pk__in=surplus).update(revoked_at=now)
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, user: Any, token_id: int, now: datetime | None = None) -> ApiToken:
    """End one of the user's own tokens now (NotFound for anyone else's); ending it twice is harmless."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("Token tidak ditemukan."))
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: Any, now: datetime | None = None) -> int:
    """End every token of the user that still works (logging out, deactivation); how many ended."""
    now = now or timezone.now()
    return api_tokens_active(user, now=now).update(revoked_at=now)


def api_token_used(*, token: ApiToken, now: datetime) -> None:
    """Note that the token was used (at most every few minutes, so reads rarely write)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def user_deactivate(*, user: Any, now: datetime | None = None) -> int:
    """The account can no longer log in or use a token (its records stay); returns the tokens ended."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return api_tokens_revoke_all(user=user, now=now)
