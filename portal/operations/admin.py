"""The administrator's page of user accounts: an officer who has acted is deactivated, never deleted.

Deleting an account that steps, letters, delegations or the audit log name would rewrite or break
those records; the delete page says so instead, and the "Nonaktifkan" action (or clearing "Aktif"
on the form) ends the account's logins and tokens and gives its claimed steps back to their roles.
Also the background processes' heartbeats, read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from portal.core.admin import ReadOnlyAdmin, ServiceSaveAdmin
from portal.core.errors import NotAllowed
from portal.core.text import PrintableText

from .models import Heartbeat
from .selectors import SWEEP_LABELS, user_records
from .services import officer_deactivate

User = get_user_model()


class AccountChangeForm(UserChangeForm):
    """Names are printed on letters (the signer) and delegations: no control or bidi characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].validators.append(PrintableText())


class AccountAdmin(ServiceSaveAdmin, UserAdmin):
    form = AccountChangeForm
    refusals = (NotAllowed,)
    actions = ["deactivate"]
    list_display = ("username", "first_name", "last_name", "office", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "staff_posting__office")
    list_select_related = ("staff_posting__office",)

    # Where the account works (an officer sees that kecamatan's requests only): set under Wilayah >
    # Penempatan pegawai.
    @admin.display(description=_lazy("kecamatan"))
    def office(self, obj: Any) -> str:
        posting = getattr(obj, "staff_posting", None)
        if posting is None:
            return "-"
        return posting.office.name if posting.office is not None else str(_lazy("tingkat kabupaten"))

    def refusal_message(self, exc: Exception) -> str:
        return str(getattr(exc, "message", exc))

    @admin.action(description=_lazy("Nonaktifkan akun terpilih (catatannya tetap)"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        tokens = steps = accounts = 0
        for user in queryset.order_by("pk"):
            try:
                done = officer_deactivate(user=user, actor=request.user)
            except NotAllowed as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                continue
            accounts, tokens, steps = accounts + 1, tokens + done.tokens_revoked, steps + done.steps_released
        if accounts:
            text = ngettext(
                "%(n)d akun dinonaktifkan; %(tokens)d token API dicabut; %(steps)d langkah dikembalikan ke perannya.",
                "%(n)d akun dinonaktifkan; %(tokens)d token API dicabut; %(steps)d langkah dikembalikan ke perannya.",
                accounts,
            ) % {"n": accounts, "tokens": tokens, "steps": steps}
            self.message_user(request, text, messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            officer_deactivate(user=obj, actor=request.user)  # its tokens and claimed steps too

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        """Django shows `protected` on the delete page and refuses to delete while it is not empty."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [
            _(
                "Akun %(user)s tidak dapat dihapus karena tercatat dalam %(records)s. "
                'Nonaktifkan akun ini (tindakan "Nonaktifkan akun terpilih") agar tidak dapat dipakai lagi.'
            )
            % {"user": user.get_username(), "records": ", ".join(records)}
            for user in objs
            if (records := user_records(user))
        ]
        return deleted, model_count, perms_needed, [*protected, *refused]


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    """The background processes' heartbeats, written by the sweeps and beat (manage.py worker_health)."""

    list_display = (
        "sweep", "queue", "every_seconds", "started_at", "finished_at", "duration_seconds", "result", "failures",
        "failed_at",
    )  # fmt: skip
    list_filter = ["queue"]

    @admin.display(description=_lazy("proses"), ordering="name")
    def sweep(self, obj: Heartbeat) -> str:
        return str(SWEEP_LABELS.get(obj.name, obj.name))
