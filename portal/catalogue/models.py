"""The service catalogue: published standards (versioned), the authority registry, refusals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import AuthorityStatus, ServiceKind


class Service(models.Model):
    """One service the kecamatan lists, whether or not it can be served here."""

    code = models.CharField(_("kode"), max_length=64, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=16, choices=ServiceKind.choices)
    summary = models.TextField(_("ringkasan"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self) -> str:
        return self.name


class ServiceStandard(models.Model):
    """An immutable version of a service's published standard (PermenPAN-RB 15/2014 + hours)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="standards", verbose_name=_("layanan"))
    version = models.PositiveIntegerField(_("versi"))
    sha256 = models.CharField(_("sidik jari (SHA-256)"), max_length=64)
    content = models.JSONField(_("isi standar"))
    created_at = models.DateTimeField(_("waktu publikasi"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("dipublikasikan oleh"),
    )  # fmt: skip
    is_current = models.BooleanField(_("berlaku"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="standard_service_version_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=models.Q(is_current=True), name="standard_one_current_per_service"
            ),
        ]
        ordering = ["service", "-version"]
        verbose_name = _("standar pelayanan")
        verbose_name_plural = _("standar pelayanan")

    def __str__(self) -> str:
        return f"{self.service.code} v{self.version}"


class AuthorityRule(models.Model):
    """Who decides a service, on what legal basis, from when (the kewenangan registry)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="authority_rules", verbose_name=_("layanan")
    )
    # Empty: the row holds for every kecamatan; a kecamatan's own row overrides it there.
    kecamatan = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("kecamatan"), help_text=_("Kosongkan bila berlaku untuk semua kecamatan."),
    )  # fmt: skip
    status = models.CharField(_("kewenangan"), max_length=16, choices=AuthorityStatus.choices)
    office = models.CharField(_("instansi"), max_length=200, blank=True)
    legal_basis_number = models.CharField(_("dasar hukum (nomor)"), max_length=300, blank=True)
    legal_basis_date = models.DateField(_("tanggal dasar hukum"), null=True, blank=True)
    in_force_from = models.DateField(_("berlaku sejak"))
    in_force_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    note = models.TextField(_("catatan untuk pemohon"), blank=True)

    class Meta:
        ordering = ["service", "-in_force_from"]
        indexes = [models.Index(fields=["service", "in_force_from"])]
        verbose_name = _("kewenangan")
        verbose_name_plural = _("registri kewenangan")

    def __str__(self) -> str:
        return f"{self.service.code}: {self.status} ({self.in_force_from})"


class RefusedRequest(models.Model):
    """A request turned away because the service is not available here: evidence for a new Perbup."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="refusals", verbose_name=_("layanan"))
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("kecamatan"),
    )  # fmt: skip
    at = models.DateTimeField(_("waktu"))
    month = models.DateField(_("bulan"), db_index=True)  # first day of the month, office time
    rule = models.ForeignKey(
        AuthorityRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("aturan kewenangan"),
    )  # fmt: skip
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("petugas"),
    )  # fmt: skip

    class Meta:
        ordering = ["-at"]
        verbose_name = _("permohonan yang ditolak")
        verbose_name_plural = _("permohonan yang ditolak")


class ServiceDeclaration(models.Model):
    """A kecamatan's maklumat pelayanan and general service hours (its latest row is published)."""

    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("kecamatan"),
    )  # fmt: skip
    sha256 = models.CharField(_("sidik jari (SHA-256)"), max_length=64)
    content = models.JSONField(_("isi maklumat"))
    created_at = models.DateTimeField(_("waktu dimuat"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("maklumat pelayanan")
        verbose_name_plural = _("maklumat pelayanan")
