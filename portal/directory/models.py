"""Reference data of the regency: its kecamatan (offices), their villages, and which office each
member of staff works in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.storage import LETTERS, file_storage


def emblem_storage() -> Storage:
    return file_storage(LETTERS)


class Office(models.Model):
    """A kecamatan: the office that receives its villages' requests, with what its letters print.

    Staff, the camat's delegations, letter numbering, calendar days and authority rows belong to
    one office; the profile below is the letterhead, the receipt and the public page.
    """

    code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)  # 64.09.03
    name = models.CharField(_("nama kecamatan"), max_length=100, unique=True)  # Babulu
    slug = models.SlugField(_("nama singkat di alamat web"), max_length=40, unique=True)
    # In letter numbers: 470/0001/KEC-BBL/XII/2026.
    short = models.CharField(_("kode surat"), max_length=16, unique=True)
    regency = models.CharField(
        _("pemerintah daerah"), max_length=200, default="PEMERINTAH KABUPATEN PENAJAM PASER UTARA"
    )
    address = models.CharField(_("alamat kantor"), max_length=300, blank=True)
    city = models.CharField(_("tempat surat"), max_length=100, help_text=_("Tempat di atas tanggal surat."))
    phone = models.CharField(_("telepon kantor"), max_length=40, blank=True)
    email = models.EmailField(_("surel kantor"), blank=True)
    # Printed at the left of the letterhead; kept beside the letters (never under a public URL).
    emblem = models.FileField(
        _("lambang daerah"), upload_to="kop/", blank=True, storage=emblem_storage,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])], help_text=_("PNG atau JPEG, persegi."),
    )  # fmt: skip
    head_name = models.CharField(_("nama camat"), max_length=200, blank=True)
    head_nip = models.CharField(_("NIP camat"), max_length=18, blank=True)
    deputy_title = models.CharField(_("jabatan sekcam"), max_length=100, default="Sekretaris Kecamatan")
    # Applicants from other kecamatan may bring their request here (where the regency allows it).
    accepts_other_villages = models.BooleanField(_("menerima pemohon dari kecamatan lain"), default=False)
    is_active = models.BooleanField(_("melayani PATEN"), default=True)
    # Set by every change to the office's calendar (its own days, the regency's, Ramadan hours): a
    # command reads it with the request and reuses a calendar read at the same moment. A moment, not
    # a counter: a restored backup or a rolled-back change never names two different calendars alike.
    calendar_changed_at = models.DateTimeField(_("kalender kerja diubah"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name

    @property
    def camat_title(self) -> str:
        return f"Camat {self.name}"

    def letterhead(self) -> dict[str, Any]:
        """What letters and receipts print at their head and foot, as plain values."""
        return {
            "regency": self.regency,
            "district": f"KECAMATAN {self.name.upper()}",
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "city": self.city,
            "camat_title": self.camat_title,
            "deputy_title": self.deputy_title,
            "head_name": self.head_name,
            "head_nip": self.head_nip,
            "short": self.short,
            "emblem": self.emblem.name or "",
            "office_code": self.code,
        }


class Village(models.Model):
    """A desa or kelurahan; its requests go to its kecamatan."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="villages", verbose_name=_("kecamatan"))
    code = models.CharField(_("kode Kemendagri"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, default="desa")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="village_name_in_office_unique")]
        verbose_name = _("desa/kelurahan")
        verbose_name_plural = _("desa/kelurahan")

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """Where a member of staff works: one office, or (office left empty) the whole regency.

    Officers (loket, kasi, sekcam, camat) see and act on their office's requests only; an officer
    without a row sees none. A regency-level account (auditor, designer, the regency's own staff)
    reads every office's requests.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_posting", verbose_name=_("pengguna")
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        verbose_name=_("kecamatan"), help_text=_("Kosongkan untuk pegawai tingkat kabupaten."),
    )  # fmt: skip
    position = models.CharField(_("jabatan"), max_length=100, blank=True)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)

    class Meta:
        ordering = ["office__name", "user__username"]
        verbose_name = _("penempatan pegawai")
        verbose_name_plural = _("penempatan pegawai")

    def __str__(self) -> str:
        return f"{self.user} @ {self.office or '-'}"
