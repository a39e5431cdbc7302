"""Login tries, kept a short while so password guessing is slowed down on every web process."""

from __future__ import annotations

from django.db import models


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150, db_index=True)  # as typed, lower-cased
    client_ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
