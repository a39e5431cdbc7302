"""Online submissions without an account, counted per client address so one address cannot flood the counter.

A table rather than a cache, so every web process counts the same submissions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnonymousSubmission(models.Model):
    """One request registered online by someone not logged in."""

    client_ip = models.CharField(_("alamat IP"), max_length=45, blank=True)
    at = models.DateTimeField(_("waktu"))

    class Meta:
        indexes = [models.Index(fields=["client_ip", "at"], name="citizen_submission_ip_at")]
        ordering = ["-at", "-id"]
        verbose_name = _("pengajuan daring tanpa akun")
        verbose_name_plural = _("pengajuan daring tanpa akun")

    def __str__(self) -> str:
        return f"{self.client_ip} {self.at:%Y-%m-%d %H:%M}"
