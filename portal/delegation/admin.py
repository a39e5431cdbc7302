"""Delegations in the admin, read-only: creating and ending one goes through /pelimpahan/ (or the
API), which checks the rules and writes the audit record."""

from __future__ import annotations

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import Delegation, DelegationRecord


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("principal", "deputy", "kind", "starts_on", "ends_on", "ended_at")
    list_filter = ("kind",)
    ordering = ("-starts_on", "-id")


@admin.register(DelegationRecord)
class DelegationRecordAdmin(ReadOnlyAdmin):
    list_display = ("delegation", "action", "actor_username", "at")
    ordering = ("-at", "-id")
