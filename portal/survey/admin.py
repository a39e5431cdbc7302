"""Admin of the survey: the elements and grade intervals (data the regulation can change), and the
responses, read-only, with the index of the responses listed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from portal.core.admin import ReadOnlyAdmin, ReadOnlyInline

from . import selectors
from .models import SurveyAnswer, SurveyElement, SurveyGrade, SurveyResponse


@admin.register(SurveyElement)
class SurveyElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position", "is_active")
    ordering = ("position", "code")


@admin.register(SurveyGrade)
class SurveyGradeAdmin(admin.ModelAdmin):
    list_display = ("grade", "label", "lower", "upper")


class SurveyAnswerInline(ReadOnlyInline):
    model = SurveyAnswer
    fields = ("element", "score")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ("instance", "service_code", "submitted_at", "via")
    list_filter = ("service_code", ("submitted_at", admin.DateFieldListFilter))
    inlines = [SurveyAnswerInline]
    date_hierarchy = "submitted_at"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        service = request.GET.get("service_code__exact") or None
        extra = {**(extra_context or {}), "ikm_summary": selectors.ikm_summary(service_code=service)}
        return super().changelist_view(request, extra_context=extra)  # type: ignore[return-value]
