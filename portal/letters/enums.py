"""Choices of the letters app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignerCapacity(models.TextChoices):
    """In what capacity the signer signs: as the camat, for the camat (a.n.) or as acting camat (Plh.)."""

    CAMAT = "camat", _("Camat")
    ATAS_NAMA = "atas_nama", _("Atas nama Camat")
    PLH = "plh", _("Pelaksana harian Camat")
