"""Reading the office calendar: the engine's WorkCalendar built from settings and the two tables."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from engine.workcal import KNOWN_RAMADAN, OfficeHours, RamadanPeriod, WorkCalendar

from .models import CalendarOverride, RamadanHours


def office_hours() -> tuple[OfficeHours, OfficeHours]:
    """The regular and the Ramadan office hours from settings (PATEN_OFFICE_HOURS, PATEN_RAMADAN_HOURS)."""
    return OfficeHours.parse(settings.PATEN_OFFICE_HOURS), OfficeHours.parse(settings.PATEN_RAMADAN_HOURS)


class Unset(enum.Enum):
    TOKEN = 0


UNSET = Unset.TOKEN  # no version known: read once for the block, keep nothing

# The office whose request is being worked on (set by the workflow's command), for the BPMN helpers.
_OFFICE: ContextVar[int | None] = ContextVar("paten_calendar_office", default=None)
# The calendars read inside that command, by office: one command is one moment, read once.
_READ: ContextVar[dict[int | None, WorkCalendar] | None] = ContextVar("paten_calendars_read", default=None)


@contextmanager
def calendar_of_office(office_id: int | None, *, version: datetime | Unset | None = UNSET) -> Iterator[None]:
    """Inside: the engine's BPMN helpers (working_days() ...) count in `office_id`'s calendar, read
    from the tables once for the whole block. With the office's `calendar_changed_at` as read with
    the request (`version`), a calendar this process read at that version is reused (no read at all)."""
    read: dict[int | None, WorkCalendar] = {}
    if version is not UNSET and (office_id, version) in _BY_VERSION:
        read[office_id] = _BY_VERSION[(office_id, version)]
    token, reading = _OFFICE.set(office_id), _READ.set(read)
    try:
        yield
    finally:
        _READ.reset(reading)
        _OFFICE.reset(token)
    if version is not UNSET and office_id in read:
        _remember(office_id, version, read[office_id])


# Calendars by (office, calendar version): a version names one state of the tables, in every process.
_BY_VERSION: dict[tuple[int | None, datetime | Unset | None], WorkCalendar] = {}
_BY_VERSION_MAX = 64


def calendars_forget() -> None:
    """Drop the calendars kept by version (a database restored from a backup counts versions anew)."""
    _BY_VERSION.clear()


def _remember(office_id: int | None, version: datetime | Unset | None, calendar: WorkCalendar) -> None:
    if len(_BY_VERSION) >= _BY_VERSION_MAX:
        _BY_VERSION.clear()
    _BY_VERSION[(office_id, version)] = calendar


def calendar_office_now() -> int | None:
    return _OFFICE.get()


def office_calendar(office_id: int | None = None) -> WorkCalendar:
    """An office's calendar as the tables stand now: settings' hours, Ramadan rows, the regency's
    overrides and the office's own (which win on the same day). No office: the regency's only."""
    # Built afresh on every call outside a command (two small queries; the holiday lists are cached
    # per year in the engine), so an override saved a moment ago counts at once, in every process;
    # inside one (calendar_of_office), once per command.
    read = _READ.get()
    if read is None:
        return _calendar_read(office_id)
    if office_id not in read:
        read[office_id] = _calendar_read(office_id)
    return read[office_id]


def _calendar_read(office_id: int | None) -> WorkCalendar:
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
