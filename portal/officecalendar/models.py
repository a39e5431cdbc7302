"""Decisions that change the office's working days: per-date overrides and each year's Ramadan dates."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engine.workcal import MAX_RAMADAN_DAYS, DayOverride, OfficeHours, RamadanPeriod


class CalendarOverride(models.Model):
    """One date the office opens or closes against the schedule and the holiday list."""

    # Empty: every office of the regency (a regional holiday, a changed cuti bersama).
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("kecamatan"), help_text=_("Kosongkan bila berlaku untuk semua kecamatan."),
    )  # fmt: skip
    day = models.DateField(_("tanggal"))
    open = models.BooleanField(_("kantor buka"))
    opens_at = models.TimeField(
        _("jam buka"), null=True, blank=True, help_text=_("WITA. Kosongkan keduanya untuk jam kerja biasa.")
    )
    closes_at = models.TimeField(_("jam tutup"), null=True, blank=True, help_text=_("WITA."))
    reason = models.CharField(
        _("alasan dan dasar"), max_length=300, help_text=_("Mis. nomor SKB yang mengubah cuti bersama, acara daerah.")
    )
    # Who set the decision now in force for this date, and when (a later change replaces both).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("ditetapkan oleh"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("waktu ditetapkan"), default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day"], name="calendar_override_office_day_unique"),
            models.UniqueConstraint(
                fields=["day"], condition=models.Q(office__isnull=True), name="calendar_override_regency_day_unique"
            ),
        ]
        verbose_name = _("perubahan hari kerja")
        verbose_name_plural = _("perubahan hari kerja")

    def __str__(self) -> str:
        return f"{self.day}: {'buka' if self.open else 'tutup'}"

    def clean(self) -> None:
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Isi jam buka dan jam tutup bersama-sama, atau kosongkan keduanya."))
        if not self.open and self.opens_at is not None:
            raise ValidationError(_("Hari kantor tutup tidak memiliki jam kerja."))
        if self.opens_at is not None and self.closes_at is not None and self.opens_at >= self.closes_at:
            raise ValidationError(_("Jam buka harus sebelum jam tutup."))

    def as_override(self) -> DayOverride:
        """The row as the engine's DayOverride."""
        # Hours count only on an open day with both times (clean() refuses other mixes; a row
        # written around it must not stop every deadline from being computed).
        opens, closes = self.opens_at, self.closes_at
        hours = (opens, closes) if self.open and opens is not None and closes is not None else None
        return DayOverride(self.day, self.open, hours, self.reason)


class RamadanHours(models.Model):
    """The days of one Ramadan on which the office keeps the shorter Ramadan hours (settings)."""

    hijri_year = models.PositiveIntegerField(_("tahun Hijriah"), unique=True, help_text=_("Mis. 1447."))
    start = models.DateField(_("mulai"), help_text=_("1 Ramadan menurut sidang isbat."))
    end = models.DateField(_("sampai"), help_text=_("Hari terakhir jam kerja Ramadan (termasuk)."))
    decree = models.CharField(_("dasar"), max_length=300, blank=True, help_text=_("Surat edaran jam kerja Ramadan."))

    class Meta:
        ordering = ["-hijri_year"]
        verbose_name = _("jam kerja Ramadan")
        verbose_name_plural = _("jam kerja Ramadan")

    def __str__(self) -> str:
        return f"Ramadan {self.hijri_year} H ({self.start} - {self.end})"

    def clean(self) -> None:
        if self.start is None or self.end is None:
            return
        if self.start > self.end:
            raise ValidationError(_("Tanggal mulai harus sebelum tanggal selesai."))
        if (self.end - self.start).days + 1 > MAX_RAMADAN_DAYS:
            raise ValidationError(_("Ramadan paling lama %(n)d hari.") % {"n": MAX_RAMADAN_DAYS})
        overlapping = RamadanHours.objects.filter(start__lte=self.end, end__gte=self.start).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("Tanggal ini bertumpang tindih dengan Ramadan tahun lain."))

    def as_period(self, hours: OfficeHours) -> RamadanPeriod:
        """The row as the engine's RamadanPeriod with the given hours."""
        return RamadanPeriod(self.start, self.end, hours)
