"""Role codes. Lane roles come from the engine; the rest exist only in the portal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    PEMOHON = "pemohon", _("Pemohon")
    LOKET = "loket", _("Petugas loket")
    KASI = "kasi", _("Kepala seksi")
    SEKCAM = "sekcam", _("Sekretaris kecamatan")
    CAMAT = "camat", _("Camat")
    PERANCANG = "perancang", _("Perancang proses")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


OFFICER_ROLES = frozenset({RoleCode.LOKET, RoleCode.KASI, RoleCode.SEKCAM, RoleCode.CAMAT})


def role_label(code: str) -> str:
    """The name of a role as people read it ("Kepala seksi"); empty for a code that is not a role."""
    return str(RoleCode(code).label) if code in RoleCode.values else ""
