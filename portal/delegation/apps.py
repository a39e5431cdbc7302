from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationConfig(AppConfig):
    name = "portal.delegation"
    label = "delegation"
    verbose_name = _("Pelimpahan tanda tangan")

    def ready(self) -> None:
        # The workflow core asks who may act for the camat through its hooks.
        from django.db.models.signals import post_delete, post_save

        from portal.workflow.hooks import register

        from .models import Delegation
        from .selectors import active_delegation, deputy_scopes, register_changed

        register(deputy_for=active_delegation, deputy_scopes=deputy_scopes)
        post_save.connect(register_changed, sender=Delegation, dispatch_uid="delegation-register-changed")
        post_delete.connect(register_changed, sender=Delegation, dispatch_uid="delegation-register-changed-delete")
