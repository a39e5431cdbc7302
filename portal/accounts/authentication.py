"""`Authorization: Token <key>` for API clients, against the hashed, expiring tokens of models.ApiToken."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken
from .selectors import api_token_for_key
from .services import api_token_used


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (keyword `Token`), our own token rows; every refusal is a 401 that says why."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        now = timezone.now()
        token = api_token_for_key(key) if len(key) <= 200 else None
        if token is None:
            raise AuthenticationFailed(_("Token tidak dikenal. Minta token baru di /api/v1/auth/token/."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("Token ini sudah dicabut. Minta token baru di /api/v1/auth/token/."))
        if token.expires_at <= now:
            raise AuthenticationFailed(_("Token ini sudah kedaluwarsa. Minta token baru di /api/v1/auth/token/."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("Akun ini tidak aktif. Hubungi administrator kecamatan."))
        api_token_used(token=token, now=now)
        return token.user, token
