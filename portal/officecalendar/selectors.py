"""Reading the office calendar: the engine's WorkCalendar built from settings and the two tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models import Q

from engine.workcal import KNOWN_RAMADAN, OfficeHours, RamadanPeriod, WorkCalendar

from .models import CalendarOverride, RamadanHours


def office_hours() -> tuple[OfficeHours, OfficeHours]:
    """The regular and the Ramadan office hours from settings (PATEN_OFFICE_HOURS, PATEN_RAMADAN_HOURS)."""
    return OfficeHours.parse(settings.PATEN_OFFICE_HOURS), OfficeHours.parse(settings.PATEN_RAMADAN_HOURS)


# The office whose request is being worked on (set by the workflow's command), for the BPMN helpers.
_OFFICE: ContextVar[int | None] = ContextVar("paten_calendar_office", default=None)


@contextmanager
def calendar_of_office(office_id: int | None) -> Iterator[None]:
    """Inside: the engine's BPMN helpers (working_days() ...) count in `office_id`'s calendar."""
    token = _OFFICE.set(office_id)
    try:
        yield
    finally:
        _OFFICE.reset(token)


def calendar_office_now() -> int | None:
    return _OFFICE.get()


def office_calendar(office_id: int | None = None) -> WorkCalendar:
    """An office's calendar as the tables stand now: settings' hours, Ramadan rows, the regency's
    overrides and the office's own (which win on the same day). No office: the regency's only."""
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
    rows = CalendarOverride.objects.filter(Q(office__isnull=True) | Q(office_id=office_id))
    by_day = {}
    for row in sorted(rows, key=lambda r: r.office_id is not None):  # the office's own row last: it wins
        by_day[row.day] = row.as_override()
    overrides = list(by_day.values())
    return WorkCalendar(hours=regular, ramadan=table + known, overrides=overrides)
