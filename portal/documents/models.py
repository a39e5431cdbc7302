"""Files handed in for a request's requirements, and the counter's check of the checklist.

The files themselves live under settings.PATEN_MEDIA_DIR (never under a public URL); a row keeps
the path relative to it, the detected type and the SHA-256 of the bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import RequirementStatus


class RequirementDocument(models.Model):
    """One uploaded file for one requirement of a request; never changed afterwards."""

    instance = models.ForeignKey(
        "workflow.ProcessInstance", on_delete=models.PROTECT, related_name="documents", verbose_name=_("permohonan")
    )
    requirement_code = models.CharField(_("kode persyaratan"), max_length=64)
    file_path = models.CharField(_("berkas"), max_length=200, unique=True)
    original_name = models.CharField(_("nama berkas asli"), max_length=150)
    content_type = models.CharField(_("jenis berkas"), max_length=50)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(_("sidik jari (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("waktu unggah"))

    class Meta:
        indexes = [models.Index(fields=["instance", "requirement_code"])]
        ordering = ["uploaded_at", "id"]
        verbose_name = _("dokumen persyaratan")
        verbose_name_plural = _("dokumen persyaratan")

    def __str__(self) -> str:
        return f"{self.requirement_code}: {self.original_name}"


class RequirementCheck(models.Model):
    """The counter's finding for one requirement of a request; updated in place, each change logged."""

    instance = models.ForeignKey(
        "workflow.ProcessInstance",
        on_delete=models.PROTECT,
        related_name="requirement_checks",
        verbose_name=_("permohonan"),
    )
    requirement_code = models.CharField(_("kode persyaratan"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=RequirementStatus.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diperiksa oleh"),
    )
    checked_at = models.DateTimeField(_("waktu pemeriksaan"))
    note = models.CharField(_("catatan"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "requirement_code"], name="requirement_check_unique"),
        ]
        ordering = ["instance", "requirement_code"]
        verbose_name = _("pemeriksaan persyaratan")
        verbose_name_plural = _("pemeriksaan persyaratan")

    def __str__(self) -> str:
        return f"{self.requirement_code}: {self.status}"
