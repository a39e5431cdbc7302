from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "portal.publication"
    label = "publication"
    verbose_name = _("Publikasi standar pelayanan")
