"""The working-day calendar on real Indonesian dates of 2026, and its helpers in BPMN expressions.

The dates come from the `holidays` package (country ID, public + government categories), checked
in the first test: Nyepi and Idul Fitri 1447 H close the office from Wednesday 18 to Tuesday
24 March 2026; Ascension Day and its cuti bersama close it on 14-15 May. Ramadan 1447 H ran from
19 February to 20 March 2026 (sidang isbat).
"""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

import engine
from engine.clock import OFFICE_TZ
from engine.scripting import evaluate
from engine.workcal import (
    DEFAULT_OFFICE_HOURS,
    DEFAULT_RAMADAN_HOURS,
    MAX_WORKING_DAYS,
    DayHours,
    DayOverride,
    OfficeHours,
    RamadanPeriod,
    WorkCalendar,
    current_calendar,
    set_default_calendar,
    use_calendar,
)
from tests.engine.samples import START_DATA, load, mutate, with_timer

H = timedelta(hours=1)


def wita(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(autouse=True)
def _builtin_default_calendar() -> Any:
    """Each test starts and ends with the built-in default calendar."""
    set_default_calendar(None)
    yield
    set_default_calendar(None)


# --- the data ---------------------------------------------------------------------------------


def test_the_package_closes_18_to_24_march_2026_for_nyepi_and_idul_fitri(cal: WorkCalendar) -> None:
    # when the days around Idul Fitri 1447 H are looked up
    info = {d: cal.day_info(date(2026, 3, d)) for d in range(17, 26)}

    # then Tuesday 17 and Wednesday 25 are working days and everything between is off
    assert info[17].working and info[25].working
    assert [d for d, i in info.items() if not i.working] == [18, 19, 20, 21, 22, 23, 24]
    assert (info[18].source, info[18].note) == ("holiday", "Cuti Bersama Hari Suci Nyepi")
    assert info[19].note == "Hari Suci Nyepi"
    assert info[20].note == info[23].note == info[24].note == "Cuti Bersama Hari Raya Idul Fitri"
    assert info[21].note == "Hari Raya Idul Fitri"
    # and the 17th keeps Ramadan hours, the 25th regular ones
    assert (info[17].source, info[25].source) == ("ramadan", "regular")


def test_the_schedules_are_37_5_hours_a_week_and_32_5_in_ramadan() -> None:
    assert DEFAULT_OFFICE_HOURS.weekly_total() == timedelta(hours=37.5)
    assert DEFAULT_RAMADAN_HOURS.weekly_total() == timedelta(hours=32.5)
    assert DEFAULT_OFFICE_HOURS.on(0) == DayHours(time(7, 30), time(16), ((time(12), time(13)),))
    assert DEFAULT_OFFICE_HOURS.on(4) == DayHours(time(7, 30), time(16, 30), ((time(11, 30), time(13)),))
    assert DEFAULT_OFFICE_HOURS.on(5) is None and DEFAULT_OFFICE_HOURS.on(6) is None


def test_office_hours_read_from_settings_text_equal_the_defaults() -> None:
    mon_thu = ["07:30-12:00", "13:00-16:00"]
    spec = {"mon": mon_thu, "tue": mon_thu, "wed": mon_thu, "thu": mon_thu, "fri": ["07.30-11.30", "13.00-16.30"]}
    assert OfficeHours.parse(spec) == DEFAULT_OFFICE_HOURS


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: DayHours(time(16), time(7, 30)), "open before"),
        (lambda: DayHours(time(7, 30), time(16), ((time(15), time(17)),)), "breaks"),
        (lambda: DayHours(time(7, 30), time(16), ((time(13), time(14)), (time(12), time(13)))), "breaks"),
        (lambda: DayHours(time(7, 30, tzinfo=UTC), time(16)), "time zone"),
        (lambda: OfficeHours((None,) * 6), "7 weekdays"),
        (lambda: OfficeHours.parse({"sab": ["08:00-12:00"]}), "unknown weekdays"),
        (lambda: OfficeHours.parse({"mon": "08:00-12:00"}), "list"),
        (lambda: OfficeHours.parse({"mon": ["8-12"]}), "HH:MM"),
        (lambda: OfficeHours.parse({"mon": ["08:00-25:00"]}), "hour"),
        (lambda: RamadanPeriod(date(2026, 3, 20), date(2026, 2, 19)), "ends before"),
        (lambda: RamadanPeriod(date(2026, 2, 19), date(2026, 4, 20)), "typo"),
        (lambda: DayOverride(date(2026, 3, 24), False, (time(8), time(12))), "closed day"),
        (lambda: DayOverride(date(2026, 3, 24), True, (time(12), time(8))), "open before"),
        (lambda: WorkCalendar(overrides=[DayOverride(date(2026, 3, 24), True)] * 2), "two overrides"),
        (lambda: WorkCalendar(overrides={date(2026, 3, 25): DayOverride(date(2026, 3, 24), True)}), "own dates"),
        (
            lambda: WorkCalendar(
                ramadan=[
                    RamadanPeriod(date(2026, 2, 19), date(2026, 3, 20)),
                    RamadanPeriod(date(2026, 3, 1), date(2026, 3, 2)),
                ]
            ),
            "overlap",
        ),
    ],
)
def test_inconsistent_calendar_data_is_refused(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- working days -----------------------------------------------------------------------------


def test_a_request_complete_the_afternoon_before_idul_fitri_is_due_after_the_holidays(cal: WorkCalendar) -> None:
    # given a request declared complete on Tuesday 17 March 2026 at 14:00 WITA
    start = wita(3, 17, 14)

    # when its 1- and 2-working-day deadlines are computed
    one, two = cal.add_working_days(start, 1), cal.add_working_days(start, 2)

    # then they fall at the close of Wednesday 25 and Thursday 26 March, returned in UTC
    assert one == wita(3, 25, 16) and one.tzinfo is UTC and one == datetime(2026, 3, 25, 8, tzinfo=UTC)
    assert two == wita(3, 26, 16)
    # and the same moment given in UTC gives the same answer
    assert cal.add_working_days(start.astimezone(UTC), 1) == one


def test_an_override_reopening_a_cuti_bersama_brings_the_deadline_forward() -> None:
    # given the government cancels the cuti bersama of Tuesday 24 March
    reopened = WorkCalendar(overrides=[DayOverride(date(2026, 3, 24), True, reason="SKB 3 Menteri diubah")])

    # when the deadline of the same request is computed
    due = reopened.add_working_days(wita(3, 17, 14), 1)

    # then it is the close of Tuesday 24, a regular day again
    assert due == wita(3, 24, 16)
    assert reopened.day_info(date(2026, 3, 24)).source == "override"
    assert reopened.day_info(date(2026, 3, 24)).note == "SKB 3 Menteri diubah"


def test_a_decree_moving_a_cuti_bersama_closes_the_new_date_and_opens_the_old() -> None:
    # given a decree moving the cuti bersama from Tuesday 24 to Friday 27 March (as a mapping)
    moved = {
        date(2026, 3, 24): DayOverride(date(2026, 3, 24), True, reason="cuti bersama dipindah"),
        date(2026, 3, 27): DayOverride(date(2026, 3, 27), False, reason="cuti bersama pengganti"),
    }
    calendar = WorkCalendar(overrides=moved)

    # when deadlines are counted from Tuesday 17
    due = [calendar.add_working_days(wita(3, 17, 14), n) for n in (1, 2, 3, 4)]

    # then the 24th, 25th and 26th count, the 27th and the weekend do not
    assert due == [wita(3, 24, 16), wita(3, 25, 16), wita(3, 26, 16), wita(3, 30, 16)]


def test_the_office_open_on_a_saturday_with_its_own_hours() -> None:
    # given the office opens Saturday 28 March 08:00-12:00 for a mobile service day
    calendar = WorkCalendar(overrides=[DayOverride(date(2026, 3, 28), True, (time(8), time(12)), "pelayanan keliling")])

    # then Saturday is a working day with those hours, counted by deadlines and working time
    assert calendar.is_working_day(date(2026, 3, 28))
    assert calendar.working_intervals(date(2026, 3, 28)) == [(wita(3, 28, 8), wita(3, 28, 12))]
    assert calendar.is_working_time(wita(3, 28, 10)) and not calendar.is_working_time(wita(3, 28, 12))
    assert calendar.add_working_days(wita(3, 27, 10), 1) == wita(3, 28, 12)
    assert calendar.working_time_between(wita(3, 27, 16), wita(3, 30, 8)) == 5 * H  # Fri 0.5 + Sat 4 + Mon 0.5
    # and a Saturday opened without hours keeps a Monday's hours
    plain = WorkCalendar(overrides=[DayOverride(date(2026, 4, 4), True)])
    assert plain.working_intervals(date(2026, 4, 4)) == [
        (wita(4, 4, 7, 30), wita(4, 4, 12)),
        (wita(4, 4, 13), wita(4, 4, 16)),
    ]


def test_the_office_closed_for_a_local_event(cal: WorkCalendar) -> None:
    # given the office closes on Wednesday 15 April for a local event
    closed = WorkCalendar(overrides=[DayOverride(date(2026, 4, 15), False, reason="Pesta adat Babulu")])

    # then a 1-day deadline from Tuesday 14 moves from Wednesday to Thursday
    assert cal.add_working_days(wita(4, 14, 10), 1) == wita(4, 15, 16)
    assert closed.add_working_days(wita(4, 14, 10), 1) == wita(4, 16, 16)
    assert not closed.is_working_day(date(2026, 4, 15))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (wita(4, 14, 7), 1, wita(4, 15, 16)),  # before opening: the day itself still never counts
        (wita(4, 14, 20), 1, wita(4, 15, 16)),  # after hours: the next working day is day 1
        (wita(4, 18, 10), 1, wita(4, 20, 16)),  # Saturday: Monday is day 1
        (wita(4, 17, 15), 1, wita(4, 20, 16)),  # Friday: over the weekend
        (wita(5, 13, 10), 1, wita(5, 18, 16)),  # Wed before Ascension (Thu 14) and its cuti bersama (Fri 15)
        (wita(4, 14, 14), 0, wita(4, 14, 16)),  # same day, still open
        (wita(4, 14, 16), 0, wita(4, 15, 16)),  # same day, but already closed
        (wita(4, 18, 10), 0, wita(4, 20, 16)),  # same day on a Saturday: Monday
        (wita(4, 17, 10), 0, wita(4, 17, 16, 30)),  # Friday closes at 16:30
    ],
)
def test_where_counting_starts(cal: WorkCalendar, start: datetime, n: int, due: datetime) -> None:
    assert cal.add_working_days(start, n) == due


def test_the_wita_date_decides_not_the_utc_date(cal: WorkCalendar) -> None:
    # 23:30 UTC on the 24th (a cuti bersama) is already 07:30 on Wednesday 25 in Babulu
    moment = datetime(2026, 3, 24, 23, 30, tzinfo=UTC)
    assert cal.is_working_day(moment) and cal.is_working_time(moment)
    assert cal.add_working_days(moment, 0) == wita(3, 25, 16)


# --- working hours and working time -----------------------------------------------------------


def test_ramadan_hours_shorten_a_working_hours_deadline(cal: WorkCalendar) -> None:
    # given the same 7-hour task started at 08:00 on a Monday in and out of Ramadan
    in_ramadan, outside = wita(3, 2, 8), wita(4, 13, 8)

    # when their deadlines are computed
    # then in Ramadan (08:00-15:00, break 12:00-12:30: 6.5 h) it spills into Tuesday
    assert cal.add_working_hours(in_ramadan, 7) == wita(3, 3, 8, 30)
    # while outside (07:30-16:00, break 12:00-13:00) it ends at Monday's close, not the next morning
    assert cal.add_working_hours(outside, 7) == wita(4, 13, 16)
    # and a calendar without the Ramadan period treats that March Monday like April's
    assert WorkCalendar(ramadan=()).add_working_hours(in_ramadan, 7) == wita(3, 2, 16)


def test_four_working_hours_from_the_afternoon_before_idul_fitri(cal: WorkCalendar) -> None:
    # Tuesday 17 March 14:00: one Ramadan hour to 15:00, then 3 h from 07:30 on Wednesday 25
    assert cal.add_working_hours(wita(3, 17, 14), 4) == wita(3, 25, 10, 30)
    # without Ramadan hours two hours would be left on the 17th (to 16:00)
    assert WorkCalendar(ramadan=()).add_working_hours(wita(3, 17, 14), 4) == wita(3, 25, 9, 30)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (wita(4, 14, 20), 1, wita(4, 15, 8, 30)),  # at night: from the next opening
        (wita(4, 14, 11), 1.5, wita(4, 14, 13, 30)),  # skips the lunch break
        (wita(4, 17, 11), 1, wita(4, 17, 13, 30)),  # Friday: 11:30-13:00 break
        (wita(4, 17, 16), 1, wita(4, 20, 8)),  # over the weekend
        (wita(4, 14, 10), 0, wita(4, 14, 10)),  # nothing to add
        (wita(4, 18, 10), 0, wita(4, 18, 10)),
        (wita(4, 14, 10), 0.25, wita(4, 14, 10, 15)),
    ],
)
def test_adding_working_hours(cal: WorkCalendar, start: datetime, hours: float, due: datetime) -> None:
    result = cal.add_working_hours(start, hours)
    assert result == due and result.tzinfo is UTC


def test_working_time_across_a_weekend_and_a_holiday(cal: WorkCalendar) -> None:
    # Wednesday 13 May 15:00 to Monday 18 May 09:00: Wed 1 h, Thu (Ascension) and Fri (cuti
    # bersama) off, the weekend off, Mon 07:30-09:00
    assert cal.working_time_between(wita(5, 13, 15), wita(5, 18, 9)) == 2.5 * H
    # a plain week: 37.5 h from one Monday's opening to the next
    assert cal.working_time_between(wita(4, 13, 7, 30), wita(4, 20, 7, 30)) == 37.5 * H
    # breaks do not count
    assert cal.working_time_between(wita(4, 13, 11), wita(4, 13, 14)) == 2 * H
    # b not after a gives zero
    assert cal.working_time_between(wita(4, 13, 14), wita(4, 13, 11)) == timedelta(0)
    assert cal.working_time_between(wita(4, 13, 14), wita(4, 13, 14)) == timedelta(0)


@pytest.mark.parametrize("hours", [0.5, 1, 4, 7.5, 13, 40, 200])
@pytest.mark.parametrize("start", [wita(3, 17, 14), wita(3, 20, 9), wita(4, 17, 12), wita(5, 13, 15, 45)])
def test_working_time_between_undoes_add_working_hours(cal: WorkCalendar, start: datetime, hours: float) -> None:
    assert cal.working_time_between(start, cal.add_working_hours(start, hours)) == hours * H


# --- hostile and mistaken input ---------------------------------------------------------------


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    naive = datetime(2026, 3, 17, 14)
    for call in (
        lambda: cal.add_working_days(naive, 1),
        lambda: cal.add_working_hours(naive, 1),
        lambda: cal.working_time_between(naive, wita(3, 25)),
        lambda: cal.working_time_between(wita(3, 17), naive),
        lambda: cal.is_working_time(naive),
        lambda: cal.is_working_day(naive),
        lambda: cal.working_intervals(naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.add_working_days(wita(3, 17), 10**9), ValueError),
        (lambda c: c.add_working_days(wita(3, 17), MAX_WORKING_DAYS + 1), ValueError),
        (lambda c: c.add_working_days(wita(3, 17), -1), ValueError),
        (lambda c: c.add_working_days(wita(3, 17), 1.5), TypeError),
        (lambda c: c.add_working_days(wita(3, 17), True), TypeError),
        (lambda c: c.add_working_hours(wita(3, 17), 1e9), ValueError),
        (lambda c: c.add_working_hours(wita(3, 17), float("inf")), ValueError),
        (lambda c: c.add_working_hours(wita(3, 17), float("nan")), ValueError),
        (lambda c: c.add_working_hours(wita(3, 17), -1), ValueError),
        (lambda c: c.add_working_hours(wita(3, 17), "4"), TypeError),
        (lambda c: c.working_time_between(wita(3, 17, year=2000), wita(3, 17, year=2100)), ValueError),
        (lambda c: c.add_working_days(datetime(9999, 12, 30, tzinfo=UTC), 5), ValueError),
    ],
)
def test_huge_or_wrong_counts_are_refused_quickly(cal: WorkCalendar, call: Any, error: type[Exception]) -> None:
    began = timer.perf_counter()
    with pytest.raises(error):
        call(cal)
    assert timer.perf_counter() - began < 1


def test_the_largest_allowed_counts_finish_quickly(cal: WorkCalendar) -> None:
    began = timer.perf_counter()
    far = cal.add_working_days(wita(3, 17, 14), MAX_WORKING_DAYS)
    hours = cal.add_working_hours(wita(3, 17, 14), 20_000)
    assert cal.working_time_between(wita(3, 17, 14), hours) == 20_000 * H
    assert far.year in (2040, 2041)
    assert timer.perf_counter() - began < 5


def test_a_calendar_that_never_opens_gives_up_instead_of_looping() -> None:
    never = WorkCalendar(hours=OfficeHours((None,) * 7), ramadan=(), holiday_source=lambda year: {})
    with pytest.raises(ValueError, match="not enough working days"):
        never.add_working_days(wita(3, 17), 1)
    with pytest.raises(ValueError, match="not enough office time"):
        never.add_working_hours(wita(3, 17), 1)


def test_the_holiday_source_can_be_replaced_and_is_asked_once_per_year() -> None:
    # given a source that knows no holidays and counts its calls
    asked: list[int] = []

    def source(year: int) -> dict[date, str]:
        asked.append(year)
        return {}

    calendar = WorkCalendar(holiday_source=source)

    # then Wednesday 18 March is a working (Ramadan) day, and each year is asked for once
    assert calendar.add_working_days(wita(3, 17, 14), 1) == wita(3, 18, 15)
    calendar.add_working_days(wita(12, 30, year=2026), 3)
    assert asked == [2026, 2027]


# --- the calendar in force and the BPMN helpers ------------------------------------------------

COMPLETE_AT = wita(3, 17, 14).astimezone(UTC)  # Tuesday before Idul Fitri, 14:00 WITA
OPEN_24 = WorkCalendar(overrides=[DayOverride(date(2026, 3, 24), True, reason="cuti bersama dibatalkan")])


def test_the_calendar_in_force_is_scoped_then_default_then_builtin() -> None:
    builtin = current_calendar()
    assert isinstance(builtin, WorkCalendar) and current_calendar() is builtin
    other = WorkCalendar(ramadan=())
    set_default_calendar(other)
    assert current_calendar() is other
    with use_calendar(OPEN_24):
        assert current_calendar() is OPEN_24
    assert current_calendar() is other
    # a provider is asked every time, so a portal table edit shows up at once
    set_default_calendar(lambda: OPEN_24)
    assert current_calendar() is OPEN_24
    set_default_calendar(None)
    assert current_calendar() is builtin
    with pytest.raises(TypeError):
        set_default_calendar("calendar")  # type: ignore[arg-type]


def test_helpers_in_expressions_read_the_engine_clock() -> None:
    with engine.frozen_at(COMPLETE_AT):
        assert evaluate("working_days(1)", {}) == "2026-03-25T08:00:00+00:00"
        assert evaluate("working_days(2)", {}) == "2026-03-26T08:00:00+00:00"
        assert evaluate("working_hours(4)", {}) == "2026-03-25T02:30:00+00:00"
        assert evaluate("is_working_day() and is_working_time()", {}) is True
        assert evaluate("is_working_day(tanggal)", {"tanggal": "2026-03-19"}) is False
        assert evaluate("is_working_time('2026-03-25T07:30:00+08:00')", {}) is True
        with use_calendar(OPEN_24):
            assert evaluate("working_days(1)", {}) == "2026-03-24T08:00:00+00:00"
    with engine.frozen_at(wita(3, 19, 10)):
        assert evaluate("is_working_day()", {}) is False
        assert evaluate("is_working_time()", {}) is False


def test_helper_arguments_are_checked() -> None:
    with engine.frozen_at(COMPLETE_AT):
        for expression in ("working_days(10**9)", "working_days(-1)", "working_hours(1e12)"):
            with pytest.raises(ValueError):
                evaluate(expression, {})
        with pytest.raises(TypeError):
            evaluate("working_days(1.5)", {})
        with pytest.raises(ValueError, match="naive"):
            evaluate("is_working_time('2026-03-25T07:30:00')", {})


def _at_camat_timer(definition: engine.Definition) -> engine.Instance:
    instance = engine.Instance.start(definition, dict(START_DATA), now=COMPLETE_AT - H)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=COMPLETE_AT)
    return instance


def test_a_timer_of_one_working_day_before_idul_fitri_is_due_after_the_holidays() -> None:
    # given the camat's escalation timer set to working_days(1) as a timeDate (lint accepts it)
    source = with_timer("working_days(1)", kind="timeDate")
    assert [p for p in engine.lint(source, "layanan-uji.bpmn") if p.severity is engine.Severity.ERROR] == []
    definition = load(source)

    # when the file is declared complete on Tuesday 17 March at 14:00 WITA
    instance = _at_camat_timer(definition)

    # then the timer is due at 16:00 WITA on Wednesday 25 March, and fires then, not before
    (waiting,) = instance.waiting_timers()
    assert waiting.due_at == datetime(2026, 3, 25, 8, tzinfo=UTC)
    assert instance.fire_due_timers(now=datetime(2026, 3, 25, 7, 59, tzinfo=UTC)) == []
    assert [t.bpmn_id for t in instance.fire_due_timers(now=datetime(2026, 3, 25, 8, tzinfo=UTC))] == ["Timer_Eskalasi"]
    assert [t.bpmn_id for t in instance.ready_human_tasks()] == ["Task_Eskalasi"]

    # and with the cuti bersama of the 24th cancelled, the same timer is due a day earlier
    with use_calendar(OPEN_24):
        earlier = _at_camat_timer(definition)
    (waiting,) = earlier.waiting_timers()
    assert waiting.due_at == datetime(2026, 3, 24, 8, tzinfo=UTC)


def test_a_condition_can_ask_whether_today_is_a_working_day() -> None:
    # given a gateway that sends complete files on only on working days
    source = mutate(('hasil == "lengkap"', 'hasil == "lengkap" and is_working_day()')).encode()
    definition = load(source)

    def run(now: datetime) -> engine.Instance:
        instance = engine.Instance.start(definition, dict(START_DATA), now=now)
        (counter,) = instance.ready_human_tasks()
        instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=now)
        return instance

    # then on Tuesday 17 March the file goes to the camat, and on Nyepi (19 March) it does not
    assert [t.bpmn_id for t in run(COMPLETE_AT).ready_human_tasks()] == ["Task_Setujui"]
    assert run(wita(3, 19, 10)).end_event() == ("EndEvent_Ditolak", "Berkas dikembalikan")
