"""The record of each running request moved onto another version of its service: what it was before
(so the move can be undone while nothing new has happened on it) and who moved it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InstanceMigration(models.Model):
    """One move of a request onto another version. `state_before` is the workflow state it had; the
    move may be reverted while the request's last event is still the one the move wrote."""

    instance = models.ForeignKey(
        "ProcessInstance", on_delete=models.CASCADE, related_name="migrations", verbose_name=_("permohonan")
    )
    from_definition = models.ForeignKey(
        "ProcessDefinition", on_delete=models.PROTECT, related_name="+", verbose_name=_("dari versi")
    )
    to_definition = models.ForeignKey(
        "ProcessDefinition", on_delete=models.PROTECT, related_name="+", verbose_name=_("ke versi")
    )
    state_before = models.JSONField(_("keadaan sebelum dipindahkan"))
    serializer_version_before = models.CharField(_("versi format status sebelumnya"), max_length=16)
    migrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("dipindahkan oleh"),
    )  # fmt: skip
    migrated_at = models.DateTimeField(_("waktu dipindahkan"))
    migrated_seq = models.PositiveIntegerField(_("nomor peristiwa pemindahan"))
    # The request's last event once the move was written: a later event means something new happened.
    head_seq = models.PositiveIntegerField(_("nomor peristiwa terakhir"))
    reverted_at = models.DateTimeField(_("waktu dikembalikan"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("dikembalikan oleh"),
    )  # fmt: skip

    class Meta:
        ordering = ["-migrated_at", "-id"]
        verbose_name = _("pemindahan versi")
        verbose_name_plural = _("pemindahan versi")

    def __str__(self) -> str:
        return f"{self.instance_id}: {self.from_definition_id} -> {self.to_definition_id}"
