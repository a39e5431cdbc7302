"""Admin of the survey: the elements and grade intervals (data the regulation can change), and the
responses, read-only, with the index of the responses listed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from . import selectors
from .models import SurveyAnswer, SurveyElement, SurveyGrade, SurveyResponse


@admin.register(SurveyElement)
class SurveyElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position", "is_active")
    ordering = ("position", "code")


@admin.register(SurveyGrade)
class SurveyGradeAdmin(admin.ModelAdmin):
    list_display = ("grade", "label", "lower", "upper")


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    can_delete = False
    readonly_fields = ("element", "score")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("instance", "service_code", "submitted_at", "via")
    list_filter = ("service_code", ("submitted_at", admin.DateFieldListFilter))
    readonly_fields = ("instance", "service_code", "submitted_at", "suggestion", "via")
    inlines = [SurveyAnswerInline]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        service = request.GET.get("service_code__exact") or None
        extra = {**(extra_context or {}), "ikm_summary": selectors.ikm_summary(service_code=service)}
        return super().changelist_view(request, extra_context=extra)  # type: ignore[return-value]
