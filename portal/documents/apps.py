from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = _("Dokumen persyaratan")

    def ready(self) -> None:
        # A file returned to the applicant lists what is missing, and a failed completeness step is
        # retried with its checklist: the workflow core asks through its hooks.
        from portal.workflow.hooks import register

        from .selectors import missing_requirements_text
        from .services import requirements_mark

        register(
            returned_detail=missing_requirements_text,
            checklist_mark=lambda command, items: requirements_mark(command, items=items),
        )
