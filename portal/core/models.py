"""Tries counted by the throttle (logins, tracking PINs, anonymous submissions, uploads), kept a short
while, and the lockouts they caused, kept as a record of attacks and of who lifted them.

Tables rather than a cache, so every web process on every machine counts the same tries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import AttemptScope, LockoutTarget


class Attempt(models.Model):
    """One try at something limited; a failure until the caller marks it a success."""

    scope = models.CharField(_("jenis"), max_length=16, choices=AttemptScope.choices)
    # What is tried: the username (lower case) or tracking number as typed; empty when only the address counts.
    key = models.CharField(_("kunci"), max_length=150, blank=True)
    client_ip = models.CharField(_("alamat IP"), max_length=45, blank=True)
    at = models.DateTimeField(_("waktu"), db_index=True)
    succeeded = models.BooleanField(_("berhasil"), default=False)
    # 1 for a try; the bytes stored, for an upload budget.
    weight = models.PositiveBigIntegerField(_("bobot"), default=1)

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


class Lockout(models.Model):
    """A hold the throttle put on tries after too many failures; lifted early only by an administrator.

    Written when a failure starts or extends the hold (core.throttle); the refusal itself is decided
    from the Attempt rows, so this row is the record: what was held, how long, and who lifted it.
    """

    scope = models.CharField(_("jenis"), max_length=16, choices=AttemptScope.choices)
    target = models.CharField(_("yang dikunci"), max_length=8, choices=LockoutTarget.choices)
    key = models.CharField(_("kunci"), max_length=150, blank=True)
    client_ip = models.CharField(_("alamat IP"), max_length=45, blank=True)
    started_at = models.DateTimeField(_("mulai"))
    until = models.DateTimeField(_("terkunci sampai"), db_index=True)
    failures = models.PositiveIntegerField(_("jumlah kegagalan"))
    cleared_at = models.DateTimeField(_("dibuka pada"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuka oleh"),
    )
    # Kept as text too: the record outlives the account.
    cleared_by_name = models.CharField(_("nama pembuka kunci"), max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "target", "key", "client_ip"], name="lockout_side")]
        ordering = ["-until", "-id"]
        permissions = [("clear_lockout", _("Dapat membuka kunci percobaan"))]
        verbose_name = _("penguncian")
        verbose_name_plural = _("penguncian")

    def __str__(self) -> str:
        side = " ".join(part for part in (self.key, self.client_ip) if part)
        return f"{self.scope} {self.target} {side} {self.until:%Y-%m-%d %H:%M}"
