"""Requirement documents and checks in the admin, read-only: they are written by the services only
(each write is an audit event)."""

from __future__ import annotations

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import RequirementCheck, RequirementDocument


@admin.register(RequirementDocument)
class RequirementDocumentAdmin(ReadOnlyAdmin):
    list_display = ["instance", "requirement_code", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["instance__tracking_number", "requirement_code", "sha256"]


@admin.register(RequirementCheck)
class RequirementCheckAdmin(ReadOnlyAdmin):
    list_display = ["instance", "requirement_code", "status", "checked_by", "checked_at"]
    list_filter = ["status"]
    search_fields = ["instance__tracking_number", "requirement_code"]
