"""Signing delegations: the camat names a deputy for a date range and a set of services.

While a delegation is active the deputy sees, claims and completes the camat's steps of those
services, and the letter says on whose behalf it was signed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DelegationAction, DelegationKind


class Delegation(models.Model):
    # The principal's office: the deputy acts on that office's requests only.
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
        verbose_name=_("pemberi pelimpahan"),
    )  # fmt: skip
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received",
        verbose_name=_("penerima pelimpahan"),
    )  # fmt: skip
    kind = models.CharField(_("jenis"), max_length=8, choices=DelegationKind.choices)
    # Both dates are office (WITA) dates and inclusive.
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"))
    # Service codes covered; empty means every service.
    services = models.JSONField(_("layanan"), default=list, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("dibuat oleh"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("dibuat"))
    ended_at = models.DateTimeField(_("diakhiri"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("diakhiri oleh"),
    )  # fmt: skip

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["deputy", "starts_on", "ends_on"])]
        verbose_name = _("pelimpahan tanda tangan")
        verbose_name_plural = _("pelimpahan tanda tangan")

    def __str__(self) -> str:
        return f"{self.principal_id}->{self.deputy_id} {self.kind} {self.starts_on}..{self.ends_on}"

    def covers(self, service_code: str) -> bool:
        return not self.services or service_code in self.services


class DelegationRecord(models.Model):
    """Audit trail of the register: who created or ended which delegation, when."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, related_name="records", verbose_name=_("pelimpahan")
    )
    action = models.CharField(_("tindakan"), max_length=32, choices=DelegationAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("pelaku"),
    )  # fmt: skip
    actor_username = models.CharField(_("nama pengguna pelaku"), max_length=150, blank=True)
    at = models.DateTimeField(_("waktu"))
    payload = models.JSONField(_("isi"), default=dict)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("catatan pelimpahan")
        verbose_name_plural = _("catatan pelimpahan")
