"""Admin base classes: records written only by the services are shown, never added, changed or
deleted; reference data saved through a service never turns the service's refusal into a 500.
Also the throttle's records: tries, and lockouts an administrator may lift (recorded, never deleted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import throttle
from .models import Attempt, Lockout


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


# --- the throttle's records ------------------------------------------------------------------------


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["scope", "key", "client_ip", "at", "succeeded", "weight"]
    list_filter = ["scope", "succeeded"]
    search_fields = ["key", "client_ip"]


class LockoutStateFilter(admin.SimpleListFilter):
    title = _("keadaan")
    parameter_name = "keadaan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("berlaku", _("berlaku")), ("berakhir", _("sudah berakhir")), ("dibuka", _("dibuka administrator"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "berlaku":
            return queryset.filter(cleared_at__isnull=True, until__gt=now)
        if self.value() == "berakhir":
            return queryset.filter(cleared_at__isnull=True, until__lte=now)
        if self.value() == "dibuka":
            return queryset.filter(cleared_at__isnull=False)
        return queryset


@admin.register(Lockout)
class LockoutAdmin(ReadOnlyAdmin):
    """Lockouts the throttle wrote, newest end first (those in force lead); lifting one is recorded."""

    list_display = ["scope", "target", "key", "client_ip", "started_at", "until", "state", "cleared_by_name"]
    list_filter = [LockoutStateFilter, "scope", "target"]
    search_fields = ["key", "client_ip"]
    actions = ["clear_lockouts"]

    @admin.display(description=_("keadaan"))
    def state(self, obj: Lockout) -> str:
        if obj.cleared_at is not None:
            return str(_("dibuka administrator"))
        return str(_("berlaku") if obj.until > timezone.now() else _("sudah berakhir"))

    def has_clear_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("core.clear_lockout"))

    @admin.action(description=_("Buka kunci yang dipilih"), permissions=["clear"])
    def clear_lockouts(self, request: HttpRequest, queryset: QuerySet[Lockout]) -> None:
        cleared = 0
        for row in queryset.filter(cleared_at__isnull=True):
            if throttle.lockout_clear(lockout_id=row.pk, actor=request.user):
                cleared += 1
                self.log_change(request, row, str(_("Kunci dibuka.")))
        messages.success(request, _("%(count)d penguncian dibuka.") % {"count": cleared})
