from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .errors import LetterTemplateInvalid
from .models import Letter, LetterSequence, LetterTemplate
from .templating import template_problems


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["service_code", "content"]

    def clean_content(self) -> Any:
        content = self.cleaned_data["content"]
        problems = template_problems(content)
        if problems:
            raise forms.ValidationError(problems)
        return content


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Saving a template stores a new version (letters keep the version they were printed with)."""

    form = LetterTemplateForm
    list_display = ["service_code", "title", "loaded_at", "source", "sha256"]
    list_filter = ["service_code"]
    readonly_fields = ["sha256", "source", "loaded_at"]

    @admin.display(description=_("judul"))
    def title(self, obj: LetterTemplate) -> str:
        return str(obj.content.get("title", "")) if isinstance(obj.content, dict) else ""

    def save_model(self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool) -> None:
        try:
            created = services.letter_template_create(
                service_code=obj.service_code, content=obj.content, source=f"admin:{request.user.get_username()}"
            )
        except LetterTemplateInvalid as exc:
            # The form already checked the content; what is left is a clash with another service.
            raise forms.ValidationError(exc.problems) from exc
        obj.pk, obj.sha256, obj.source, obj.loaded_at = created.pk, created.sha256, created.source, created.loaded_at

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LetterSequence)
class LetterSequenceAdmin(admin.ModelAdmin):
    list_display = ["service_code", "year", "last_number"]
    readonly_fields = [f.name for f in LetterSequence._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "service_code", "signer_name", "signer_capacity", "issued_at"]
    list_filter = ["service_code", "year", "signer_capacity"]
    search_fields = ["number", "instance__tracking_number"]
    readonly_fields = [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
