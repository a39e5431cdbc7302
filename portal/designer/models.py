"""A designer's drafts: files saved in the portal, never live until deployed from there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    """One saved revision of a file a designer is editing: a service's diagram, a decision table file
    or a shared sub-process. Saving again adds a revision (`number` counts them per file); none is
    ever changed afterwards but for `deployed_version`, set when it is deployed."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("layanan")
        DECISIONS = "decisions", _("tabel keputusan")
        SHARED = "shared", _("sub-proses bersama")

    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("kode"), max_length=64)
    number = models.PositiveIntegerField(_("nomor draf"))
    source = models.TextField(_("isi berkas"))
    sha256 = models.CharField(_("sidik SHA-256"), max_length=64)
    # The live version this draft was started from (None: the file had no version yet).
    based_on = models.PositiveIntegerField(_("berdasarkan versi"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("penyusun"),
    )  # fmt: skip
    author_name = models.CharField(_("nama penyusun"), max_length=150, blank=True)
    saved_at = models.DateTimeField(_("waktu simpan"))
    note = models.TextField(_("catatan"), blank=True)
    deployed_version = models.PositiveIntegerField(_("dipasang sebagai versi"), null=True, blank=True)
    deployed_at = models.DateTimeField(_("waktu pemasangan"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "number"], name="draft_kind_code_number_unique"),
        ]
        ordering = ["kind", "code", "-number"]
        verbose_name = _("draf rancangan")
        verbose_name_plural = _("draf rancangan")

    def __str__(self) -> str:
        return f"{self.kind}/{self.code} draf {self.number}"

    @property
    def filename(self) -> str:
        """The name a deploy knows the file by (its kind told by folder and extension)."""
        if self.kind == self.Kind.DECISIONS:
            return f"decisions/{self.code}.dmn"
        if self.kind == self.Kind.SHARED:
            return f"shared/{self.code}.bpmn"
        return f"{self.code}.bpmn"
