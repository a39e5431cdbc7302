"""The office calendar in the portal: the override and Ramadan tables change the engine's answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

import engine
from engine.scripting import evaluate

WITA = ZoneInfo("Asia/Makassar")
COMPLETE_AT = datetime(2026, 3, 17, 14, tzinfo=WITA)  # Tuesday before Nyepi and Idul Fitri 1447 H


def wita(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


@pytest.fixture(autouse=True)
def _engine_default_calendar() -> Iterator[None]:
    # What the portal installs at start-up, whatever another test did to the engine's default.
    from portal.officecalendar.services import install_office_calendar

    install_office_calendar()
    yield
    install_office_calendar()


def test_an_override_row_changes_the_office_calendar(db: Any) -> None:
    from portal.officecalendar.selectors import office_calendar
    from portal.officecalendar.services import calendar_override_remove, calendar_override_set

    # given no override, a 1-day request complete on 17 March is due after the cuti bersama
    assert office_calendar().add_working_days(COMPLETE_AT, 1) == wita(3, 25, 16)

    # when the office records that the cuti bersama of Tuesday 24 March was cancelled
    row = calendar_override_set(day=date(2026, 3, 24), open=True, reason="SKB cuti bersama diubah")

    # then the next calendar built has it due on the 24th, and the row says who and why
    assert office_calendar().add_working_days(COMPLETE_AT, 1) == wita(3, 24, 16)
    assert row.as_override() == engine.DayOverride(date(2026, 3, 24), True, None, "SKB cuti bersama diubah")

    # and replacing the decision for that date (closed after all) and removing it work the same way
    calendar_override_set(day=date(2026, 3, 24), open=False, reason="SKB semula berlaku")
    assert office_calendar().add_working_days(COMPLETE_AT, 1) == wita(3, 25, 16)
    assert calendar_override_remove(day=date(2026, 3, 24)) is True
    assert calendar_override_remove(day=date(2026, 3, 24)) is False


def test_a_saturday_opening_with_hours_and_a_local_closure(db: Any) -> None:
    from portal.officecalendar.selectors import office_calendar
    from portal.officecalendar.services import calendar_override_set

    calendar_override_set(
        day=date(2026, 4, 18), open=True, opens_at=time(8), closes_at=time(12), reason="Pelayanan keliling"
    )
    calendar_override_set(day=date(2026, 4, 20), open=False, reason="Pesta adat")
    calendar = office_calendar()
    assert calendar.working_intervals(date(2026, 4, 18)) == [(wita(4, 18, 8), wita(4, 18, 12))]
    assert calendar.add_working_days(wita(4, 17, 10), 1) == wita(4, 18, 12)
    assert calendar.add_working_days(wita(4, 17, 10), 2) == wita(4, 21, 16)  # Monday 20 closed


def test_an_office_s_own_day_counts_for_that_office_only_and_wins_over_the_regency_s(db: Any) -> None:
    from portal.directory.models import Office
    from portal.directory.services import regions_sync
    from portal.officecalendar.selectors import calendar_of_office, office_calendar
    from portal.officecalendar.services import calendar_override_set

    regions_sync()
    babulu, sepaku = Office.objects.get(slug="babulu"), Office.objects.get(slug="sepaku")
    # given the regency closes Monday 20 April for a regional event, and Sepaku opens it anyway
    calendar_override_set(day=date(2026, 4, 20), open=False, reason="Hari jadi kabupaten")
    calendar_override_set(day=date(2026, 4, 20), office=sepaku, open=True, reason="Pelayanan tetap buka")
    # then Babulu and the regency count the day as closed, Sepaku as open
    friday = wita(4, 17, 10)
    assert office_calendar(babulu.pk).add_working_days(friday, 1) == wita(4, 21, 16)
    assert office_calendar().add_working_days(friday, 1) == wita(4, 21, 16)
    assert office_calendar(sepaku.pk).add_working_days(friday, 1) == wita(4, 20, 16)
    # and the BPMN helpers count in the calendar of the office whose request is being worked on
    with engine.frozen_at(friday), calendar_of_office(sepaku.pk):
        assert evaluate("working_days(1)", {}) == "2026-04-20T08:00:00+00:00"  # 16:00 WITA on Monday
    with engine.frozen_at(friday), calendar_of_office(babulu.pk):
        assert evaluate("working_days(1)", {}) == "2026-04-21T08:00:00+00:00"


@pytest.mark.parametrize(
    "fields",
    [
        {"open": True, "opens_at": time(8)},
        {"open": False, "opens_at": time(8), "closes_at": time(12)},
        {"open": True, "opens_at": time(12), "closes_at": time(8)},
        {"open": True, "reason": ""},
    ],
)
def test_inconsistent_overrides_are_refused(db: Any, fields: dict[str, Any]) -> None:
    from portal.officecalendar.models import CalendarOverride
    from portal.officecalendar.services import calendar_override_set

    with pytest.raises(ValidationError):
        calendar_override_set(**{"day": date(2026, 4, 18), "reason": "uji", **fields})
    assert not CalendarOverride.objects.exists()


def test_the_ramadan_table_and_settings_hours(db: Any, settings: Any) -> None:
    from portal.officecalendar.models import RamadanHours
    from portal.officecalendar.selectors import office_calendar

    monday = wita(3, 2, 8)  # in Ramadan 1447 H as the engine knows it (19 February - 20 March)
    # the built-in Ramadan dates apply when the table has no row for that year: 6.5 h on Monday
    assert office_calendar().add_working_hours(monday, 7) == wita(3, 3, 8, 30)

    # a row for the year replaces them (a hypothetical decree ending Ramadan hours on 1 March)
    RamadanHours.objects.create(hijri_year=1447, start=date(2026, 2, 19), end=date(2026, 3, 1), decree="uji")
    assert office_calendar().add_working_hours(monday, 7) == wita(3, 2, 16)

    # the office hours come from settings
    settings.PATEN_OFFICE_HOURS = {d: ["08:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert office_calendar().add_working_hours(monday, 7) == wita(3, 2, 15)

    # and overlapping Ramadan rows are refused
    clash = RamadanHours(hijri_year=1448, start=date(2026, 3, 1), end=date(2026, 3, 10))
    with pytest.raises(ValidationError):
        clash.full_clean()


def test_installed_it_drives_the_bpmn_helpers(db: Any) -> None:
    from portal.officecalendar.services import calendar_override_set, install_office_calendar

    install_office_calendar()
    with engine.frozen_at(COMPLETE_AT):
        assert evaluate("working_days(1)", {}) == "2026-03-25T08:00:00+00:00"
        # an override saved after installing counts at the next evaluation
        calendar_override_set(day=date(2026, 3, 24), open=True, reason="SKB cuti bersama diubah")
        assert evaluate("working_days(1)", {}) == "2026-03-24T08:00:00+00:00"
        assert engine.current_calendar().working_time_between(COMPLETE_AT, wita(3, 24, 8)) == timedelta(hours=1.5)
    engine.set_default_calendar(None)
    with engine.frozen_at(COMPLETE_AT):
        assert evaluate("working_days(1)", {}) == "2026-03-25T08:00:00+00:00"


def test_admin_pages_load_and_record_who_set_an_override(admin_client: Any, admin_user: Any) -> None:
    from portal.officecalendar.models import CalendarOverride, RamadanHours

    RamadanHours.objects.create(hijri_year=1447, start=date(2026, 2, 19), end=date(2026, 3, 20))
    for url in (
        "/admin/officecalendar/",
        "/admin/officecalendar/calendaroverride/",
        "/admin/officecalendar/calendaroverride/add/",
        "/admin/officecalendar/ramadanhours/",
        "/admin/officecalendar/ramadanhours/add/",
        f"/admin/officecalendar/ramadanhours/{RamadanHours.objects.get().pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url

    # when an admin adds an override through the form
    response = admin_client.post(
        "/admin/officecalendar/calendaroverride/add/",
        {"day": "2026-03-24", "open": "on", "opens_at": "", "closes_at": "", "reason": "SKB diubah"},
    )

    # then it is saved with its author, and the list shows the holiday it departs from
    assert response.status_code == 302
    row = CalendarOverride.objects.get()
    assert row.created_by == admin_user and row.created_at <= datetime.now(UTC)
    listing = admin_client.get("/admin/officecalendar/calendaroverride/").content.decode()
    assert "Cuti Bersama Hari Raya Idul Fitri" in listing and "Selasa" in listing
    assert admin_client.get(f"/admin/officecalendar/calendaroverride/{row.pk}/change/").status_code == 200

    # and an inconsistent one is refused by the form
    response = admin_client.post(
        "/admin/officecalendar/calendaroverride/add/",
        {"day": "2026-03-28", "opens_at": "08:00", "closes_at": "", "reason": "x"},
    )
    assert response.status_code == 200 and CalendarOverride.objects.count() == 1


def test_bpmn_helpers_in_the_portal_count_with_the_admins_overrides(db: Any) -> None:
    import datetime as dt

    import engine
    from engine.scripting import evaluate
    from portal.officecalendar.services import calendar_override_set

    # The afternoon before Nyepi and the Idul Fitri holidays of 2026 (18-24 March are off).
    moment = dt.datetime(2026, 3, 17, 6, 0, tzinfo=dt.UTC)  # 14:00 WITA
    with engine.frozen_at(moment):
        before = evaluate("working_days(1)", {})
    calendar_override_set(day=dt.date(2026, 3, 24), open=True, reason="Cuti bersama dibatalkan")
    with engine.frozen_at(moment):
        after = evaluate("working_days(1)", {})
    assert before.startswith("2026-03-25T08:00") and after.startswith("2026-03-24T08:00")


def test_a_calendar_read_at_one_version_is_reused_and_any_change_makes_a_new_version(db: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.directory.models import Office
    from portal.directory.services import regions_sync
    from portal.officecalendar.models import CalendarOverride, RamadanHours
    from portal.officecalendar.selectors import calendar_of_office
    from portal.officecalendar.services import calendar_override_remove, calendar_override_set

    regions_sync()
    babulu, sepaku = Office.objects.get(slug="babulu"), Office.objects.get(slug="sepaku")

    def version(office: Office) -> Any:
        office.refresh_from_db()
        return office.calendar_changed_at

    def one_day_from_friday(office: Office) -> str:
        with engine.frozen_at(wita(4, 17, 10)), calendar_of_office(office.pk, version=version(office)):
            return str(evaluate("working_days(1)", {}))

    monday, tuesday = "2026-04-20T08:00:00+00:00", "2026-04-21T08:00:00+00:00"
    assert one_day_from_friday(babulu) == monday
    same = version(babulu)
    friday = engine.frozen_at(wita(4, 17, 10))
    with CaptureQueriesContext(connection) as reused, friday, calendar_of_office(babulu.pk, version=same):
        assert evaluate("working_days(1)", {}) == monday  # the same version again: nothing is read
    assert not [q for q in reused.captured_queries if "officecalendar" in q["sql"]]

    # an office's own day moves that office's version only, and counts at once
    before_sepaku = version(sepaku)
    calendar_override_set(day=date(2026, 4, 20), office=babulu, open=False, reason="Rapat kerja")
    assert version(sepaku) == before_sepaku
    assert one_day_from_friday(babulu) == tuesday and one_day_from_friday(sepaku) == monday
    # a row written past the services (the admin, the shell) counts too, and so does its removal
    CalendarOverride.objects.filter(office=babulu).delete()
    assert one_day_from_friday(babulu) == monday
    CalendarOverride.objects.create(day=date(2026, 4, 20), open=False, reason="Hari jadi kabupaten")
    assert one_day_from_friday(babulu) == tuesday and one_day_from_friday(sepaku) == tuesday
    assert calendar_override_remove(day=date(2026, 4, 20))
    assert one_day_from_friday(sepaku) == monday
    # Ramadan rows are every office's
    before = (version(babulu), version(sepaku))
    RamadanHours.objects.create(hijri_year=1499, start=date(2075, 1, 1), end=date(2075, 1, 30))
    assert version(babulu) > before[0] and version(sepaku) > before[1]
