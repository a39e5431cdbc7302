from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["instance", "kind", "channel", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "channel", "status"]
    readonly_fields = [f.name for f in Notification._meta.fields]
