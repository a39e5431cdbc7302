"""Reading the office calendar: the engine's WorkCalendar built from settings and the two tables."""

from __future__ import annotations

from django.conf import settings

from engine.workcal import KNOWN_RAMADAN, OfficeHours, RamadanPeriod, WorkCalendar

from .models import CalendarOverride, RamadanHours


def office_hours() -> tuple[OfficeHours, OfficeHours]:
    """The regular and the Ramadan office hours from settings (PATEN_OFFICE_HOURS, PATEN_RAMADAN_HOURS)."""
    return OfficeHours.parse(settings.PATEN_OFFICE_HOURS), OfficeHours.parse(settings.PATEN_RAMADAN_HOURS)


def office_calendar() -> WorkCalendar:
    """The office's calendar as the tables stand now: settings' hours, Ramadan rows and overrides."""
    # Built afresh on every call (two small queries; the holiday lists are cached per year in the
    # engine), so an override saved a moment ago counts at once, in every process. Callers that
    # compute many deadlines in one request should call this once and reuse the calendar.
    regular, ramadan_hours = office_hours()
    table = [row.as_period(ramadan_hours) for row in RamadanHours.objects.all()]
    # The engine's known Ramadan dates fill the years the table does not cover; a row wins.
    known = [
        RamadanPeriod(p.start, p.end, ramadan_hours)
        for p in KNOWN_RAMADAN
        if not any(r.start <= p.end and p.start <= r.end for r in table)
    ]
    overrides = [row.as_override() for row in CalendarOverride.objects.all()]
    return WorkCalendar(hours=regular, ramadan=table + known, overrides=overrides)
