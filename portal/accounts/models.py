"""Accounts are Django's users; roles are groups named by role code (enums.RoleCode).

The one model of its own: the API tokens a user holds, kept as hashes, each with an expiry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One token of `Authorization: Token <key>`; only the SHA-256 of the key is stored.

    A token works until `expires_at` unless revoked earlier (its owner revoked it, logged out, or
    an administrator deactivated the account). Ended tokens are kept a while as a record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("pengguna")
    )
    key_hash = models.CharField(_("sidik kunci (SHA-256)"), max_length=64, unique=True)
    # The first characters of the key, so its owner can tell their tokens apart in the list.
    prefix = models.CharField(_("awal kunci"), max_length=8)
    label = models.CharField(_("label"), max_length=100, blank=True)
    user_agent = models.CharField(_("aplikasi klien"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        indexes = [models.Index(fields=["user", "expires_at"], name="apitoken_user_expires")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
