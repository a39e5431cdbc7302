"""Writes of the office calendar, and handing it to the engine's BPMN helpers."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

import engine
from portal.directory.models import Office

from .models import CalendarOverride, RamadanHours
from .selectors import calendar_office_now, office_calendar, office_hours

log = logging.getLogger(__name__)


def calendar_override_set(
    *,
    day: date,
    office: Any = None,
    open: bool,
    reason: str,
    opens_at: time | None = None,
    closes_at: time | None = None,
    by: Any = None,
    now: datetime | None = None,
) -> CalendarOverride:
    """Record an office's (None: every office's) decision for one date, replacing any earlier one;
    raises ValidationError."""
    with transaction.atomic():
        found = CalendarOverride.objects.filter(day=day, office=office).first()
        row = found or CalendarOverride(day=day, office=office)
        row.open, row.opens_at, row.closes_at, row.reason = open, opens_at, closes_at, reason
        row.created_by, row.created_at = by, now or timezone.now()
        row.full_clean()
        row.save()
    return row


def calendar_override_remove(*, day: date, office: Any = None) -> bool:
    """Drop an office's (None: the regency's) decision for one date; False if none."""
    deleted, _ = CalendarOverride.objects.filter(day=day, office=office).delete()
    return deleted > 0


def calendar_version_bump(*, office_id: int | None) -> None:
    """The office's calendar changed (None: every office's): commands read it afresh from now on."""
    offices = Office.objects.all() if office_id is None else Office.objects.filter(pk=office_id)
    offices.update(calendar_changed_at=timezone.now())


def _override_changed(sender: Any, instance: CalendarOverride, **kwargs: Any) -> None:
    calendar_version_bump(office_id=instance.office_id)


def _ramadan_changed(sender: Any, instance: RamadanHours, **kwargs: Any) -> None:
    calendar_version_bump(office_id=None)


def calendar_changes_watch() -> None:
    """Every save or delete of a calendar row (services, the admin, the shell) moves the version on."""
    for model, receiver in ((CalendarOverride, _override_changed), (RamadanHours, _ramadan_changed)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"paten-calendar-{model.__name__}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"paten-calendar-{model.__name__}-delete")


def install_office_calendar() -> None:
    """Make the engine's BPMN helpers (working_days() ...) use the office calendar from the tables."""
    # The provider, not a snapshot: each evaluation reads the tables as they stand then.
    engine.set_default_calendar(_office_calendar_or_default)


def _office_calendar_or_default() -> engine.WorkCalendar:
    # Before the first migrate (process_lint on a new machine) there are no tables: the
    # national calendar and the configured hours still give the right answer then.
    try:
        return office_calendar(calendar_office_now())
    except DatabaseError:
        log.warning("office calendar tables unavailable; using the national calendar only")
        regular, _ramadan = office_hours()
        return engine.WorkCalendar(hours=regular)
