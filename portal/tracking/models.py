"""Tries at the public tracking page and API, kept a short while so repeated failures are slowed down.

A table rather than a cache, so every web process on every machine counts the same tries.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackingAttempt(models.Model):
    """One try with a tracking number and a PIN; counts as a failure until the PIN is found right."""

    # As typed (normalised, cut to the field's length): it may name no request at all.
    tracking_number = models.CharField(_("nomor registrasi"), max_length=20)
    client_ip = models.CharField(_("alamat IP"), max_length=45, blank=True)
    at = models.DateTimeField(_("waktu"), db_index=True)
    succeeded = models.BooleanField(_("berhasil"), default=False)

    class Meta:
        indexes = [
            models.Index(fields=["tracking_number", "at"], name="tracking_attempt_number_at"),
            models.Index(fields=["client_ip", "at"], name="tracking_attempt_ip_at"),
        ]
        ordering = ["-at", "-id"]
        verbose_name = _("percobaan pelacakan")
        verbose_name_plural = _("percobaan pelacakan")

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.at:%Y-%m-%d %H:%M}"
