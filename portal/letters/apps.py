from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "portal.letters"
    label = "letters"
    verbose_name = _("Surat")

    def ready(self) -> None:
        # The signing step reaches letters through the hooks the workflow core declares.
        from portal.workflow.hooks import register

        from .services import letter_issue_for_step, letter_render_after_commit

        register(letter_issue=letter_issue_for_step, letter_after_commit=letter_render_after_commit)
