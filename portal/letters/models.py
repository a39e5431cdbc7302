"""Letters the signing step issues: their templates, per-service number sequences and the issued letters.

An issued letter's PDF lives on disk under PATEN_LETTERS_DIR; the row keeps its path and sha256
so that anyone can check a copy against the public verification page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import SignerCapacity


class LetterTemplate(models.Model):
    """One immutable version of a service's `<code>.letter.yaml`; the row of a service stored last is used."""

    service_code = models.CharField(_("kode layanan"), max_length=64, db_index=True)
    sha256 = models.CharField(_("sidik jari sumber"), max_length=64)
    content = models.JSONField(_("isi templat"))
    source = models.CharField(_("asal"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("waktu dimuat"))

    class Meta:
        ordering = ["service_code", "-id"]
        indexes = [models.Index(fields=["service_code", "-id"], name="letter_template_latest")]
        verbose_name = _("templat surat")
        verbose_name_plural = _("templat surat")

    def __str__(self) -> str:
        return f"{self.service_code} ({self.loaded_at:%Y-%m-%d %H:%M})"


class LetterSequence(models.Model):
    """The last number an office gave to a letter of a service in a year; the row is locked while issuing."""

    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    service_code = models.CharField(_("kode layanan"), max_length=64)
    year = models.PositiveIntegerField(_("tahun"))
    last_number = models.PositiveIntegerField(_("nomor terakhir"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service_code", "year"], name="letter_sequence_office_service_year_unique"
            )
        ]
        ordering = ["office", "service_code", "year"]
        verbose_name = _("urutan nomor surat")
        verbose_name_plural = _("urutan nomor surat")

    def __str__(self) -> str:
        return f"{self.service_code} {self.year}: {self.last_number}"


class Letter(models.Model):
    """A letter issued when a signing step completed; never changed afterwards."""

    instance = models.ForeignKey(
        "workflow.ProcessInstance", on_delete=models.PROTECT, related_name="letters", verbose_name=_("permohonan")
    )
    # The signing step. Once the request is archived the step lives on in workflow.HumanTaskHistory under
    # the same id, so the column is kept as it is, without a database constraint to the hot table.
    human_task = models.ForeignKey(
        "workflow.HumanTask",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="letters",
        verbose_name=_("langkah penandatanganan"),
    )
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.PROTECT, related_name="letters", verbose_name=_("templat surat")
    )
    # The issuing office (the request's): each office numbers its own letters.
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    service_code = models.CharField(_("kode layanan"), max_length=64)
    year = models.PositiveIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("nomor urut"))
    number = models.CharField(_("nomor surat"), max_length=100, unique=True)
    title = models.CharField(_("jenis dokumen"), max_length=200)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("penanda tangan")
    )
    signer_name = models.CharField(_("nama penanda tangan"), max_length=200)
    signer_capacity = models.CharField(_("kapasitas penanda tangan"), max_length=16, choices=SignerCapacity.choices)
    signature_lines = models.JSONField(_("baris jabatan"), default=list)
    issued_at = models.DateTimeField(_("waktu terbit"))
    # What the letter prints, fixed at signing; the PDF is drawn from it after the signing
    # command has committed (outside the instance lock), then sha256 and file_path are set.
    document = models.JSONField(_("isi surat"), default=dict)
    rendered_at = models.DateTimeField(_("waktu PDF dibuat"), null=True, blank=True)
    sha256 = models.CharField(_("sidik jari (SHA-256)"), max_length=64, blank=True)
    file_path = models.CharField(_("berkas"), max_length=300, blank=True)
    verification_token = models.CharField(_("token verifikasi"), max_length=64, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service_code", "year", "sequence"], name="letter_office_sequence_unique"
            ),
            models.UniqueConstraint(fields=["human_task"], name="letter_one_per_signing_step"),
        ]
        ordering = ["-issued_at", "-id"]
        verbose_name = _("surat")
        verbose_name_plural = _("surat")

    def __str__(self) -> str:
        return self.number
