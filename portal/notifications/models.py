"""Messages to applicants and officers, written with the command and sent after it by a worker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import NotificationKind, NotificationStatus


class Notification(models.Model):
    instance = models.ForeignKey("workflow.ProcessInstance", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    # What makes this message unique for its instance (e.g. the human task it is about), so a
    # command run twice never notifies twice.
    key = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=16)
    recipient = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "kind", "key", "channel", "recipient"], name="notification_once"
            )
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
