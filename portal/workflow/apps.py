from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "portal.workflow"
    label = "workflow"
    verbose_name = _("Alur layanan")

    def ready(self) -> None:
        from django.conf import settings

        import engine

        # Diagram code that could loop or allocate runs in a child process within these bounds.
        engine.configure_sandbox(seconds=settings.PATEN_SCRIPT_SECONDS, memory_mb=settings.PATEN_SCRIPT_MEMORY_MB)
