"""Notifications in the admin, read-only: a command writes them and a worker sends them."""

from __future__ import annotations

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["instance", "kind", "channel", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "channel", "status"]
