from django.contrib import admin

from .models import HumanTask, InstanceEvent, ProcessDefinition, ProcessInstance, TimerSchedule


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name", "is_active", "deployed_at", "sha256"]
    list_filter = ["is_active"]
    readonly_fields = [f.name for f in ProcessDefinition._meta.fields]


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "definition", "status", "applicant_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "applicant_nik", "applicant_name"]
    readonly_fields = [f.name for f in ProcessInstance._meta.fields]


@admin.register(HumanTask)
class HumanTaskAdmin(admin.ModelAdmin):
    list_display = ["instance", "bpmn_id", "name", "role", "status", "assignee", "created_at"]
    list_filter = ["status", "role"]
    readonly_fields = [f.name for f in HumanTask._meta.fields]


@admin.register(TimerSchedule)
class TimerScheduleAdmin(admin.ModelAdmin):
    list_display = ["instance", "bpmn_id", "due_at", "fired_at", "cancelled_at"]
    readonly_fields = [f.name for f in TimerSchedule._meta.fields]


@admin.register(InstanceEvent)
class InstanceEventAdmin(admin.ModelAdmin):
    list_display = ["instance", "seq", "type", "actor_username", "at"]
    list_filter = ["type"]
    readonly_fields = [f.name for f in InstanceEvent._meta.fields]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
