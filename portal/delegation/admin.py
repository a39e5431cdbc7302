"""Delegations in the admin, read-only: creating and ending one goes through /pelimpahan/ (or the
API), which checks the rules and writes the audit record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Delegation, DelegationRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("principal", "deputy", "kind", "starts_on", "ends_on", "ended_at")
    list_filter = ("kind",)
    ordering = ("-starts_on", "-id")


@admin.register(DelegationRecord)
class DelegationRecordAdmin(ReadOnlyAdmin):
    list_display = ("delegation", "action", "actor_username", "at")
    ordering = ("-at", "-id")
