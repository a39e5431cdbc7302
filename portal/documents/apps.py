from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = _("Dokumen persyaratan")

    def ready(self) -> None:
        # A file returned to the applicant lists what is missing: the workflow core asks through its hook.
        from portal.workflow.hooks import register

        from .selectors import missing_requirements_text

        register(returned_detail=missing_requirements_text)
