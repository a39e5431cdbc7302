from django.apps import AppConfig


class DelegationConfig(AppConfig):
    name = "portal.delegation"
    label = "delegation"
    verbose_name = "Pelimpahan tanda tangan"
