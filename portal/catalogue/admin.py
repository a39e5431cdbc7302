from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from .models import AuthorityRule, RefusedRequest, Service, ServiceDeclaration, ServiceStandard
from .services import CatalogueFileError, standard_revise


class AuthorityRuleInline(admin.TabularInline):
    model = AuthorityRule
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    inlines = [AuthorityRuleInline]


@admin.register(AuthorityRule)
class AuthorityRuleAdmin(admin.ModelAdmin):
    list_display = ["service", "status", "office", "legal_basis_number", "in_force_from", "in_force_until"]
    list_filter = ["status"]


class StandardForm(forms.ModelForm):
    content = forms.JSONField(help_text="Isi standar pelayanan (JSON). Menyimpan membuat versi baru.")

    class Meta:
        model = ServiceStandard
        fields = ["service", "content"]


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    """Editing a standard publishes a new version; earlier versions stay as they were."""

    form = StandardForm
    list_display = ["service", "version", "is_current", "created_at", "created_by"]
    list_filter = ["is_current"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["service"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ServiceStandard, form: Any, change: bool) -> None:
        try:
            revised = standard_revise(service=obj.service, content=form.cleaned_data["content"], by=request.user)
        except CatalogueFileError as exc:
            messages.error(request, str(exc))
            return
        obj.pk = revised.pk
        messages.info(request, f"{revised.service.code}: versi {revised.version} dipublikasikan.")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefusedRequest)
class RefusedRequestAdmin(admin.ModelAdmin):
    list_display = ["service", "month", "at", "actor"]
    list_filter = ["service", "month"]
    readonly_fields = ["service", "month", "at", "rule", "actor"]


@admin.register(ServiceDeclaration)
class ServiceDeclarationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "sha256"]

    def content_pretty(self, obj: ServiceDeclaration) -> str:
        return json.dumps(obj.content, ensure_ascii=False, indent=2)
