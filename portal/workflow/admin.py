"""The workflow's records in the admin, read-only: definitions, requests, steps, timers and the two
hash-chained event logs are written by the commands only, so the admin never adds, changes or
deletes one. Large blobs (the BPMN source, the stored state, payloads) show on a row's page only."""

from __future__ import annotations

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import (
    DefinitionEvent,
    DefinitionPart,
    HumanTask,
    HumanTaskHistory,
    InstanceEvent,
    InstanceMigration,
    ProcessDefinition,
    ProcessInstance,
    TimerSchedule,
)


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "is_active", "deployed_at", "sha256"]
    list_filter = ["is_active"]


@admin.register(DefinitionPart)
class DefinitionPartAdmin(ReadOnlyAdmin):
    """Decision tables and shared sub-processes, versioned like the services that use them."""

    list_display = ["kind", "code", "version", "is_active", "deployed_at", "sha256"]
    list_filter = ["kind", "is_active"]


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "definition", "status", "applicant_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "applicant_nik", "applicant_name"]


@admin.register(HumanTask)
class HumanTaskAdmin(ReadOnlyAdmin):
    list_display = ["instance", "bpmn_id", "name", "role", "status", "assignee", "created_at"]
    list_filter = ["status", "role"]


@admin.register(HumanTaskHistory)
class HumanTaskHistoryAdmin(ReadOnlyAdmin):
    """The steps of archived requests (services/archive.py), under the ids they had."""

    list_display = ["instance", "bpmn_id", "name", "role", "status", "completed_by", "completed_at"]
    list_filter = ["status", "role"]


@admin.register(TimerSchedule)
class TimerScheduleAdmin(ReadOnlyAdmin):
    list_display = ["instance", "bpmn_id", "due_at", "fired_at", "cancelled_at"]


@admin.register(InstanceEvent)
class InstanceEventAdmin(ReadOnlyAdmin):
    list_display = ["instance", "seq", "type", "actor_username", "at"]
    list_filter = ["type"]


@admin.register(DefinitionEvent)
class DefinitionEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "type", "code", "actor_username", "at"]
    list_filter = ["type"]
    search_fields = ["code"]


@admin.register(InstanceMigration)
class InstanceMigrationAdmin(ReadOnlyAdmin):
    """Each move of a running request onto another version, with the state it had (for undoing it)."""

    list_display = ["instance", "from_definition", "to_definition", "migrated_by", "migrated_at", "reverted_at"]
    exclude = ["state_before"]
