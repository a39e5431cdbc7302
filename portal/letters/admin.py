"""Letters in the admin: templates are the administrator's to edit (each save is a new version);
number sequences and issued letters are written by the signing step only, shown read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdmin, ServiceSaveAdmin

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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # What is left once both fields are valid: the code itself, or a classification another
        # service already uses (asked here so the refusal comes back on the form).
        if "service_code" in cleaned and "content" in cleaned:
            problems = services.letter_template_problems(
                service_code=cleaned["service_code"], content=cleaned["content"]
            )
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ServiceSaveAdmin):
    """Saving a template stores a new version (letters keep the version they were printed with)."""

    form = LetterTemplateForm
    list_display = ["service_code", "title", "loaded_at", "source", "sha256"]
    list_filter = ["service_code"]
    readonly_fields = ["sha256", "source", "loaded_at"]
    refusals = (LetterTemplateInvalid,)

    @admin.display(description=_("judul"))
    def title(self, obj: LetterTemplate) -> str:
        return str(obj.content.get("title", "")) if isinstance(obj.content, dict) else ""

    def refusal_message(self, exc: Exception) -> str:
        return " ".join(exc.problems) if isinstance(exc, LetterTemplateInvalid) else str(exc)

    def save_model(self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool) -> None:
        created = services.letter_template_create(
            service_code=obj.service_code, content=obj.content, source=f"admin:{request.user.get_username()}"
        )
        obj.pk, obj.sha256, obj.source, obj.loaded_at = created.pk, created.sha256, created.source, created.loaded_at

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LetterSequence)
class LetterSequenceAdmin(ReadOnlyAdmin):
    list_display = ["service_code", "year", "last_number"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "service_code", "signer_name", "signer_capacity", "issued_at"]
    list_filter = ["service_code", "year", "signer_capacity"]
    search_fields = ["number", "instance__tracking_number"]
