"""Reference data: the villages (desa) of the kecamatan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Village(models.Model):
    code = models.CharField(_("kode Kemendagri"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=100, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, default="desa")

    class Meta:
        ordering = ["code"]
        verbose_name = _("desa")
        verbose_name_plural = _("desa")

    def __str__(self) -> str:
        return self.name
