"""The engine's notion of "now": set explicitly by every command so runs can be replayed."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The office's time zone (WITA, UTC+8): what "today" means for Babulu. Storage stays in UTC.
OFFICE_TZ = ZoneInfo("Asia/Makassar")

_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("engine_now", default=None)


def ensure_aware_utc(value: datetime) -> datetime:
    """Refuse naive datetimes (SpiffWorkflow would read them as server-local time)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware UTC datetime")
    return value.astimezone(UTC)


def current_time() -> datetime:
    """The time of the command being executed, or the wall clock outside any command."""
    value = _now.get()
    return value if value is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run the enclosed engine calls as if it were `moment`."""
    token = _now.set(ensure_aware_utc(moment))
    try:
        yield ensure_aware_utc(moment)
    finally:
        _now.reset(token)


def office_today() -> date:
    """The calendar date at the office (WITA) at the command's time."""
    return current_time().astimezone(OFFICE_TZ).date()
