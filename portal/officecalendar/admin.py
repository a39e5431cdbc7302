from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engine.workcal import WEEKDAYS, indonesian_holidays

from .models import CalendarOverride, RamadanHours

_HARI = dict(zip(WEEKDAYS, ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"), strict=True))


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = [
        "day", "weekday", "office", "open", "opens_at", "closes_at", "reason", "national_list", "created_by"
    ]  # fmt: skip
    list_filter = ["office", "open"]
    date_hierarchy = "day"
    search_fields = ["reason"]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(description=_("hari"))
    def weekday(self, obj: CalendarOverride) -> str:
        return _HARI[WEEKDAYS[obj.day.weekday()]]

    @admin.display(description=_("daftar libur nasional"))
    def national_list(self, obj: CalendarOverride) -> str:
        # What the override departs from: the holiday or cuti bersama the package lists, if any.
        return indonesian_holidays(obj.day.year).get(obj.day, "-")

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        obj.created_by = request.user if request.user.is_authenticated else None
        obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(RamadanHours)
class RamadanHoursAdmin(admin.ModelAdmin):
    list_display = ["hijri_year", "start", "end", "decree"]
