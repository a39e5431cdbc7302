from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationConfig(AppConfig):
    name = "portal.delegation"
    label = "delegation"
    verbose_name = _("Pelimpahan tanda tangan")

    def ready(self) -> None:
        # The workflow core asks who may act for the camat through its hooks.
        from portal.workflow.hooks import register

        from .selectors import active_delegation, deputy_scopes

        register(deputy_for=active_delegation, deputy_scopes=deputy_scopes)
