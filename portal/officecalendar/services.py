"""Writes of the office calendar, and handing it to the engine's BPMN helpers."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

import engine

from .models import CalendarOverride
from .selectors import office_calendar, office_hours

log = logging.getLogger(__name__)


def calendar_override_set(
    *,
    day: date,
    open: bool,
    reason: str,
    opens_at: time | None = None,
    closes_at: time | None = None,
    by: Any = None,
    now: datetime | None = None,
) -> CalendarOverride:
    """Record the office's decision for one date, replacing any earlier one; raises ValidationError."""
    with transaction.atomic():
        row = CalendarOverride.objects.filter(day=day).first() or CalendarOverride(day=day)
        row.open, row.opens_at, row.closes_at, row.reason = open, opens_at, closes_at, reason
        row.created_by, row.created_at = by, now or timezone.now()
        row.full_clean()
        row.save()
    return row


def calendar_override_remove(*, day: date) -> bool:
    """Drop the decision for one date (the schedule and holiday list apply again); False if none."""
    deleted, _ = CalendarOverride.objects.filter(day=day).delete()
    return deleted > 0


def install_office_calendar() -> None:
    """Make the engine's BPMN helpers (working_days() ...) use the office calendar from the tables."""
    # The provider, not a snapshot: each evaluation reads the tables as they stand then.
    engine.set_default_calendar(_office_calendar_or_default)


def _office_calendar_or_default() -> engine.WorkCalendar:
    # Before the first migrate (process_lint on a new machine) there are no tables: the
    # national calendar and the configured hours still give the right answer then.
    try:
        return office_calendar()
    except DatabaseError:
        log.warning("office calendar tables unavailable; using the national calendar only")
        regular, _ramadan = office_hours()
        return engine.WorkCalendar(hours=regular)
