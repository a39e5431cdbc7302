from django.contrib import admin

from .models import Office, Staff, Village


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0
    fields = ["code", "name", "kind"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "short", "head_name", "accepts_other_villages", "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VillageInline]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "office"]
    list_filter = ["office", "kind"]
    search_fields = ["name", "code"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "position"]
    list_filter = ["office"]
    autocomplete_fields = ["user"]
