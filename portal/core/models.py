"""Tries counted by the throttle (logins, tracking PINs, anonymous submissions), kept a short while.

A table rather than a cache, so every web process on every machine counts the same tries.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attempt(models.Model):
    """One try at something limited; a failure until the caller marks it a success."""

    scope = models.CharField(_("jenis"), max_length=16)  # throttle.LOGIN.scope, ...
    # What is tried: the username (lower case) or tracking number as typed; empty when only the address counts.
    key = models.CharField(_("kunci"), max_length=150, blank=True)
    client_ip = models.CharField(_("alamat IP"), max_length=45, blank=True)
    at = models.DateTimeField(_("waktu"), db_index=True)
    succeeded = models.BooleanField(_("berhasil"), default=False)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="attempt_scope_key_at"),
            models.Index(fields=["scope", "client_ip", "at"], name="attempt_scope_ip_at"),
        ]
        ordering = ["-at", "-id"]
        verbose_name = _("percobaan")
        verbose_name_plural = _("percobaan")

    def __str__(self) -> str:
        return f"{self.scope} {self.key or self.client_ip} {self.at:%Y-%m-%d %H:%M}"
