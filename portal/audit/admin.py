from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdmin

from .models import Checkpoint, RecordView, VerificationRun


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    """Signed checkpoints of the transparency log, as issued."""

    list_display = ["issued_at", "size", "root_hash", "origin"]


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    """Each verification of the log, with what it found."""

    list_display = ["started_at", "trigger", "requests", "events", "leaves", "checkpoints", "clean"]

    @admin.display(boolean=True, description=_("tanpa temuan"))
    def clean(self, run: VerificationRun) -> bool:
        return run.ok


@admin.register(RecordView)
class RecordViewAdmin(ReadOnlyAdmin):
    """Who of the auditors read which citizen's request, and when."""

    list_display = ["at", "viewer_username", "instance", "what"]
    list_filter = ["what"]
    search_fields = ["viewer_username", "instance__tracking_number"]
