"""Admin base classes: records written only by the services are shown, never added, changed or
deleted; reference data saved through a service never turns the service's refusal into a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the services write (often an audit record): the admin reads it and nothing more.

    No add form (a form without editable fields would save an empty row and fail), no change form
    (every field is shown read-only), no delete, and no "delete selected" action.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent record, read-only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceSaveAdmin(admin.ModelAdmin):
    """Reference data whose save_model calls a service.

    The form checks what the service would refuse, so bad input comes back on the form. The service
    can still refuse what the form accepted (another administrator saved a clashing row meanwhile):
    save_model lets the exceptions listed in `refusals` propagate, they leave the view's
    transaction (nothing stored, nothing logged) and come back as a message on the same form.
    """

    refusals: tuple[type[Exception], ...] = ()

    def refusal_message(self, exc: Exception) -> str:
        return str(exc)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as exc:
            messages.error(request, self.refusal_message(exc))
            return HttpResponseRedirect(request.get_full_path())
