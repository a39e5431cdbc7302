from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "portal.citizen"
    label = "citizen"
    verbose_name = "Layanan daring pemohon"
