"""The designer's drafts in the admin, read-only: they are saved and deployed from /perancang/ only."""

from __future__ import annotations

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import Draft


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = ["kind", "code", "number", "author_name", "saved_at", "based_on", "deployed_version"]
    list_filter = ["kind"]
    search_fields = ["code", "author_name", "note"]
    exclude = ["source"]
