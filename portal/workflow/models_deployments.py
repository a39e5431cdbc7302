"""The deployments' records: shared files (decision tables, shared sub-processes) and the
hash-chained log of every deployment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import EventType


class DeployedVersion(models.Model):
    """What every deployed version keeps: its number and content's fingerprint, who deployed it, when
    and why, and whether it is the one in use (one per file)."""

    version = models.PositiveIntegerField(_("versi"))
    sha256 = models.CharField(_("sidik SHA-256"), max_length=64)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("dipasang oleh"),
    )  # fmt: skip
    # Who deployed, as named to the deploy command (`--by`): a portal user or an account of the server.
    deployed_by_name = models.CharField(_("nama pemasang"), max_length=150, blank=True)
    deployed_at = models.DateTimeField(_("waktu pemasangan"))
    note = models.TextField(_("catatan pemasangan"), blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        abstract = True


class DefinitionPart(DeployedVersion):
    """One immutable deployed version of a file services use: a decision table file
    (processes/decisions/*.dmn) or a shared sub-process file (processes/shared/*.bpmn). A service's
    version records the parts it was built with and keeps them (ProcessDefinition.parts)."""

    class Kind(models.TextChoices):
        DECISIONS = "decisions", _("tabel keputusan")
        SHARED = "shared", _("sub-proses bersama")

    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("nama berkas"), max_length=64)
    source = models.TextField(_("isi berkas"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "version"], name="part_kind_code_version_unique"),
            models.UniqueConstraint(fields=["kind", "code", "sha256"], name="part_kind_code_sha_unique"),
            models.UniqueConstraint(
                fields=["kind", "code"], condition=models.Q(is_active=True), name="part_one_active_per_code"
            ),
        ]
        ordering = ["kind", "code", "-version"]
        verbose_name = _("berkas bersama")
        verbose_name_plural = _("berkas bersama")

    def __str__(self) -> str:
        return f"{self.kind}/{self.code} v{self.version}"

    @property
    def filename(self) -> str:
        return f"{self.kind}/{self.code}.{'dmn' if self.kind == self.Kind.DECISIONS else 'bpmn'}"


class DefinitionEvent(models.Model):
    """Append-only, hash-chained record of deployments (one chain for all services)."""

    seq = models.PositiveIntegerField(_("nomor urut"), unique=True)
    type = models.CharField(_("jenis"), max_length=32, choices=EventType.choices)
    code = models.CharField(_("kode layanan"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("pelaku"),
    )  # fmt: skip
    actor_username = models.CharField(_("nama pelaku"), max_length=150, blank=True)
    at = models.DateTimeField(_("waktu"))
    payload = models.JSONField(_("isi"), default=dict)
    prev_hash = models.CharField(_("sidik sebelumnya"), max_length=64)
    hash = models.CharField(_("sidik"), max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("peristiwa pemasangan")
        verbose_name_plural = _("peristiwa pemasangan")

    def __str__(self) -> str:
        return f"#{self.seq} {self.code}"
