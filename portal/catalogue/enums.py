"""Values of the service catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    PERIZINAN = "perizinan", _("Perizinan")
    NON_PERIZINAN = "non_perizinan", _("Non-perizinan")


class AuthorityStatus(models.TextChoices):
    DELEGATED = "delegated", _("Dilimpahkan kepada camat")
    FORWARDED = "forwarded", _("Diterima di kecamatan, diputuskan instansi kabupaten")
    NOT_AVAILABLE = "not_available", _("Tidak dapat dilayani di kecamatan")
