from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import RequirementCheck, RequirementDocument


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the services only (each write is an audit event)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RequirementDocument)
class RequirementDocumentAdmin(_ReadOnlyAdmin):
    list_display = ["instance", "requirement_code", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["instance__tracking_number", "requirement_code", "sha256"]
    readonly_fields = [f.name for f in RequirementDocument._meta.fields]


@admin.register(RequirementCheck)
class RequirementCheckAdmin(_ReadOnlyAdmin):
    list_display = ["instance", "requirement_code", "status", "checked_by", "checked_at"]
    list_filter = ["status"]
    search_fields = ["instance__tracking_number", "requirement_code"]
    readonly_fields = [f.name for f in RequirementCheck._meta.fields]
