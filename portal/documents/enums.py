"""Status values of the requirement checklist."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    MISSING = "missing", _("Belum ada")


UNCHECKED = "unchecked"
"""Checklist status of a requirement the counter has not checked yet (no RequirementCheck row)."""
