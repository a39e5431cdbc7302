from django.apps import AppConfig


class OfficeworkConfig(AppConfig):
    name = "portal.officework"
    verbose_name = "Pekerjaan petugas"
