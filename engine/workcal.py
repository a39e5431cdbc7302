"""The office's working-day calendar: office hours in WITA, holidays, Ramadan hours and overrides.

Which hours a date has is decided in this order:

1. an override for that date (a decree moved a holiday, the office opens on a Saturday, or closes
   for a local event) wins over everything below;
2. a national holiday or cuti bersama (by default the `holidays` package, country "ID",
   categories public and government) closes the office;
3. otherwise the weekly schedule: the Ramadan hours if the date falls in a Ramadan period,
   else the regular hours (Monday-Friday, closed at weekends).

All arithmetic is done on the office's wall clock (WITA, UTC+8, no daylight saving); every
datetime passed in must be aware (a naive one is refused with ValueError) and every datetime
returned is in UTC, as the engine stores them.

Deadlines in working days follow the usual reading of "N hari kerja sejak berkas lengkap": the
day the clock starts never counts, whatever the time, and whether or not the office was open;
the deadline is the close of office hours on the N-th working day after that date. Submitted on
Tuesday at 14:00, at 20:00 or on the Saturday before, a 1-day request is due at Wednesday's close
(resp. Monday's close). N = 0 means "the same day": today's close if the office is still to close
today, else the next working day's close.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from .clock import OFFICE_TZ

# Bounds that keep hostile or mistaken input (a diagram asking for 10**9 days) from hanging a
# worker: about 14 years of working days, 15 years of office hours, and a 20-year search window.
MAX_WORKING_DAYS = 3650
MAX_WORKING_HOURS = 30_000
MAX_SCAN_DAYS = 366 * 20
MAX_RAMADAN_DAYS = 31

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE_DAY = timedelta(days=1)
_ANY_DAY = date(2000, 1, 3)  # for measuring wall-clock spans; WITA has no daylight saving
_SPAN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")

Interval = tuple[time, time]
HolidaySource = Callable[[int], Mapping[date, str]]


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=OFFICE_TZ)


def _naive_time(t: time, what: str) -> time:
    if not isinstance(t, time):
        raise TypeError(f"{what} must be a datetime.time")
    if t.tzinfo is not None:
        raise ValueError(f"{what} must be a wall-clock time in WITA, without a time zone")
    return t


@dataclass(frozen=True)
class DayHours:
    """One day's office hours (WITA wall clock): from `opens` to `closes`, minus the breaks."""

    opens: time
    closes: time
    breaks: tuple[Interval, ...] = ()

    def __post_init__(self) -> None:
        _naive_time(self.opens, "opens")
        _naive_time(self.closes, "closes")
        if self.opens >= self.closes:
            raise ValueError(f"office hours must open before they close ({self.opens}-{self.closes})")
        previous = self.opens
        for start, end in self.breaks:
            _naive_time(start, "break start")
            _naive_time(end, "break end")
            if not previous < start < end < self.closes:
                raise ValueError("breaks must be ordered, not overlap, and fall strictly inside office hours")
            previous = end

    def intervals(self) -> tuple[Interval, ...]:
        """The stretches of office time, breaks left out."""
        result = []
        start = self.opens
        for break_start, break_end in self.breaks:
            result.append((start, break_start))
            start = break_end
        result.append((start, self.closes))
        return tuple(result)

    def length(self) -> timedelta:
        """Office time in the day, breaks excluded."""
        return sum((_at(_ANY_DAY, e) - _at(_ANY_DAY, s) for s, e in self.intervals()), timedelta(0))

    @classmethod
    def from_intervals(cls, intervals: Sequence[Interval]) -> DayHours:
        """Build from the stretches of office time; the gaps between them are the breaks."""
        if not intervals:
            raise ValueError("a working day needs at least one interval")
        breaks = tuple((intervals[i][1], intervals[i + 1][0]) for i in range(len(intervals) - 1))
        return cls(intervals[0][0], intervals[-1][1], breaks)


@dataclass(frozen=True)
class OfficeHours:
    """The weekly schedule: one entry per weekday, Monday first; None means closed that day."""

    week: tuple[DayHours | None, ...]

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("office hours need exactly 7 weekdays, Monday first")

    def on(self, weekday: int) -> DayHours | None:
        """The hours of a weekday (0 = Monday), or None when closed."""
        return self.week[weekday]

    def weekly_total(self) -> timedelta:
        """Office time in a full week, breaks excluded."""
        return sum((d.length() for d in self.week if d is not None), timedelta(0))

    @classmethod
    def five_day_week(cls, mon_thu: DayHours, fri: DayHours) -> OfficeHours:
        """Monday-Thursday alike, Friday on its own (Friday prayers), closed at the weekend."""
        return cls((mon_thu, mon_thu, mon_thu, mon_thu, fri, None, None))

    @classmethod
    def parse(cls, spec: Mapping[str, Sequence[str]]) -> OfficeHours:
        """Read {"mon": ["07:30-12:00", "13:00-16:00"], ...}; a weekday left out is closed."""
        unknown = set(spec) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekdays: {', '.join(sorted(unknown))} (use {', '.join(WEEKDAYS)})")
        week: list[DayHours | None] = []
        for name in WEEKDAYS:
            spans = spec.get(name) or []
            if isinstance(spans, str):
                raise ValueError(f"{name}: give a list of 'HH:MM-HH:MM' spans, not one string")
            week.append(DayHours.from_intervals([_parse_span(s, name) for s in spans]) if spans else None)
        return cls(tuple(week))


def _parse_span(text: str, weekday: str) -> Interval:
    match = _SPAN.match(str(text))
    if match is None:
        raise ValueError(f"{weekday}: {text!r} is not 'HH:MM-HH:MM'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"{weekday}: {text!r}: {exc}") from None


# Perpres 21/2023 asks for 37.5 hours over five days; this is the long-standing five-day schedule
# of Keppres 68/1995, from 07:30 WITA, with a longer Friday break for the Friday prayer.
# Mon-Thu 07:30-16:00 less 12:00-13:00 = 7.5 h; Fri 07:30-16:30 less 11:30-13:00 = 7.5 h.
DEFAULT_OFFICE_HOURS = OfficeHours.five_day_week(
    DayHours(time(7, 30), time(16, 0), ((time(12, 0), time(13, 0)),)),
    DayHours(time(7, 30), time(16, 30), ((time(11, 30), time(13, 0)),)),
)
# The MenPAN-RB circular issued every Ramadan (the same hours since at least 2017): 32.5 hours.
# Mon-Thu 08:00-15:00 less 12:00-12:30 = 6.5 h; Fri 08:00-15:30 less 11:30-12:30 = 6.5 h.
DEFAULT_RAMADAN_HOURS = OfficeHours.five_day_week(
    DayHours(time(8, 0), time(15, 0), ((time(12, 0), time(12, 30)),)),
    DayHours(time(8, 0), time(15, 30), ((time(11, 30), time(12, 30)),)),
)


@dataclass(frozen=True)
class RamadanPeriod:
    """The days (inclusive) the office keeps Ramadan hours, as the government set them."""

    start: date
    end: date
    hours: OfficeHours = DEFAULT_RAMADAN_HOURS

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise TypeError("a Ramadan period is given in dates, not datetimes")
        if self.start > self.end:
            raise ValueError(f"Ramadan period ends before it starts ({self.start} > {self.end})")
        if (self.end - self.start).days + 1 > MAX_RAMADAN_DAYS:
            raise ValueError(f"a Ramadan period of more than {MAX_RAMADAN_DAYS} days is surely a typo")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# Start and end as announced after the government's sidang isbat (Kementerian Agama); add each
# new year here or, in the portal, in the Ramadan table. Dates are not guessed for later years.
KNOWN_RAMADAN: tuple[RamadanPeriod, ...] = (
    RamadanPeriod(date(2025, 3, 1), date(2025, 3, 30)),  # 1446 H: Idul Fitri 31 March 2025
    RamadanPeriod(date(2026, 2, 19), date(2026, 3, 20)),  # 1447 H: Idul Fitri 21 March 2026
)


@dataclass(frozen=True)
class DayOverride:
    """A decision for one date that beats holidays and the schedule: open (maybe with hours) or closed."""

    day: date
    open: bool
    hours: Interval | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime):
            raise TypeError("an override is for a date, not a datetime")
        if self.hours is not None:
            if not self.open:
                raise ValueError(f"{self.day}: a closed day has no hours")
            if len(self.hours) != 2:
                raise ValueError(f"{self.day}: hours are one (opens, closes) pair")
            opens, closes = _naive_time(self.hours[0], "opens"), _naive_time(self.hours[1], "closes")
            if opens >= closes:
                raise ValueError(f"{self.day}: hours must open before they close ({opens}-{closes})")


@dataclass(frozen=True)
class DayInfo:
    """A date's office hours (WITA wall clock, empty when closed) and what decided them."""

    day: date
    hours: tuple[Interval, ...]
    source: str  # "override", "holiday", "weekend", "ramadan" or "regular"
    note: str = ""  # the override's reason or the holiday's name

    @property
    def working(self) -> bool:
        return bool(self.hours)


@functools.lru_cache(maxsize=64)
def indonesian_holidays(year: int) -> Mapping[date, str]:
    """National holidays and cuti bersama of `year` from the `holidays` package, named in Indonesian."""
    # Imported here: the package takes ~60 ms to import and many engine uses never need it.
    import holidays

    found = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return MappingProxyType(dict(found))


def _local(value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError("expected a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime refused: pass an aware datetime (UTC or WITA)")
    return value.astimezone(OFFICE_TZ)


def _next_day(day: date) -> date:
    try:
        return day + _ONE_DAY
    except OverflowError:
        raise ValueError("the calendar ran past the year 9999") from None


def _whole(n: int, limit: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be a whole number")
    if not 0 <= n <= limit:
        raise ValueError(f"{what} must be between 0 and {limit}, not {n}")
    return n


class WorkCalendar:
    """Working days and office time of the kecamatan office; immutable once built."""

    def __init__(
        self,
        hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        ramadan: Iterable[RamadanPeriod] = KNOWN_RAMADAN,
        overrides: Iterable[DayOverride] | Mapping[date, DayOverride] = (),
        holiday_source: HolidaySource = indonesian_holidays,
    ) -> None:
        self.hours = hours
        self.ramadan = tuple(sorted(ramadan, key=lambda p: p.start))
        for earlier, later in zip(self.ramadan, self.ramadan[1:], strict=False):
            if later.start <= earlier.end:
                raise ValueError(f"Ramadan periods overlap: {earlier.start}..{earlier.end} and {later.start}..")
        items = list(overrides.values()) if isinstance(overrides, Mapping) else list(overrides)
        by_day: dict[date, DayOverride] = {}
        for item in items:
            if item.day in by_day:
                raise ValueError(f"two overrides for {item.day}")
            by_day[item.day] = item
        if isinstance(overrides, Mapping) and any(k != v.day for k, v in overrides.items()):
            raise ValueError("override keys must be the overrides' own dates")
        self.overrides: Mapping[date, DayOverride] = MappingProxyType(by_day)
        self._holiday_source = holiday_source
        self._holidays: dict[int, Mapping[date, str]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from what it was built with (the sandbox process gets the office's calendar this way).
        return (WorkCalendar, (self.hours, self.ramadan, tuple(self.overrides.values()), self._holiday_source))

    def holidays_of(self, year: int) -> Mapping[date, str]:
        """The holidays and cuti bersama of `year`, from the holiday source (kept per year)."""
        found = self._holidays.get(year)
        if found is None:
            found = self._holidays[year] = self._holiday_source(year)
        return found

    def ramadan_on(self, day: date) -> RamadanPeriod | None:
        """The Ramadan period `day` falls in, if any."""
        return next((p for p in self.ramadan if day in p), None)

    def _schedule(self, day: date) -> tuple[OfficeHours, str]:
        period = self.ramadan_on(day)
        return (period.hours, "ramadan") if period is not None else (self.hours, "regular")

    def day_info(self, day: date | datetime) -> DayInfo:
        """The office hours of a date (a datetime is read as its WITA date) and what decided them."""
        if isinstance(day, datetime):
            day = _local(day).date()
        schedule, kind = self._schedule(day)
        override = self.overrides.get(day)
        if override is not None:
            if not override.open:
                return DayInfo(day, (), "override", override.reason)
            if override.hours is not None:
                return DayInfo(day, (override.hours,), "override", override.reason)
            # Open with no hours given: the day's usual hours, or a Monday's when it has none.
            usual = schedule.on(day.weekday()) or schedule.on(0)
            return DayInfo(day, usual.intervals() if usual else (), "override", override.reason)
        name = self.holidays_of(day.year).get(day)
        if name is not None:
            return DayInfo(day, (), "holiday", name)
        usual = schedule.on(day.weekday())
        if usual is None:
            return DayInfo(day, (), "weekend")
        return DayInfo(day, usual.intervals(), kind)

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether the office is open at all on that date (a datetime counts by its WITA date)."""
        return self.day_info(day).working

    def working_intervals(self, day: date | datetime) -> list[tuple[datetime, datetime]]:
        """The office's open stretches on a date, as aware UTC (start, end) pairs."""
        info = self.day_info(day)
        return [(_at(info.day, s).astimezone(UTC), _at(info.day, e).astimezone(UTC)) for s, e in info.hours]

    def is_working_time(self, moment: datetime) -> bool:
        """Whether the office is open at `moment` (start inclusive, end exclusive)."""
        local = _local(moment)
        return any(_at(local.date(), s) <= local < _at(local.date(), e) for s, e in self.day_info(local.date()).hours)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The close of office hours on the n-th working day after start's WITA date (n=0: same day)."""
        _whole(n, MAX_WORKING_DAYS, "working days")
        local = _local(start)
        day = local.date()
        if n == 0:
            today = self.day_info(day)
            if today.working and local < _at(day, today.hours[-1][1]):
                return _at(day, today.hours[-1][1]).astimezone(UTC)
            n = 1
        for _ in range(MAX_SCAN_DAYS):
            day = _next_day(day)
            info = self.day_info(day)
            if info.working:
                n -= 1
                if n == 0:
                    return _at(day, info.hours[-1][1]).astimezone(UTC)
        raise ValueError(f"not enough working days within {MAX_SCAN_DAYS} days of {local.date()}")

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The earliest moment at which `hours` of office time have passed since `start`."""
        if isinstance(hours, bool) or not isinstance(hours, int | float):
            raise TypeError("working hours must be a number")
        if not (math.isfinite(hours) and 0 <= hours <= MAX_WORKING_HOURS):
            raise ValueError(f"working hours must be between 0 and {MAX_WORKING_HOURS}, not {hours}")
        local = _local(start)
        remaining = timedelta(hours=hours)
        if remaining <= timedelta(0):
            return local.astimezone(UTC)
        day = local.date()
        for _ in range(MAX_SCAN_DAYS):
            for s, e in self.day_info(day).hours:
                begin, end = max(_at(day, s), local), _at(day, e)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return (begin + remaining).astimezone(UTC)
                remaining -= end - begin
            day = _next_day(day)
        raise ValueError(f"not enough office time within {MAX_SCAN_DAYS} days of {local.date()}")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time between two moments; zero when b is not after a."""
        la, lb = _local(a), _local(b)
        if lb <= la:
            return timedelta(0)
        span = (lb.date() - la.date()).days
        if span > MAX_SCAN_DAYS:
            raise ValueError(f"spans of more than {MAX_SCAN_DAYS} days are not counted")
        total = timedelta(0)
        day = la.date()
        for i in range(span + 1):
            if i:
                day = _next_day(day)
            for s, e in self.day_info(day).hours:
                overlap = min(_at(day, e), lb) - max(_at(day, s), la)
                if overlap > timedelta(0):
                    total += overlap
        return total


# The calendar the BPMN helpers use: a `use_calendar` block's, else the process-wide default,
# which the portal replaces with one built from its override table.
CalendarProvider = Callable[[], WorkCalendar]
_scoped: contextvars.ContextVar[WorkCalendar | None] = contextvars.ContextVar("engine_work_calendar", default=None)
_default: WorkCalendar | CalendarProvider | None = None
_builtin: WorkCalendar | None = None


def set_default_calendar(calendar: WorkCalendar | CalendarProvider | None) -> None:
    """Install the process-wide calendar, or a function returning the current one; None restores the built-in."""
    global _default
    if calendar is not None and not isinstance(calendar, WorkCalendar) and not callable(calendar):
        raise TypeError("expected a WorkCalendar, a function returning one, or None")
    _default = calendar


@contextlib.contextmanager
def use_calendar(calendar: WorkCalendar) -> Iterator[WorkCalendar]:
    """Make the enclosed engine calls use `calendar`."""
    if not isinstance(calendar, WorkCalendar):
        raise TypeError("expected a WorkCalendar")
    token = _scoped.set(calendar)
    try:
        yield calendar
    finally:
        _scoped.reset(token)


def current_calendar() -> WorkCalendar:
    """The calendar in force: `use_calendar`'s, else the default, else the built-in one."""
    global _builtin
    scoped = _scoped.get()
    if scoped is not None:
        return scoped
    default = _default
    if isinstance(default, WorkCalendar):
        return default
    if default is not None:
        provided = default()
        if not isinstance(provided, WorkCalendar):
            raise TypeError("the calendar provider did not return a WorkCalendar")
        return provided
    if _builtin is None:
        _builtin = WorkCalendar()
    return _builtin
