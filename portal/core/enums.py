"""Choices of the shared tables: what a counted try was at, and which side of it a lockout holds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptScope(models.TextChoices):
    LOGIN = "login", _("masuk")
    TRACKING = "tracking", _("pelacakan")
    SUBMISSION = "submission", _("pengajuan daring")
    UPLOAD = "upload", _("unggahan")


class LockoutTarget(models.TextChoices):
    """Which tries a hold refuses: the pair (this name or number from this address), the address
    (whatever it tries), or the name or number from every address (the high ceiling)."""

    PAIR = "pair", _("nama/nomor dari alamat ini")
    ADDRESS = "address", _("alamat")
    KEY = "key", _("nama/nomor dari semua alamat")
