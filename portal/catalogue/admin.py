"""Admin of the catalogue: services, the authority registry and the standards are the administrator's
to edit; refusals and the published declaration are records the services write, shown read-only."""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdmin, ServiceSaveAdmin

from .models import AuthorityRule, RefusedRequest, Service, ServiceDeclaration, ServiceStandard
from .services import CatalogueFileError, standard_check, standard_revise


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
    list_display = [
        "service", "kecamatan", "status", "office", "legal_basis_number", "in_force_from", "in_force_until"
    ]  # fmt: skip
    list_filter = ["status", "kecamatan"]


class StandardForm(forms.ModelForm):
    content = forms.JSONField(
        label=_("isi standar"), help_text=_("Isi standar pelayanan (JSON). Menyimpan membuat versi baru.")
    )

    class Meta:
        model = ServiceStandard
        fields = ["service", "content"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # On a change the service is read-only, so it is not in the form: it is the row's own.
        service = cleaned.get("service") or (self.instance.service if self.instance.service_id else None)
        if service is None or "content" not in cleaned:
            return cleaned
        try:
            # A copy: the check normalises what it reads, and the service checks the content again.
            checked = standard_check(copy.deepcopy(cleaned["content"]), source=service.code)
        except CatalogueFileError as exc:
            self.add_error("content", gettext("Standar ini tidak dapat dipublikasikan: %(problem)s") % {"problem": exc})
            return cleaned
        if checked["code"] != service.code:
            self.add_error(
                "content",
                gettext("Kode dalam standar (%(code)s) harus sama dengan kode layanan (%(service)s).")
                % {"code": checked["code"], "service": service.code},
            )
        return cleaned


@admin.register(ServiceStandard)
class ServiceStandardAdmin(ServiceSaveAdmin):
    """Editing a standard publishes a new version; earlier versions stay as they were."""

    form = StandardForm
    list_display = ["service", "version", "is_current", "created_at", "created_by"]
    list_filter = ["is_current"]
    refusals = (CatalogueFileError,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["service"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ServiceStandard, form: Any, change: bool) -> None:
        revised = standard_revise(service=obj.service, content=form.cleaned_data["content"], by=request.user)
        # The admin's log and redirect name the version the service published, not the unsaved form row.
        obj.pk, obj.version = revised.pk, revised.version
        messages.info(
            request,
            gettext("%(code)s: versi %(version)s dipublikasikan.")
            % {"code": revised.service.code, "version": revised.version},
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefusedRequest)
class RefusedRequestAdmin(ReadOnlyAdmin):
    list_display = ["service", "office", "month", "at", "actor"]
    list_filter = ["service", "office", "month"]


@admin.register(ServiceDeclaration)
class ServiceDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "office", "sha256"]
    fields = ["created_at", "sha256", "content_pretty"]
    readonly_fields = ["content_pretty"]

    @admin.display(description=_("isi maklumat"))
    def content_pretty(self, obj: ServiceDeclaration) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.content, ensure_ascii=False, indent=2))
