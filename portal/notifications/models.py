"""Messages to applicants and officers, written with the command and sent after it by a worker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import NotificationKind, NotificationStatus


class Notification(models.Model):
    instance = models.ForeignKey(
        "workflow.ProcessInstance", on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("permohonan"),
    )  # fmt: skip
    kind = models.CharField(_("jenis"), max_length=16, choices=NotificationKind.choices)
    # What makes this message unique for its instance (e.g. the human task it is about), so a
    # command run twice never notifies twice.
    key = models.CharField(_("kunci"), max_length=100, blank=True)
    channel = models.CharField(_("saluran"), max_length=16)
    recipient = models.CharField(_("penerima"), max_length=200)
    subject = models.CharField(_("perihal"), max_length=200)
    body = models.TextField(_("isi pesan"))
    status = models.CharField(
        _("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("jumlah percobaan"), default=0)
    last_error = models.TextField(_("kesalahan terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "kind", "key", "channel", "recipient"], name="notification_once"
            )
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
