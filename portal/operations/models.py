"""Heartbeats of the background processes: each sweep's last run and beat's last tick.

The liveness check (`manage.py worker_health`, the admin's home, `tasks.supervise`) reads these rows
to tell a worker or beat that stopped from one that has nothing to do.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

BEAT = "beat"  # the name of beat's own row; the sweeps' rows are named after their Celery task


class Heartbeat(models.Model):
    """One sweep (a Celery task beat sends), or beat itself; updated by every run, never by hand."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    queue = models.CharField(_("antrean"), max_length=50, blank=True)
    # How often beat sends it (written by beat when it starts); empty: not expected on a schedule.
    every_seconds = models.FloatField(_("setiap (detik)"), null=True, blank=True)
    created_at = models.DateTimeField(_("dicatat sejak"))
    started_at = models.DateTimeField(_("terakhir mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terakhir selesai"), null=True, blank=True)
    duration_seconds = models.FloatField(_("lama terakhir (detik)"), null=True, blank=True)
    result = models.CharField(_("hasil terakhir"), max_length=200, blank=True)
    runs = models.PositiveBigIntegerField(_("jumlah jalan"), default=0)
    failures = models.PositiveBigIntegerField(_("jumlah gagal"), default=0)
    last_error = models.TextField(_("kesalahan terakhir"), blank=True)
    failed_at = models.DateTimeField(_("terakhir gagal"), null=True, blank=True)
    host = models.CharField(_("proses terakhir"), max_length=200, blank=True)

    class Meta:
        ordering = ["queue", "name"]
        verbose_name = _("denyut proses latar")
        verbose_name_plural = _("denyut proses latar")

    def __str__(self) -> str:
        return self.name
