"""Choices of the delegation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DelegationKind(models.TextChoices):
    """How the deputy signs: on the camat's behalf (a.n.) or as acting camat (Plh.)."""

    ATAS_NAMA = "an", _("a.n. (atas nama Camat)")
    PLH = "plh", _("Plh. (pelaksana harian Camat)")


class DelegationAction(models.TextChoices):
    CREATED = "delegation_created", _("Pelimpahan dibuat")
    ENDED = "delegation_ended", _("Pelimpahan diakhiri")
